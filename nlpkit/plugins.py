"""Plugin discovery and the rules that keep one plugin from breaking another.

Plugins are entry points in the ``nlpkit`` group. Loading runs in two phases:

1. **Stage** each plugin on its own: import its module, then call each of its hooks
   through pluggy (restricted to that plugin, so ``@hookimpl(specname=...)`` works),
   collecting what it registers and checking each item's type (a `DatasetSpec`
   passed to ``register_tasks`` is that plugin's error). A plugin that fails to
   import, implements an unknown hook, or raises or registers something wrong in
   *any* hook is reported once (one line: plugin, distribution, error) and
   contributes nothing from *any* hook: all or nothing per plugin.
2. **Commit** the staged items in priority order: the core, then the bundled
   distributions (`BUNDLED_DISTRIBUTIONS`), then third-party plugins, first installed
   first. "First installed" is the modification time of the distribution's metadata
   folder (``*.dist-info``/``*.egg-info``), ties and unknown times broken by
   distribution name. A name already taken keeps its owner; the newcomer's item is
   skipped and every such collision is reported (`PluginManager.collisions`,
   ``nlpkit plugins --json``), so a third-party plugin cannot hijack a bundled name.

A plugin whose import or hooks pull in torch, transformers, evaluate or datasets is
reported too (one line naming the plugin and the module that imported it): that
makes ``nlpkit --help`` slow for everyone.

Environment:
- ``NLPKIT_STRICT_PLUGINS=1``: every such report is an error instead (for plugin authors).
- ``NLPKIT_LOAD_PLUGINS=a,b``: load only the plugins named (entry-point or distribution
  names); set but empty, it loads none. The core's built-in plugin is always loaded.
  An unknown name is reported with the known ones.
- ``NLPKIT_TRACE_PLUGINS=1``: print every hook call, the plugins it reaches and what
  they registered, on stderr.
"""

from __future__ import annotations

import importlib.abc
import os
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable

import pluggy

from nlpkit import hookspecs
from nlpkit.errors import PluginError
from nlpkit.registry import Registry

ENTRY_POINT_GROUP = "nlpkit"
#: The core's distribution name (`nlpkit` on PyPI is an unrelated project).
CORE_DISTRIBUTION = "nlpkit-core"
#: Distributions shipped with nlpkit: on a name collision they keep the name.
BUNDLED_DISTRIBUTIONS = frozenset({
    "nlpkit-core", "nlpkit-ner", "nlpkit-onnx", "nlpkit-qa", "nlpkit-sentiment", "nlpkit-summarization", "nlpkit-translation",
})
#: Libraries a plugin module must not import (seconds each; `nlpkit --help` stays fast).
HEAVY_MODULES = ("torch", "transformers", "evaluate", "datasets")

#: Registration hooks, in the order they run, and the registry each one fills.
REGISTER_HOOKS = {
    "register_backends": "backends",
    "register_metrics": "metrics",
    "register_datasets": "datasets",
    "register_models": "models",
    "register_tasks": "tasks",
    "register_suites": "suites",
}
COMMANDS_HOOK = "register_commands"


def expected_types() -> dict[str, type]:
    """The type each registration hook accepts (imported here: they are light)."""
    from nlpkit.bench import SuiteSpec
    from nlpkit.data import DatasetSpec
    from nlpkit.metrics import MetricSpec
    from nlpkit.models import Backend, ModelSpec
    from nlpkit.tasks import Task

    return {
        "register_backends": Backend,
        "register_metrics": MetricSpec,
        "register_datasets": DatasetSpec,
        "register_models": ModelSpec,
        "register_tasks": Task,
        "register_suites": SuiteSpec,
    }


@dataclass(frozen=True)
class Collision:
    """A name two plugins registered: who kept it, and whose item was skipped."""

    kind: str
    name: str
    kept_by: str
    skipped_from: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "kept_by": self.kept_by, "skipped_from": self.skipped_from}

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r} (kept by {self.kept_by})"


@dataclass
class PluginInfo:
    """What one plugin is and what it did: the rows of `nlpkit plugins`."""

    name: str
    distribution: str
    version: str
    hooks: list[str] = field(default_factory=list)
    registered: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    #: Items not registered because another plugin had the name first.
    skipped: list[Collision] = field(default_factory=list)
    #: "torch (imported by mod.name)" for each heavy library its loading pulled in.
    heavy_imports: list[str] = field(default_factory=list)
    bundled: bool = False
    #: Sort key for "first installed": metadata folder mtime (inf when unknown).
    installed: float = float("inf")
    #: Staged registrations (kind -> items) between the two loading phases.
    staged: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "bundled": self.bundled,
            "hooks": self.hooks,
            "registered": self.registered,
            "skipped": [c.to_dict() for c in self.skipped],
            "heavy_imports": self.heavy_imports,
            "error": self.error,
        }

    @property
    def key(self) -> str:
        return f"{self.distribution}:{self.name}"


