"""The distributions nlpkit ships: their names, the tasks each provides, install hints.

The core is published as `nlpkit-core` (the PyPI name `nlpkit` belongs to an
unrelated project); the bundled task plugins keep their own names. When a task is
unknown because the plugin that provides it is not installed (or failed to load),
the error names that distribution and the command that installs it.
"""

from __future__ import annotations

from importlib import metadata

from nlpkit.errors import UnknownNameError
from nlpkit.plugins import CORE_DISTRIBUTION

#: The PyPI project called `nlpkit`: not us. `nlpkit install nlpkit` is refused.
UNRELATED_PYPI_NAME = "nlpkit"

#: Task name → the bundled distribution that registers it (kept true by a test).
BUNDLED_TASKS: dict[str, str] = {
    "sentiment": "nlpkit-sentiment",
    "ner": "nlpkit-ner",
    "relations": "nlpkit-ner",
    "qa": "nlpkit-qa",
    "summarization": "nlpkit-summarization",
    "translation": "nlpkit-translation",
}


def is_installed(distribution: str) -> bool:
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def install_hint(task: str) -> str | None:
    """What to do about an unknown `task` that a bundled distribution provides, else None."""
    distribution = BUNDLED_TASKS.get(task)
    if distribution is None:
        return None
    if is_installed(distribution):
        return f"task {task!r} is provided by {distribution}, which is installed but did not load: see `nlpkit plugins`"
    return f"task {task!r} is provided by {distribution}: nlpkit install {distribution}"


def with_install_hint(error: UnknownNameError) -> UnknownNameError:
    """`error` (an unknown task) reworded to name the distribution that provides the task."""
    hint = install_hint(error.name) if error.kind == "task" else None
    if hint is not None:
        error.args = (hint,)
    return error


__all__ = ["BUNDLED_TASKS", "CORE_DISTRIBUTION", "UNRELATED_PYPI_NAME", "install_hint", "is_installed", "with_install_hint"]
