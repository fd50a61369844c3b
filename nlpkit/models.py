"""The Model interface, model specs, and how a `--model` string becomes a model.

A *backend* knows how to load, train and save one family of models and which
heads it supports; a *model* is a loaded instance. The core ships two backends
(`transformers`, `sklearn`, in `nlpkit.backends`); plugins can add more with the
`register_backends` hook.

`--model` accepts, in this order: a registered model name (`minilm`), a local
folder (a folder nlpkit saved, with `nlpkit.json`, or any transformers checkpoint
folder), or a Hugging Face hub id.
"""

from __future__ import annotations

import abc
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.device import Placement
from nlpkit.errors import ModelLoadError, NlpkitError
from nlpkit.options import Option
from nlpkit.tasks import Head

if TYPE_CHECKING:
    from nlpkit.generation import GenerationOutput, GenerationRequest
    from nlpkit.heads.spans import SpanBatch
    from nlpkit.inference import InferenceStats
    from nlpkit.tasks import Task
    from nlpkit.training import TrainConfig

log = logging.getLogger("nlpkit.device")

#: The file that makes a folder a self-describing nlpkit model.
MODEL_CARD_FILE = "nlpkit.json"
FORMAT_VERSION = 1
#: Model metadata a backend sets at load time that loading the saved folder needs again.
PERSISTED_META = ("pooling",)
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
    runs the core inference loop (`nlpkit.inference`), which times each batch into
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
        """Where the model computes: the inference loop moves each batch there (`nlpkit.inference.to_device`).
        None: the CPU without torch (a pure-Python model)."""
        return None

    def to(self, placement: Placement) -> Model:
        """Compute on `placement` (from `nlpkit.device.resolve`); the base class runs on the CPU at fp32 only."""
        if placement.accelerator or placement.precision != "fp32":
            raise NlpkitError(f"the {self.backend} backend runs on the CPU at fp32 only, not {placement.device} at {placement.precision}")
        self.placement = placement
        return self

    @abc.abstractmethod
    def save(self, folder: Path) -> list[str]:
        """Write weights and whatever loading needs into `folder`; return the file names written."""

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


@dataclass
class ResolvedModel:
    """Where a `--model` string points: backend, source, and saved metadata if any."""

    backend: Backend
    source: str | None
    meta: dict[str, Any]
    spec: ModelSpec | None = None
    #: `source` is a Hugging Face hub id (checked by `nlpkit.hub.check_hub_model`).
    hub: bool = False


def resolve_model(model: str | None, task: Task, *, check_hub: bool = True) -> ResolvedModel:
    """Work out backend and source for `model` (see module docstring). A hub id is checked
    at once (offline: a clear error in about a second) unless `check_hub=False`, for
    callers that check it themselves later (`load_model`, after the cheap settings checks)."""
    from nlpkit.hub import check_hub_model
    from nlpkit.plugins import get_manager

    manager = get_manager()
    if model is None:
        if task.default_model is None:
            raise NlpkitError(f"task {task.name!r} has no default model; pass --model (a name from `nlpkit models`, a folder or a hub id)")
        model = task.default_model
    backends = manager.registries["backends"]
    if model in manager.registries["models"]:
        spec: ModelSpec = manager.get("models", model)
        source = spec.resolve_source()
        hub = spec.backend == "transformers" and bool(source) and not Path(source).expanduser().exists()
        if hub and check_hub:
            check_hub_model(source)  # offline: fail in a second, not after ~30 s of retries
        return ResolvedModel(backends.get(spec.backend), source, {}, spec, hub=hub)
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelLoadError(f"{path}: a model must be a folder, this is a file")
        card = path / MODEL_CARD_FILE
        if card.exists():
            meta = read_model_card(path)
            return ResolvedModel(backends.get(meta["backend"]), str(path), meta)
        if all((path / name).exists() for name in NLPKIT_SAVED_FILES):
            # saved by nlpkit, card lost: its settings (labels order, pooling) would silently change
            raise ModelLoadError(f"{path}: this folder was saved by nlpkit but its {MODEL_CARD_FILE} is missing, so settings it records (pooling, task) are unknown; restore {MODEL_CARD_FILE} from the original folder or fine-tune again")
        for entry in backends:
            if entry.item.accepts_folder(path):
                return ResolvedModel(entry.item, str(path), {})
        raise ModelLoadError(f"{path}: not a model folder (no {MODEL_CARD_FILE} and no config.json)")
    if model.startswith((".", "/", "~")) or os.sep + os.sep in model or model.count("/") > 1 or (path.parent != Path(".") and path.parent.is_dir()):
        # a path whose parent folder exists here is a mistyped folder, not a hub id like "org/name"
        raise ModelLoadError(f"{model}: no such model folder")
    # otherwise: a Hugging Face hub id
    if check_hub:
        check_hub_model(model)
    return ResolvedModel(backends.get("transformers"), model, {}, hub=True)


