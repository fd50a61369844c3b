"""Every hook a plugin can implement. Each docstring is that hook's documentation.

A plugin is a module (or object) named by an entry point in the ``nlpkit`` group::

    [project.entry-points.nlpkit]
    sentiment = "nlpkit_sentiment.plugin"

whose functions carry ``@nlpkit.hookimpl`` (``@hookimpl(specname="register_tasks")``
lets a function of another name implement a hook). Registration hooks receive a
``register`` callback, so the core decides naming:

- each registered item must be of the type the hook names (else the plugin fails);
- a plugin that fails in any hook registers nothing from any hook;
- a name that is already taken stays with its owner (the core and the bundled
  plugins first, then third-party plugins in installation order); the newcomer's
  item is skipped and reported (``nlpkit plugins --json`` lists every collision).

Keep plugin modules light: importing one must not import torch, transformers,
datasets or evaluate. Register small spec objects; load heavy code on first use.
"""

from __future__ import annotations

from typing import Any, Callable

import pluggy

hookspec = pluggy.HookspecMarker("nlpkit")
hookimpl = pluggy.HookimplMarker("nlpkit")


@hookspec
def register_tasks(register: Callable[[Any], None]) -> None:
    """Register tasks: call ``register(task)`` once per `nlpkit.Task` instance.

    The task's ``name`` is its public name (``nlpkit predict NAME``); a name another
    plugin registered first stays theirs and yours is skipped and reported.

    :param register: call it with each `nlpkit.Task` instance (anything else fails the plugin).
    """


@hookspec
def register_models(register: Callable[..., None]) -> None:
    """Register named models: call ``register(ModelSpec(...))``.

    A `nlpkit.ModelSpec` gives a short name (``minilm``) to a backend and a source
    (hub id or local folder, possibly computed lazily), so users can write
    ``--model minilm``. Hub ids and local folders work without registration.

    :param register: call it with each `nlpkit.ModelSpec`.
    """


@hookspec
def register_backends(register: Callable[[Any], None]) -> None:
    """Register model backends: call ``register(backend)`` with a `nlpkit.Backend`.

    A backend turns a model source into a `nlpkit.Model` for a head and trains or
    saves it (the core ships ``transformers`` and ``sklearn``).

    :param register: call it with each `nlpkit.Backend` instance; its ``name`` is what
        a `ModelSpec` or a saved ``nlpkit.json`` refers to.
    """


@hookspec
def register_datasets(register: Callable[[Any], None]) -> None:
    """Register datasets: call ``register(DatasetSpec(...))``.

    A `nlpkit.DatasetSpec` names a hub id and, per split, the file it has in a local
    mirror laid out as ``DATA_DIR/<task>/<dataset>/<file>`` (``--data-dir``).

    :param register: call it with each `nlpkit.DatasetSpec`.
    """


@hookspec
def register_metrics(register: Callable[[Any], None]) -> None:
    """Register metrics: call ``register(MetricSpec(name, "module:Class"))``.

    The class (an `nlpkit.metrics.base.NlpkitMetric`; instantiating it gives an
    ``evaluate.Metric``) is imported only when the metric is first used, and its
    module must not import `evaluate` or `datasets` (a TF-IDF model is scored without them).

    :param register: call it with each `nlpkit.MetricSpec`.
    """


@hookspec
def register_suites(register: Callable[[Any], None]) -> None:
    """Register benchmark suites: call ``register(SuiteSpec(name, path))``.

    ``path`` is a TOML suite file shipped with the plugin; ``nlpkit bench NAME`` runs it
    and ``nlpkit bench --list`` lists it.

    :param register: call it with each `nlpkit.SuiteSpec`.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``nlpkit`` click group: ``@cli.command()`` on your functions.

    Import heavy libraries inside the command function, not at module level, so
    ``nlpkit --help`` stays fast. A command name the core or an earlier plugin
    already has is skipped and reported, and a failure here unregisters everything
    the plugin registered in the other hooks.

    :param cli: a click group: add commands with ``@cli.command()``.
    """