def _name_of(item: Any) -> str:
    return getattr(item, "name", None) or ""


def normalize_distribution(name: str) -> str:
    """PEP 503 normal form: ``nlpkit_NER`` → ``nlpkit-ner``."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginManager:
    """Loads plugins (see the module docstring) and holds what they registered."""

    def __init__(self, *, strict: bool | None = None, only: list[str] | None = None, report: Callable[[str], None] | None = None, trace: bool | None = None):
        self.strict = _env_flag("NLPKIT_STRICT_PLUGINS") if strict is None else strict
        self.only = _env_list("NLPKIT_LOAD_PLUGINS") if only is None else only
        self._report = report or (lambda line: print(line, file=sys.stderr))
        self.pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self.pm.add_hookspecs(hookspecs)
        if _env_flag("NLPKIT_TRACE_PLUGINS") if trace is None else trace:
            self.pm.add_hookcall_monitoring(self._trace_before, self._trace_after)
        self.registries: dict[str, Registry[Any]] = {kind: Registry(kind[:-1]) for kind in REGISTER_HOOKS.values()}
        self.plugins: list[PluginInfo] = []
        self.collisions: list[Collision] = []
        self._commands: dict[str, list[Any]] = {}
        self._command_owners: dict[str, str] = {}
        self._loaded = False

    # -- loading -----------------------------------------------------------
    def load(self) -> PluginManager:
        """Import the core's built-ins and every selected entry point, stage, then commit."""
        if self._loaded:
            return self
        self._loaded = True
        from nlpkit import builtins

        core = PluginInfo("nlpkit", CORE_DISTRIBUTION, _version(CORE_DISTRIBUTION), bundled=True, installed=float("-inf"))
        self._stage(core, lambda: builtins)
        candidates = []
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else "?"
            if self.only is not None and ep.name not in self.only and dist not in self.only:
                continue
            info = PluginInfo(ep.name, dist, ep.dist.version if ep.dist is not None else "?")
            info.bundled = normalize_distribution(dist) in BUNDLED_DISTRIBUTIONS
            info.installed = _installed_time(ep.dist)
            candidates.append((info, ep))
        self._check_selection()
        for info, ep in sorted(candidates, key=lambda pair: _priority(pair[0])):
            self._stage(info, ep.load)
        for info in sorted(self.plugins, key=_priority):
            self._commit(info)
        return self

    def register_plugin(self, plugin: Any, name: str, distribution: str = "<local>") -> PluginInfo:
        """Add a plugin object by hand (tests, notebooks): staged and committed like any
        other, after everything already loaded (so it loses every name collision)."""
        info = PluginInfo(name, distribution, "0")
        self._stage(info, lambda: plugin)
        self._commit(info)
        return info

    def add_commands(self, cli: Any) -> None:
        """Add every plugin's staged ``register_commands`` commands to the click group
        `cli`; a command name the core or an earlier plugin has is a reported collision."""
        for info in sorted(self.plugins, key=_priority):
            for command in self._commands.get(info.key, []):
                if command.name in cli.commands:
                    owner = self._command_owners.get(command.name, CORE_DISTRIBUTION)
                    self._collide(info, Collision("command", command.name, owner, info.distribution))
                    continue
                cli.add_command(command)
                self._command_owners[command.name] = info.distribution
                info.registered.setdefault("commands", []).append(command.name)

    # -- phase 1: stage ------------------------------------------------------
    def _stage(self, info: PluginInfo, load: Callable[[], Any]) -> None:
        """Import the plugin and run every hook of it into `info.staged`; any failure
        discards everything it staged."""
        self.plugins.append(info)
        watcher = _HeavyImportWatcher()
        with watcher.watching():
            try:
                plugin = load()
            except Exception as exc:  # a broken plugin must not take the tool down
                self._fail(info, f"import failed: {_describe(exc)}", exc)
                return
            try:
                self.pm.register(plugin, name=info.key)
            except Exception as exc:  # wrong hook signature, duplicate
                self._fail(info, f"invalid plugin: {_describe(exc)}", exc)
                return
            info.hooks = sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])
            unknown = [name for name in info.hooks if not getattr(self.pm.hook, name).has_spec()]
            if unknown:
                self.pm.unregister(plugin)
                known = sorted([*REGISTER_HOOKS, COMMANDS_HOOK])
                self._fail(info, f"implements unknown hook {', '.join(map(repr, unknown))}{_close(unknown[0], known)} (nlpkit hooks: {', '.join(known)})", None)
                return
            try:
                staged = self._run_hooks(info, plugin)
            except Exception as exc:
                self.pm.unregister(plugin)
                self._fail(info, str(exc) if isinstance(exc, _HookError) else f"failed: {_describe(exc)}", exc.__cause__ or exc)
                return
        info.heavy_imports = watcher.found()
        if info.heavy_imports:
            line = f"nlpkit: plugin {info.name!r} ({info.distribution}) imports {', '.join(info.heavy_imports)} when loaded; import heavy libraries inside functions so `nlpkit --help` stays fast"
            if self.strict:
                raise PluginError(line)
            self._report(line)
        info.staged = staged

    def _run_hooks(self, info: PluginInfo, plugin: Any) -> dict[str, list[Any]]:
        types = expected_types()
        staged: dict[str, list[Any]] = {}
        others = [p for p in self.pm.get_plugins() if p is not plugin]
        for hook_name, kind in REGISTER_HOOKS.items():
            items: list[Any] = []
            try:
                self.pm.subset_hook_caller(hook_name, remove_plugins=others)(register=items.append)
            except Exception as exc:
                raise _HookError(f"{hook_name} failed: {_describe(exc)}") from exc
            expected = types[hook_name]
            names: set[str] = set()
            for item in items:
                if not isinstance(item, expected):
                    raise _HookError(f"{hook_name} registered {_describe_item(item)}; expected nlpkit.{expected.__name__}")
                name = _name_of(item)
                if not isinstance(name, str) or not name:
                    raise _HookError(f"{hook_name} registered a {type(item).__name__} without a name: {item!r}")
                if name in names:
                    raise _HookError(f"{hook_name} registered {kind[:-1]} {name!r} twice")
                names.add(name)
            if items:
                staged[kind] = items
        if COMMANDS_HOOK in info.hooks:
            import click

            group = click.Group("staging")
            try:
                self.pm.subset_hook_caller(COMMANDS_HOOK, remove_plugins=others)(cli=group)
            except Exception as exc:
                raise _HookError(f"{COMMANDS_HOOK} failed: {_describe(exc)}") from exc
            self._commands[info.key] = list(group.commands.values())
        return staged

    # -- phase 2: commit -----------------------------------------------------
    def _commit(self, info: PluginInfo) -> None:
        staged, info.staged = info.staged, {}
        for kind, items in staged.items():
            registry = self.registries[kind]
            for item in items:
                name = _name_of(item)
                if name in registry:
                    self._collide(info, Collision(registry.kind, name, registry.entry(name).distribution, info.distribution))
                    continue
                registry.add(name, item, info.distribution)
                info.registered.setdefault(kind, []).append(name)
        if info.skipped:
            line = f"nlpkit: plugin {info.name!r} ({info.distribution}): skipped {len(info.skipped)} name(s) another plugin registered first: " + "; ".join(map(str, info.skipped))
            if self.strict:
                raise PluginError(line)
            self._report(line)

    def _collide(self, info: PluginInfo, collision: Collision) -> None:
        info.skipped.append(collision)
        self.collisions.append(collision)
        if collision.kind == "command":  # commands are added after loading: report each one now
            line = f"nlpkit: plugin {info.name!r} ({info.distribution}): skipped command {collision.name!r}, which {collision.kept_by} already has"
            if self.strict:
                raise PluginError(line)
            self._report(line)

    def _check_selection(self) -> None:
        if self.only is None:
            return
        known = {CORE_DISTRIBUTION}
        labels = []
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else "?"
            known |= {ep.name, dist}
            labels.append(f"{ep.name} ({dist})")
        for name in self.only:
            if name not in known:
                line = f"nlpkit: NLPKIT_LOAD_PLUGINS names unknown plugin {name!r}{_close(name, sorted(known))}; known plugins: {', '.join(labels) or 'none installed'}"
                if self.strict:
                    raise PluginError(line)
                self._report(line)

    def _fail(self, info: PluginInfo, message: str, exc: BaseException | None) -> None:
        info.error = message if info.error is None else info.error
        info.staged = {}
        self._commands.pop(info.key, None)
        line = f"nlpkit: plugin {info.name!r} ({info.distribution}) skipped: {message}"
        if self.strict:
            detail = "".join(traceback.format_exception(exc)) if exc is not None else ""
            raise PluginError(line + ("\n" + detail if detail else "")) from exc
        self._report(line)

    # -- tracing -------------------------------------------------------------
    def _trace_before(self, hook_name: str, hook_impls: list[Any], kwargs: dict[str, Any]) -> None:
        if not hook_impls:
            return
        print(f"nlpkit trace: {hook_name} -> {', '.join(impl.plugin_name for impl in hook_impls) or 'no plugin'}", file=sys.stderr)

    def _trace_after(self, outcome: Any, hook_name: str, hook_impls: list[Any], kwargs: dict[str, Any]) -> None:
        if not hook_impls:
            return
        register = kwargs.get("register")
        items = getattr(register, "__self__", None)  # the staging list's append
        what = ", ".join(f"{type(i).__name__} {_name_of(i)!r}" for i in items) if isinstance(items, list) else ""
        error = f" raised {_describe(outcome.exception)}" if getattr(outcome, "exception", None) else ""
        print(f"nlpkit trace: {hook_name} done{error}" + (f": {what}" if what else ""), file=sys.stderr)

    # -- lookups -------------------------------------------------------------
    def get(self, kind: str, name: str) -> Any:
        return self.registries[kind].get(name)



