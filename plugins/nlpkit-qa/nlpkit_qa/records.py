"""The records the QA task reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from nlpkit.contracts.tasks import Answer, Record


@dataclass
class GoldAnswer(Record):
    """A reference answer: its text and character offset in the context."""

    text: str
    start: int


@dataclass
class QAExample(Record):
    """A question about a context.

    `answers` is None for unlabelled input, an empty list for an unanswerable
    (SQuAD v2.0 ``is_impossible``) question. `context` may be None until `predict`
    fills it from the ``context`` option (questions given on the command line).
    """

    question: str
    context: str | None = None
    answers: list[GoldAnswer] | None = None
    id: str | None = None
    #: Where it came from, for error messages ("dev.json:1234", "file.jsonl:3").
    source: str | None = None


@dataclass
class RankedAnswers(Record):
    """The `top_k` best answers to one question, best first (``-O top_k=N``)."""

    answers: list[Answer] = field(default_factory=list)

    @property
    def best(self) -> Answer | None:
        return self.answers[0] if self.answers else None