#: Checkpoint architectures (class-name endings) that carry a trained head of each kind.
TRAINED_HEAD_ARCHITECTURES: dict[Head, tuple[str, ...]] = {
    Head.SEQUENCE_CLASSIFICATION: ("ForSequenceClassification",),
    Head.TOKEN_CLASSIFICATION: ("ForTokenClassification",),
    Head.SPAN_EXTRACTION: ("ForQuestionAnswering",),
    Head.SEQ2SEQ: ("ForConditionalGeneration", "ForSeq2SeqLM", "LMHeadModel", "ForCausalLM"),
}


def untrained_head(architectures: Sequence[str] | None, head: Head) -> bool:
    """True if a checkpoint of these `architectures` (config.json) has no trained `head`:
    a bare encoder such as MiniLM (``BertModel``) loaded to classify. Unknown: False."""
    endings = TRAINED_HEAD_ARCHITECTURES.get(head, ())
    return bool(architectures) and bool(endings) and not any(str(a).endswith(endings) for a in architectures)


def checkpoint_architectures(model: Model | str) -> list[str] | None:
    """The architectures a loaded transformers model, or a checkpoint folder, declares
    (None for a folder nlpkit fine-tuned, whose card names its task, or when unknown)."""
    if isinstance(model, Model):
        if "task" in model.meta:
            return None
        return getattr(getattr(getattr(model, "network", None), "config", None), "architectures", None)
    folder = Path(model)
    if (folder / MODEL_CARD_FILE).exists() or not (folder / "config.json").is_file():
        return None
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8")).get("architectures")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return None


def refuse_untrained_head(model: Model | str, task: Task, name: str | None) -> None:
    """Raise unless `model` (loaded, or a checkpoint folder) has a trained head for `task`:
    with a freshly initialised head its predictions would be random."""
    architectures = checkpoint_architectures(model)
    if untrained_head(architectures, task.head):
        shown = name or (model.source if isinstance(model, Model) else model)
        raise NlpkitError(
            f"model {shown!r} has no trained {task.head} head (its checkpoint is a {', '.join(architectures or [])}), so its predictions would be random; "
            f"fine-tune it first: `nlpkit finetune {task.name} --model {shown} --train DATA --output DIR`, then use --model DIR "
            f"(or pass --allow-untrained-head if you mean it)"
        )


def require_libraries(backend: Backend) -> None:
    """Raise `NlpkitError` naming the install command if `backend` needs a missing library
    (the base install of nlpkit-core has no torch: TF-IDF users do not need it)."""
    import importlib.util

    missing = [name for name in backend.requires if importlib.util.find_spec(name) is None]
    if missing:
        raise NlpkitError(
            f"the {backend.name} backend needs {' and '.join(missing)}, which this environment lacks: "
            f"pip install {backend.requires_extra or ' '.join(missing)!r} "
            f"(on a machine without a GPU, first: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
        )


