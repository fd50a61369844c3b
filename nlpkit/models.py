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

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.errors import ModelLoadError, NlpkitError
from nlpkit.options import Option
from nlpkit.tasks import Head

if TYPE_CHECKING:
    from nlpkit.inference import InferenceStats
    from nlpkit.tasks import Task
    from nlpkit.training import TrainConfig

#: The file that makes a folder a self-describing nlpkit model.
MODEL_CARD_FILE = "nlpkit.json"
FORMAT_VERSION = 1
#: Model metadata a backend sets at load time that loading the saved folder needs again.
PERSISTED_META = ("pooling",)
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


class Model:
    """A loaded model. Backends subclass this and add the compute their heads need
    (`classify` for sequence classification; `network`/`tokenizer` for transformers)."""

    backend: str = ""

    def __init__(self, *, head: Head, labels: list[str] | None, source: str, task: str | None = None, meta: dict[str, Any] | None = None):
        self.head = head
        self.labels = labels
        self.source = source
        self.task = task
        self.meta = meta or {}

    def classify(self, texts: Sequence[str], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        """Class probabilities for each text, columns in `self.labels` order."""
        raise NlpkitError(f"the {self.backend} backend cannot classify sequences")

    def save(self, folder: Path) -> list[str]:
        """Write weights and whatever loading needs into `folder`; return the file names written."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.source!r} head={self.head} labels={self.labels}>"


class Backend:
    """Loads, trains and saves one family of models."""

    name: str = ""
    heads: frozenset[Head] = frozenset()
    #: ``-O`` options `finetune` passes to this backend (`TrainConfig.backend_options`).
    options: ClassVar[tuple[Option, ...]] = ()

    def load(self, source: str, task: Task, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> Model:
        """Load `source` (folder or hub id) for `task`'s head. `labels` sizes a new head."""
        raise NotImplementedError

    def finetune(self, task: Task, source: str | None, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path, labels: list[str] | None) -> Model:
        """Train on `train` (checkpoints under `workdir`) and return the trained model."""
        raise NotImplementedError

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


def resolve_model(model: str | None, task: Task) -> ResolvedModel:
    """Work out backend and source for `model` (see module docstring)."""
    from nlpkit.plugins import get_manager

    manager = get_manager()
    if model is None:
        if task.default_model is None:
            raise NlpkitError(f"task {task.name!r} has no default model; pass --model (a name from `nlpkit models`, a folder or a hub id)")
        model = task.default_model
    backends = manager.registries["backends"]
    if model in manager.registries["models"]:
        spec: ModelSpec = manager.get("models", model)
        return ResolvedModel(backends.get(spec.backend), spec.resolve_source(), {}, spec)
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
    return ResolvedModel(backends.get("transformers"), model, {})


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


def load_model(model: str | None, task: Task, *, labels: list[str] | None = None, trust_remote_code: bool = False) -> Model:
    """Load a model for `task` from a registered name, folder or hub id.

    `trust_remote_code=True` lets a checkpoint that ships its own Python code run it
    (off by default: such a folder is refused)."""
    resolved = resolve_model(model, task)
    backend = resolved.backend
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
    return backend.load(resolved.source, task, labels=labels, meta=meta, options=options)


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
