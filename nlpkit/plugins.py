"""Plugin discovery: entry points in the ``nlpkit`` group, loaded one at a time.

A plugin that fails to import, or raises inside a hook, is reported once (one line
on stderr: plugin, distribution, error) and skipped; what it registered in that
hook is rolled back and every other plugin keeps working.

Environment:
- ``NLPKIT_STRICT_PLUGINS=1`` turns such a failure into an error (for plugin authors).
- ``NLPKIT_LOAD_PLUGINS=a,b`` loads only the plugins named (entry-point or
  distribution names); set but empty, it loads none. The core's built-in plugin is
  always loaded.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable

import pluggy

from nlpkit import hookspecs
from nlpkit.errors import PluginError
from nlpkit.registry import Registry

ENTRY_POINT_GROUP = "nlpkit"
CORE_DISTRIBUTION = "nlpkit"

#: Registration hooks, in the order they run, and the registry each one fills.
REGISTER_HOOKS = {
    "register_backends": "backends",
    "register_metrics": "metrics",
    "register_datasets": "datasets",
    "register_models": "models",
    "register_tasks": "tasks",
    "register_suites": "suites",
}


@dataclass
class PluginInfo:
    """What one plugin is and what it did: the rows of `nlpkit plugins`."""

    name: str
    distribution: str
    version: str
    hooks: list[str] = field(default_factory=list)
    registered: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "hooks": self.hooks,
            "registered": self.registered,
            "error": self.error,
        }


def _name_of(item: Any) -> str:
    return getattr(item, "name", None) or ""


class PluginManager:
    """Loads plugins and holds what they registered."""

    def __init__(self, *, strict: bool | None = None, only: list[str] | None = None, report: Callable[[str], None] | None = None):
        self.strict = _env_flag("NLPKIT_STRICT_PLUGINS") if strict is None else strict
        self.only = _env_list("NLPKIT_LOAD_PLUGINS") if only is None else only
        self._report = report or (lambda line: print(line, file=sys.stderr))
        self.pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.registries: dict[str, Registry[Any]] = {
            kind: Registry(kind[:-1]) for kind in REGISTER_HOOKS.values()
        }
        self.plugins: list[PluginInfo] = []
        self._loaded = False

    # -- loading -----------------------------------------------------------
    def load(self) -> PluginManager:
        """Import the core's built-ins and every selected entry point, then run the hooks."""
        if self._loaded:
            return self
        self._loaded = True
        from nlpkit import builtins

        self._add(builtins, PluginInfo("nlpkit", CORE_DISTRIBUTION, _version(CORE_DISTRIBUTION)))
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else "?"
            if self.only is not None and ep.name not in self.only and dist not in self.only:
                continue
            info = PluginInfo(ep.name, dist, ep.dist.version if ep.dist is not None else "?")
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the tool down
                self._fail(info, f"import failed: {_describe(exc)}", exc)
                self.plugins.append(info)
                continue
            self._add(plugin, info)
        for hook_name, kind in REGISTER_HOOKS.items():
            for info, plugin in self._loaded_plugins():
                self._call_register_hook(info, plugin, hook_name, self.registries[kind])
        return self

    def register_plugin(self, plugin: Any, name: str, distribution: str = "<local>") -> None:
        """Add a plugin object by hand (tests, notebooks) and run its hooks."""
        info = PluginInfo(name, distribution, "0")
        self._add(plugin, info)
        for hook_name, kind in REGISTER_HOOKS.items():
            self._call_register_hook(info, plugin, hook_name, self.registries[kind])

    def add_commands(self, cli: Any) -> None:
        """Run every plugin's `register_commands(cli)`, isolating failures."""
        for info, plugin in self._loaded_plugins():
            impl = getattr(plugin, "register_commands", None)
            if impl is None:
                continue
            try:
                impl(cli=cli)
            except Exception as exc:
                self._fail(info, f"register_commands failed: {_describe(exc)}", exc)

    def _add(self, plugin: Any, info: PluginInfo) -> None:
        try:
            self.pm.register(plugin, name=f"{info.distribution}:{info.name}")
        except Exception as exc:  # wrong hook signature, unknown hook, duplicate
            self._fail(info, f"invalid plugin: {_describe(exc)}", exc)
            self.plugins.append(info)
            return
        info.hooks = sorted(impl.name for impl in self._hookimpls_of(plugin))
        self.plugins.append(info)

    def _hookimpls_of(self, plugin: Any) -> list[Any]:
        return [caller for caller in self.pm.get_hookcallers(plugin) or []]

    def _loaded_plugins(self) -> list[tuple[PluginInfo, Any]]:
        out = []
        for info in self.plugins:
            plugin = self.pm.get_plugin(f"{info.distribution}:{info.name}")
            if plugin is not None and info.error is None:
                out.append((info, plugin))
        return out

    def _call_register_hook(self, info: PluginInfo, plugin: Any, hook_name: str, registry: Registry[Any]) -> None:
        if info.error is not None or hook_name not in info.hooks:
            return
        staged: list[Any] = []
        try:
            getattr(plugin, hook_name)(register=staged.append)
            for item in staged:  # all or nothing: a failing hook registers none of its items
                if _name_of(item) in registry:
                    registry.add(_name_of(item), item, info.distribution)  # raises the collision error
            for item in staged:
                registry.add(_name_of(item), item, info.distribution)
        except Exception as exc:
            for item in staged:
                entry = registry._entries.get(_name_of(item))
                if entry is not None and entry.item is item and entry.distribution == info.distribution:
                    del registry._entries[entry.name]
            self._fail(info, f"{hook_name} failed: {_describe(exc)}", exc)
            return
        if staged:
            info.registered.setdefault(registry.kind + "s", []).extend(_name_of(i) for i in staged)

    def _fail(self, info: PluginInfo, message: str, exc: BaseException) -> None:
        info.error = message if info.error is None else info.error
        line = f"nlpkit: plugin {info.name!r} ({info.distribution}) skipped: {message}"
        if self.strict:
            raise PluginError(line + "\n" + "".join(traceback.format_exception(exc))) from exc
        self._report(line)

    # -- lookups -----------------------------------------------------------
    def get(self, kind: str, name: str) -> Any:
        return self.registries[kind].get(name)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


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
