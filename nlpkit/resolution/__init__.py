"""Resolution: names to things. A ``--model``, metric, dataset or task name becomes
the object it names (`models`, `metrics`, `data`, `tasks`).

Every lookup takes the registries to search (``registries=``, a kind → `Registry`
map such as `PluginManager.registries`); without them it uses the process's loaded
plugin manager, which fills its registries lazily, once, on first use
(`nlpkit.plugins.get_manager`). Nothing below this layer reaches for the manager.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlpkit.contracts.registry import Registry

__all__ = ["Registries", "registries_or_loaded"]

#: Kind ("tasks", "models", "backends", "datasets", "metrics", "suites") → its registry.
Registries = Mapping[str, "Registry[Any]"]


def registries_or_loaded(registries: Registries | None = None) -> Registries:
    """`registries` if given, else those of the loaded plugin manager (loading it once)."""
    if registries is not None:
        return registries
    from nlpkit.plugins import get_manager

    return get_manager().registries
