"""The Task interface and the typed records tasks exchange.

A task knows its data (how to read its file formats, what an input and a label
are) and its scoring (which metrics, on what). It declares the model `Head` it
needs; a model backend declares the heads it supports, and any pair that matches
works. Tasks decode on top of the model's head contract (`nlpkit.contracts.models.Model`:
class probabilities, per-word label distributions, span scores, generations),
because decoding (spans, entities, answers) is task knowledge; batching, devices
and timing are the core's (`nlpkit.engines.inference`).

Records are small dataclasses that serialise to JSON lines with `to_dict`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import Option, resolve, saved_options

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats


class Head(str, enum.Enum):
    """The kind of model output a task needs."""

    SEQUENCE_CLASSIFICATION = "sequence-classification"
    TOKEN_CLASSIFICATION = "token-classification"
    SPAN_EXTRACTION = "span-extraction"
    SEQ2SEQ = "seq2seq"

    def __str__(self) -> str:
        return self.value


class Record:
    """Mixin: a dataclass that turns into a JSON-ready dict (None fields dropped)."""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}  # type: ignore[call-overload]


# -- inputs -------------------------------------------------------------------
@dataclasses.dataclass
class TextExample(Record):
    """One text, with its gold label when it comes from labelled data."""

    text: str
    label: str | None = None
    id: str | None = None
    #: Where it came from, for error messages ("file.tsv:12").
    source: str | None = None


# -- outputs ------------------------------------------------------------------
@dataclasses.dataclass
class Classification(Record):
    """A predicted label with its probability and the full distribution."""

    label: str
    score: float
    scores: dict[str, float] | None = None


@dataclasses.dataclass
class Entity(Record):
    """A typed span; `start`/`end` are character offsets into the original text (end exclusive)."""

    type: str
    text: str
    start: int
    end: int
    score: float | None = None


@dataclasses.dataclass
class Relation(Record):
    """A typed, directed relation between two entities."""

    head: Entity
    tail: Entity
    type: str
    score: float | None = None


@dataclasses.dataclass
class Answer(Record):
    """A span answer; `start`/`end` are character offsets into the context (end exclusive)."""

    text: str
    start: int
    end: int
    score: float


@dataclasses.dataclass
class Generation(Record):
    """Generated text (summaries, translations)."""

    text: str
    score: float | None = None


# -- the interface --------------------------------------------------------------
class Task:
    """Base class of every task. Subclasses set the class attributes and the methods
    their head needs; everything here must stay cheap to import and construct.
    """

    #: Public name: `nlpkit predict NAME`.
    name: ClassVar[str]
    #: The model head the task needs.
    head: ClassVar[Head]
    #: One line for `nlpkit tasks`.
    description: ClassVar[str] = ""
    #: Model used when the user gives none (hub id or registered name), if any.
    default_model: ClassVar[str | None] = None
    #: Metric names scored by `evaluate` when none are asked for.
    default_metrics: ClassVar[tuple[str, ...]] = ()
    #: Registered dataset used by the task's examples and suites, if any.
    default_dataset: ClassVar[str | None] = None
    #: Other tasks whose fine-tuned models this task accepts (their labels mean the same here).
    compatible_tasks: ClassVar[tuple[str, ...]] = ()
    #: A tiny labelled file in one of the task's formats, relative to the folder of the
    #: module defining the class (ship it as package data): `nlpkit.testing.check_plugin`
    #: runs the task end to end on it.
    sample: ClassVar[str | None] = None
    #: Every ``-O`` option the task understands (`nlpkit.contracts.options`); nothing else is accepted.
    options: ClassVar[tuple[Option, ...]] = ()
    #: File formats `read` understands, for `nlpkit task NAME`.
    formats: ClassVar[tuple[str, ...]] = ()

    # options -------------------------------------------------------------------
    def resolve_options(self, stage: str, given: dict[str, Any] | None = None, model: Model | None = None) -> dict[str, Any]:
        """Every option of `stage` (read/train/predict): default < saved with `model` < given.
        Unknown names and wrong types raise an `NlpkitError` naming the option."""
        saved = saved_options(model.meta) if model is not None else None
        return resolve(self.options, given, owner=f"task {self.name!r}", stage=stage, saved=saved)

    # data --------------------------------------------------------------------
    def read(self, path: str | Path, **options: Any) -> list[Any]:
        """Read labelled examples from a file in one of the task's formats."""
        raise NotImplementedError(f"task {self.name!r} cannot read files")

    def read_rows(self, rows: Iterable[dict[str, Any]], source: str, **options: Any) -> list[Any]:
        """Turn rows from a hub dataset (`datasets.load_dataset`) into examples."""
        raise NotImplementedError(f"task {self.name!r} cannot read hub rows")

    def parse_inputs(self, texts: Sequence[str]) -> list[Any]:
        """Turn raw texts given on the command line into inputs for `predict`."""
        return [TextExample(text=_require_text(t, f"argument {i + 1}")) for i, t in enumerate(texts)]

    def read_inputs(self, path: str | Path) -> list[Any]:
        """Read unlabelled inputs for `predict --input FILE` (default: the task's reader)."""
        return self.read(path, require_labels=False)

    def label_set(self, examples: Sequence[Any]) -> list[str] | None:
        """Labels a model for this task must output, learned from training examples."""
        return None

    def learn_from_data(self, examples: Sequence[Any], **options: Any) -> dict[str, Any]:
        """What else a model must remember about its training examples (JSON-able; relations:
        which argument types each relation type takes). `nlpkit finetune` saves it in
        nlpkit.json under ``learned``; a loaded model reads it as ``model.meta["learned"]``.
        `options` are the train-stage ``-O`` options. Default: nothing."""
        return {}

    # inference -----------------------------------------------------------------
    def predict(
        self,
        model: Model,
        inputs: Sequence[Any],
        *,
        batch_size: int = 32,
        stats: InferenceStats | None = None,
        progress: bool = False,
        **options: Any,
    ) -> list[Record]:
        """Predict one record per input, in input order.

        Use only the model's head contract (`nlpkit.contracts.models`): the core's inference loop
        times each batch into `stats` for the harness. `options` are the task's declared
        options (``nlpkit predict -O top_k=3``): call ``self.resolve_options("predict",
        options, model)`` to check them and fill in defaults."""
        raise NotImplementedError

    # scoring --------------------------------------------------------------------
    def metric_inputs(self, metric: str, predictions: Sequence[Any], examples: Sequence[Any]) -> tuple[list[Any], list[Any], dict[str, Any]]:
        """(predictions, references, kwargs) for one metric, aligned per example so the
        harness can bootstrap by resampling examples."""
        raise NotImplementedError

    def check_example_for_scoring(self, example: Any) -> None:
        """Raise a `DataError` when an example lacks what scoring needs (a gold label…)."""

    # training (transformers backend) -----------------------------------------------
    def training_features(self, examples: Sequence[Any], tokenizer: Any, label2id: dict[str, int] | None, max_length: int, **options: Any) -> list[dict[str, Any]]:
        """Tokenised training features (dicts of lists) for the transformers Trainer, from
        the `tokenizer` the backend hands over (`nlpkit.engines.heads` has the shared building blocks).

        `options` are `TrainConfig.task_options` (``nlpkit finetune -O key=value``)."""
        raise NotImplementedError(f"task {self.name!r} cannot be fine-tuned with transformers")

    def prepare_model(self, model: Model, tokenizer: Any = None) -> None:
        """Adapt a freshly loaded pre-trained model before fine-tuning, through the model
        contract (relations: `add_marker_tokens`, `use_marker_pooling`). The backend passes
        the `tokenizer` it will hand to `training_features`. Default: nothing."""

    def data_collator(self, tokenizer: Any) -> Any:
        """The collator that pads a batch of `training_features` (dynamic padding)."""
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} ({self.head})>"


def _require_text(text: Any, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise NlpkitError(f"{where}: empty text")
    return text


def require_text(text: Any, path: str | Path | None, line: int | None, field: str) -> str:
    """Return `text` or raise a `DataError` if it is missing or blank."""
    if text is None:
        raise DataError(path, "missing", line=line, field=field)
    if not isinstance(text, str):
        text = str(text)
    if not text.strip():
        raise DataError(path, "empty text", line=line, field=field)
    return text
