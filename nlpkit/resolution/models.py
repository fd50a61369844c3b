"""How a `--model` string becomes a model, and the `nlpkit.json` that describes a saved one.

`--model` accepts, in this order: a registered model name (`minilm`), a local
folder (a folder nlpkit saved, with `nlpkit.json`, or any transformers checkpoint
folder), or a Hugging Face hub id. Registered names and backends come from the
registries passed in (default: the loaded plugin manager's).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.device import Placement
from nlpkit.contracts.errors import ModelLoadError, NlpkitError
from nlpkit.contracts.tasks import Head
from nlpkit.resolution import Registries, registries_or_loaded

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task
from nlpkit.contracts.models import FORMAT_VERSION, MODEL_CARD_FILE, NLPKIT_SAVED_FILES, PERSISTED_META, Backend, Model, ModelSpec, log


@dataclass
class ResolvedModel:
    """Where a `--model` string points: backend, source, and saved metadata if any."""

    backend: Backend
    source: str | None
    meta: dict[str, Any]
    spec: ModelSpec | None = None
    #: `source` is a Hugging Face hub id (checked by `nlpkit.engines.hub.check_hub_model`).
    hub: bool = False

def resolve_model(model: str | None, task: Task, *, check_hub: bool = True, registries: Registries | None = None) -> ResolvedModel:
    """Work out backend and source for `model` (see module docstring). A hub id is checked
    at once (offline: a clear error in about a second) unless `check_hub=False`, for
    callers that check it themselves later (`load_model`, after the cheap settings checks)."""
    from nlpkit.engines.hub import check_hub_model
    registries = registries_or_loaded(registries)
    if model is None:
        if task.default_model is None:
            raise NlpkitError(f"task {task.name!r} has no default model; pass --model (a name from `nlpkit models`, a folder or a hub id)")
        model = task.default_model
    backends = registries["backends"]
    if model in registries["models"]:
        spec: ModelSpec = registries["models"].get(model)
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

def load_model(model: str | None, task: Task, *, labels: list[str] | None = None, trust_remote_code: bool = False, device: str | None = None, precision: str | None = None, backend_options: dict[str, Any] | None = None, registries: Registries | None = None) -> Model:
    """Load a model for `task` from a registered name, folder or hub id, and put it on
    `device` at `precision` (`nlpkit.contracts.device.resolve`: by default the accelerator if any, fp32).

    `trust_remote_code=True` lets a checkpoint that ships its own Python code run it
    (off by default: such a folder is refused). `backend_options` are the backend's declared
    options (`Backend.options`, e.g. the transformers backend's ``quantize``), checked here."""
    from nlpkit.engines.hub import check_hub_model

    resolved = resolve_model(model, task, registries=registries, check_hub=False)
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
        from nlpkit.contracts.options import check_options

        options.update(check_options(backend.options, backend_options, owner=f"the {backend.name} backend", command="predict"))
    loaded = backend.load(resolved.source, task, labels=labels, meta=meta, options=options).to(placement)
    log.debug("model %s on %s", resolved.source, placement.describe())
    return loaded

def place(backend: Backend | Model, device: str | None, precision: str | None) -> Placement:
    """Resolve `device`/`precision` for a backend or a loaded model (a CPU-only one falls back to the CPU)."""
    from nlpkit.contracts.device import resolve

    name = backend.name if isinstance(backend, Backend) else backend.backend
    return resolve(device, precision, cpu_only=None if backend.accelerated else name)

def write_model_card(folder: Path, *, task: Task, model: Model, base_model: str | None, files: list[str], extra: dict[str, Any]) -> None:
    """Write `nlpkit.json`, the file that makes a folder loadable with no other flags."""
    import datetime

    from nlpkit.contracts import __version__

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