def read_model_card(folder: Path) -> dict[str, Any]:
    """Read and check `nlpkit.json`, including that every file it lists is there."""
    card = folder / MODEL_CARD_FILE
    try:
        meta = json.loads(card.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{card}: unreadable model description ({exc})") from None
    for key in ("backend", "task", "head"):
        if key not in meta:
            raise ModelLoadError(f"{card}: missing key {key!r}")
    missing = [name for name in meta.get("files", []) if not (folder / name).exists()]
    if missing:
        raise ModelLoadError(f"{folder}: model folder is missing {', '.join(missing)} (listed in {MODEL_CARD_FILE})")
    return meta


def check_task_match(meta: dict[str, Any], task: Task, source: str | None) -> None:
    """Refuse a saved model trained for another task (a relations model answering sentiment
    with relation types), unless its card or the task declares the two compatible."""
    trained_for = meta["task"]
    compatible = {trained_for, *meta.get("compatible_tasks", ())}
    if task.name in compatible or trained_for in getattr(task, "compatible_tasks", ()):
        return
    raise NlpkitError(
        f"{source} was fine-tuned for task {trained_for!r} ({meta['head']}), not {task.name!r}; "
        f"use it with `nlpkit … {trained_for}`, or fine-tune a model for {task.name!r}"
    )


def load_model(model: str | None, task: Task, *, labels: list[str] | None = None, trust_remote_code: bool = False, device: str | None = None, precision: str | None = None, backend_options: dict[str, Any] | None = None) -> Model:
    """Load a model for `task` from a registered name, folder or hub id, and put it on
    `device` at `precision` (`nlpkit.device.resolve`: by default the accelerator if any, fp32).

    `trust_remote_code=True` lets a checkpoint that ships its own Python code run it
    (off by default: such a folder is refused). `backend_options` are the backend's declared
    options (`Backend.options`, e.g. the transformers backend's ``quantize``), checked here."""
    from nlpkit.hub import check_hub_model

    resolved = resolve_model(model, task, check_hub=False)
    backend = resolved.backend
    require_libraries(backend)
    # explicit device/precision settings are checked first (cheap, and wrong either way);
    # the automatic choice imports torch, so an unreachable hub id is reported before it
    explicit = device is not None or precision is not None
    if resolved.hub and resolved.source and not explicit:
        check_hub_model(resolved.source)
    placement = place(backend, device, precision)
    if resolved.hub and resolved.source and explicit:
        check_hub_model(resolved.source)
    if task.head not in backend.heads:
        raise NlpkitError(f"the {backend.name} backend has no {task.head} head, which task {task.name!r} needs")
    meta = resolved.meta
    if meta:
        check_task_match(meta, task, resolved.source)
        labels = meta.get("labels", labels)
    if resolved.source is None:
        raise NlpkitError(f"model {model!r} ({backend.name}) is untrained: fine-tune it first with `nlpkit finetune {task.name} --model {model} …`")
    options = dict(resolved.spec.options) if resolved.spec else {}
    if trust_remote_code:
        options["trust_remote_code"] = True
    if backend_options:
        from nlpkit.options import check_options

        options.update(check_options(backend.options, backend_options, owner=f"the {backend.name} backend", command="predict"))
    loaded = backend.load(resolved.source, task, labels=labels, meta=meta, options=options).to(placement)
    log.debug("model %s on %s", resolved.source, placement.describe())
    return loaded


def place(backend: Backend | Model, device: str | None, precision: str | None) -> Placement:
    """Resolve `device`/`precision` for a backend or a loaded model (a CPU-only one falls back to the CPU)."""
    from nlpkit.device import resolve

    name = backend.name if isinstance(backend, Backend) else backend.backend
    return resolve(device, precision, cpu_only=None if backend.accelerated else name)


def write_model_card(folder: Path, *, task: Task, model: Model, base_model: str | None, files: list[str], extra: dict[str, Any]) -> None:
    """Write `nlpkit.json`, the file that makes a folder loadable with no other flags."""
    import datetime

    from nlpkit import __version__

    meta = {
        "format": FORMAT_VERSION,
        "nlpkit_version": __version__,
        "task": task.name,
        "head": task.head.value,
        "backend": model.backend,
        "labels": model.labels,
        "base_model": base_model,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "files": sorted(set(files)),
        **{key: model.meta[key] for key in PERSISTED_META if key in model.meta},
        **extra,
    }
    (folder / MODEL_CARD_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
