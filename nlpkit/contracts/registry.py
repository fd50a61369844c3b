"""Named things plugins register: tasks, models, datasets, metrics, suites.

The core owns naming: a registry refuses a second registration of one name
(naming both distributions) and answers an unknown name with the close matches.
Which plugin keeps a contested name is the plugin manager's policy
(`nlpkit.plugins`): it checks before adding and reports the newcomer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from nlpkit.contracts.errors import NlpkitError, UnknownNameError

T = TypeVar("T")


class NameCollisionError(NlpkitError):
    """Two plugins registered the same name."""


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered item and the distribution that registered it."""

    name: str
    item: T
    distribution: str


__all__ = ["Entry", "NameCollisionError", "Registry"]


class Registry(Generic[T]):
    """A name → item map that knows who registered each name."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def add(self, name: str, item: T, distribution: str) -> None:
        if not isinstance(name, str) or not name:
            raise NlpkitError(f"{distribution} registered a {self.kind} without a name: {item!r}")
        if name in self._entries:
            first = self._entries[name].distribution
            raise NameCollisionError(
                f"{self.kind} {name!r} is registered twice: by {first} and by {distribution}"
            )
        self._entries[name] = Entry(name, item, distribution)

    def get(self, name: str) -> T:
        return self.entry(name).item

    def entry(self, name: str) -> Entry[T]:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, self._entries) from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(sorted(self._entries.values(), key=lambda e: e.name))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return sorted(self._entries)
