"""The examples and prediction records of the NER and relation tasks.

A sentence is a list of words with their character offsets into `text`, so
entities can always be reported as character spans of the original string,
whether the input was raw text or pre-tokenised words.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nlpkit.contracts.tasks import Entity, Record, Relation

#: A token span with a type: (start word, end word exclusive, type).
Span = tuple[int, int, str]


@dataclasses.dataclass
class NerExample(Record):
    """Words with character offsets into `text`, and gold IOB2 tags when labelled."""

    tokens: list[str]
    text: str
    offsets: list[tuple[int, int]]
    tags: list[str] | None = None
    id: str | None = None
    #: Where it came from, for error messages ("eng.train:12").
    source: str | None = None

    @classmethod
    def from_tokens(cls, tokens: list[str], tags: list[str] | None = None, **kwargs: Any) -> NerExample:
        """A pre-tokenised sentence; its text is the words joined by single spaces."""
        offsets, position = [], 0
        for token in tokens:
            offsets.append((position, position + len(token)))
            position += len(token) + 1
        return cls(tokens=list(tokens), text=" ".join(tokens), offsets=offsets, tags=tags, **kwargs)

    def entity(self, start: int, end: int, type: str, score: float | None = None) -> Entity:
        """The `Entity` covering words `start`..`end` (exclusive)."""
        first, last = self.offsets[start][0], self.offsets[end - 1][1]
        return Entity(type=type, text=self.text[first:last], start=first, end=last, score=score)


@dataclasses.dataclass
class RelationExample(Record):
    """A sentence with entity spans (word offsets) and relations between them.

    `relations` holds (head entity index, tail entity index, type). `pairs` lists the
    ordered entity pairs to classify; None means every ordered pair of distinct entities
    (pairs not in `relations` are `no_relation`). SemEval gives exactly one pair."""

    sentence: NerExample
    entities: list[Span] | None = None
    relations: list[tuple[int, int, str]] | None = None
    pairs: list[tuple[int, int]] | None = None
    id: str | None = None
    source: str | None = None

    def candidate_pairs(self, n_entities: int | None = None) -> list[tuple[int, int]]:
        if self.pairs is not None and n_entities is None:
            return list(self.pairs)
        n = len(self.entities or []) if n_entities is None else n_entities
        return [(h, t) for h in range(n) for t in range(n) if h != t]


@dataclasses.dataclass
class Entities(Record):
    """The entities found in one input, in text order."""

    entities: list[Entity]


@dataclasses.dataclass
class Extraction(Record):
    """Entities and the relations between them found in one input."""

    entities: list[Entity]
    relations: list[Relation]
