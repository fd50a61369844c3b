"""Task lookup: a registered task name to its `Task`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlpkit.contracts.errors import UnknownNameError
from nlpkit.resolution import Registries, registries_or_loaded
from nlpkit.resolution.distributions import with_install_hint

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task

__all__ = ["get_task", "list_tasks"]


def get_task(name: str | Task, *, registries: Registries | None = None) -> Task:
    """The registered task called `name` (a Task passes through); an unknown bundled task
    names the distribution that provides it."""
    if not isinstance(name, str):
        return name
    try:
        return registries_or_loaded(registries)["tasks"].get(name)
    except UnknownNameError as exc:  # a bundled task whose plugin is missing names its distribution
        raise with_install_hint(exc) from None


def list_tasks(*, registries: Registries | None = None) -> list[Task]:
    """Every registered task, by name."""
    return [entry.item for entry in registries_or_loaded(registries)["tasks"]]