class _HookError(Exception):
    """A hook failure, its message already phrased for the one-line report."""


class _HeavyImportWatcher(importlib.abc.MetaPathFinder):
    """While active, records which module first imports each heavy library."""

    def __init__(self) -> None:
        self._found: dict[str, str] = {}
        self._before: set[str] = set()

    @contextmanager
    def watching(self) -> Iterator[None]:
        self._before = {m for m in HEAVY_MODULES if m in sys.modules}
        sys.meta_path.insert(0, self)
        try:
            yield
        finally:
            sys.meta_path.remove(self)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname in HEAVY_MODULES and fullname not in self._found and fullname not in sys.modules:
            self._found[fullname] = _importer()
        return None  # only watching; the real finders do the work

    def found(self) -> list[str]:
        out = [f"{name} (imported by {importer})" for name, importer in self._found.items()]
        out += [name for name in HEAVY_MODULES if name in sys.modules and name not in self._before and name not in self._found]
        return out


def _importer() -> str:
    """The module that is running the current import statement."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(("importlib", "_frozen_importlib", "nlpkit.plugins")) and module.partition(".")[0] not in HEAVY_MODULES:
            return module or "?"
        frame = frame.f_back  # type: ignore[assignment]
    return "?"


def _priority(info: PluginInfo) -> tuple[int, float, str, str]:
    """Core, then bundled plugins by name, then third parties first installed first."""
    rank = 0 if info.distribution == CORE_DISTRIBUTION else 1 if info.bundled else 2
    installed = info.installed if rank == 2 else 0.0
    return (rank, installed, normalize_distribution(info.distribution), info.name)


def _installed_time(dist: metadata.Distribution | None) -> float:
    path = getattr(dist, "_path", None)  # the *.dist-info / *.egg-info folder of a PathDistribution
    try:
        return os.stat(path).st_mtime if path is not None else float("inf")
    except OSError:
        return float("inf")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _describe_item(item: Any) -> str:
    name = _name_of(item) if isinstance(getattr(item, "name", None), str) else ""
    return f"a {type(item).__module__}.{type(item).__name__}" + (f" ({name!r})" if name else "")


def _close(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _entry_points() -> list[metadata.EntryPoint]:
    seen: set[tuple[str, str]] = set()
    out = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        key = (ep.name, ep.value)
        if key not in seen:  # the same distribution can be on sys.path twice
            seen.add(key)
            out.append(ep)
    return sorted(out, key=lambda ep: ep.name)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


_manager: PluginManager | None = None


def get_manager() -> PluginManager:
    """The process-wide plugin manager, loaded on first use."""
    global _manager
    if _manager is None:
        _manager = PluginManager().load()
    return _manager


def reset_manager(manager: PluginManager | None = None) -> None:
    """Forget the loaded plugins (tests), or install a prepared manager."""
    global _manager
    _manager = manager


__all__ = [
    "BUNDLED_DISTRIBUTIONS", "Collision", "HEAVY_MODULES", "PluginInfo", "PluginManager",
    "get_manager", "reset_manager", "expected_types",
]
