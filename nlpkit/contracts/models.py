"""The Model interface, model specs, and how a `--model` string becomes a model.

A *backend* knows how to load, train and save one family of models and which
heads it supports; a *model* is a loaded instance. The core ships two backends
(`transformers`, `sklearn`, in `nlpkit.engines.backends`); plugins can add more with the
`register_backends` hook.

`--model` accepts, in this order: a registered model name (`minilm`), a local
folder (a folder nlpkit saved, with `nlpkit.json`, or any transformers checkpoint
folder), or a Hugging Face hub id.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.device import Placement
from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.options import Option
from nlpkit.contracts.tasks import Head

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task
    from nlpkit.engines.generation import GenerationOutput, GenerationRequest
    from nlpkit.engines.heads.spans import SpanBatch
    from nlpkit.engines.inference import InferenceStats
    from nlpkit.engines.training import TrainConfig

log = logging.getLogger("nlpkit.contracts.device")

#: The file that makes a folder a self-describing nlpkit model.
MODEL_CARD_FILE = "nlpkit.json"
FORMAT_VERSION = 1
#: Model metadata a backend sets at load time that loading the saved folder needs again, and what
#: fine-tuning learned from the data besides labels (`Task.learn_from_data`); `decoder`: what was
#: built on an encoder-only checkpoint for seq2seq (layers, own target vocabulary).
PERSISTED_META = ("pooling", "learned", "decoder")
#: Input length of a model that does not say.
DEFAULT_MAX_LENGTH = 512
#: Files `nlpkit finetune` writes beside the weights: a folder with them but no card lost its card.
NLPKIT_SAVED_FILES = ("training_args.json", "metrics.json")


@dataclass(frozen=True)
class ModelSpec:
    """A short name for a model: which backend loads it, from where.

    `source` is a hub id or folder, or a zero-argument callable returning one (so a
    plugin can locate a packaged model lazily). `source=None` means an untrained
    model that only `finetune` can use (e.g. the scikit-learn baseline).
    """

    name: str
    backend: str
    source: str | Callable[[], str] | None = None
    description: str = ""
    heads: tuple[Head, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def resolve_source(self) -> str | None:
        return self.source() if callable(self.source) else self.source


class Model(abc.ABC):
    """A loaded model: the contract between tasks and backends.

    Tasks use only what is declared here, one group of methods per head, so any
    backend that implements a head's methods serves every task of that head
    (transformers, scikit-learn, a test's pure-torch model, an ONNX or remote one).
    A method the backend lacks raises a clear `NlpkitError`. Every batched method
    runs the core inference loop (`nlpkit.engines.inference`), which times each batch into
    `stats` for the benchmark harness and restores input order.

    - sequence classification: `classify` (texts); `classify_marked` (pre-tokenised
      words pooled at two marker tokens: relations) with `add_marker_tokens` /
      `knows_tokens` / `use_marker_pooling` to prepare a model for it;
    - token classification: `tag_words` (per-word label distributions; sub-words
      and windows over long sentences are the backend's business);
    - span extraction: `span_scores` (start/end scores per window with character offsets);
    - seq2seq: `generate`, and the conventions a task reads from the model
      (`task_params`, `language_tokens`, `model_family`, `decoder_only`, `count_tokens`).
    """

    backend: ClassVar[str] = ""
    #: True if `to` can move this model to an accelerator; False computes on the CPU only.
    accelerated: ClassVar[bool] = False
    #: Where the model computes (set by `to`; loading puts a model on the CPU at fp32).
    placement: Placement = Placement()

    def __init__(self, *, head: Head, labels: list[str] | None, source: str, task: str | None = None, meta: dict[str, Any] | None = None):
        self.head = head
        self.labels = labels
        self.source = source
        self.task = task
        self.meta = meta or {}

    # every head ------------------------------------------------------------------------
    @property
    def max_length(self) -> int:
        """Longest input the model reads, in its own units (tokens)."""
        return DEFAULT_MAX_LENGTH

    @property
    def device(self) -> Any:
        """Where the model computes: the inference loop moves each batch there (`nlpkit.engines.inference.to_device`).
        None: the CPU without torch (a pure-Python model)."""
        return None

    def to(self, placement: Placement) -> Model:
        """Compute on `placement` (from `nlpkit.contracts.device.resolve`); the base class runs on the CPU at fp32 only."""
        if placement.accelerator or placement.precision != "fp32":
            raise NlpkitError(f"the {self.backend} backend runs on the CPU at fp32 only, not {placement.device} at {placement.precision}")
        self.placement = placement
        return self

    @abc.abstractmethod
    def save(self, folder: Path) -> list[str]:
        """Write weights and whatever loading needs into `folder`; return the file names written."""

    def _require(self, head: Head) -> None:
        """Refuse a head method called on a model loaded for another head."""
        if self.head is not head:
            raise NlpkitError(f"{self.source} has a {self.head} head, not {head}")

    def _lacks(self, method: str, head: Head) -> NlpkitError:
        return NlpkitError(f"the {self.backend or type(self).__name__} backend's models have no {method}(), which the {head} head needs ({self.source})")

    # sequence classification ------------------------------------------------------------
    def classify(self, texts: Sequence[str], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        """Class probabilities for each text, columns in `self.labels` order."""
        raise self._lacks("classify", Head.SEQUENCE_CLASSIFICATION)

    def classify_marked(self, items: Sequence[tuple[Sequence[str], int, int]], markers: tuple[str, str], *, logit_bias: Sequence[float] | None = None, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        """Class probabilities for pre-tokenised word sequences ``(words, first, last)``,
        read at the first occurrences of the two `markers` tokens; a sequence too long for
        the model is cropped around ``words[first:last]``. `logit_bias` is added to the
        logits (one value per label) before the softmax."""
        raise self._lacks("classify_marked", Head.SEQUENCE_CLASSIFICATION)

    def knows_tokens(self, tokens: Sequence[str]) -> bool:
        """Whether each of `tokens` is a single token of the model's vocabulary."""
        raise self._lacks("knows_tokens", Head.SEQUENCE_CLASSIFICATION)

    def add_marker_tokens(self, tokens: Sequence[str]) -> bool:
        """Make `tokens` single (special) tokens with fresh embeddings; False when already there."""
        raise self._lacks("add_marker_tokens", Head.SEQUENCE_CLASSIFICATION)

    def use_marker_pooling(self, markers: tuple[str, str]) -> None:
        """Train (and classify) from the states at the two `markers` instead of the first token."""
        raise self._lacks("use_marker_pooling", Head.SEQUENCE_CLASSIFICATION)

    # token classification ----------------------------------------------------------------
    def tag_words(self, sentences: Sequence[Sequence[str]], *, window_overlap: int | None = None, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[list[float]]]:
        """Per sentence, per word: the label distribution (columns in `self.labels` order).
        A sentence longer than the model's input is read in overlapping windows
        (`window_overlap` sub-words shared; default a quarter), each word from the
        window where it has the most context."""
        raise self._lacks("tag_words", Head.TOKEN_CLASSIFICATION)

    # span extraction ----------------------------------------------------------------------
    def span_scores(self, questions: Sequence[str], contexts: Sequence[str], *, max_length: int, doc_stride: int, max_question_length: int, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> Iterator[SpanBatch]:
        """Start/end scores of every window of every (question, context) pair, one
        `SpanBatch` per model batch (decode as they come: memory stays one batch).
        Windows hold `max_length` tokens, consecutive ones share `doc_stride` context
        tokens; questions keep their first `max_question_length` tokens."""
        raise self._lacks("span_scores", Head.SPAN_EXTRACTION)

    # seq2seq ----------------------------------------------------------------------------------
    def generate(self, texts: Sequence[str], request: GenerationRequest, *, batch_size: int = 16, stats: InferenceStats | None = None, progress: bool = False) -> list[GenerationOutput]:
        """Generated sequences for each text, in input order, decoded as `request` says."""
        raise self._lacks("generate", Head.SEQ2SEQ)

    def task_params(self, key: str) -> dict[str, Any]:
        """The model's own settings for a task (``task_specific_params[key]``: prefix, beams…)."""
        return {}

    def language_tokens(self) -> list[str]:
        """The language-code tokens the model knows (mBART, NLLB, M2M100); empty for most."""
        return []

    @property
    def model_family(self) -> str:
        """The architecture family (``t5``, ``bart``…), for conventions such as T5 prefixes."""
        return ""

    @property
    def decoder_only(self) -> bool:
        """True for a decoder-only generator (needs a prompt format)."""
        return False

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Length of each text in the model's input units (default: whitespace words)."""
        return [len(text.split()) for text in texts]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.source!r} head={self.head} labels={self.labels}>"


class Backend:
    """Loads, trains and saves one family of models."""

    name: str = ""
    heads: frozenset[Head] = frozenset()
    #: True if its models can run on an accelerator (`Model.to`); False: the CPU only, whatever `--device` says.
    accelerated: bool = False
    #: ``-O`` options `finetune` passes to this backend (`TrainConfig.backend_options`).
    options: ClassVar[tuple[Option, ...]] = ()
    #: Modules it imports that an install may lack, and the pip requirement that brings them
    #: (checked before loading or training: a clear error instead of an ImportError).
    requires: ClassVar[tuple[str, ...]] = ()
    requires_extra: ClassVar[str] = ""

    def load(self, source: str, task: Task, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> Model:
        """Load `source` (folder or hub id) for `task`'s head. `labels` sizes a new head."""
        raise NotImplementedError

    def finetune(self, task: Task, source: str | None, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path, labels: list[str] | None) -> Model:
        """Train on `train` (checkpoints under `workdir`) and return the trained model."""
        raise NlpkitError(f"the {self.name} backend cannot fine-tune: it only loads trained models")

    def accepts_folder(self, folder: Path) -> bool:
        """True if `folder` holds a model of this backend without an nlpkit.json."""
        return False


