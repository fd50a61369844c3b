"""The Python API: what the CLI calls, and what users call from their own code.

    import nlpkit
    records = nlpkit.predict("sentiment", ["a gem of a film"], model="runs/sst2")
    result = nlpkit.evaluate("sentiment", model="runs/sst2", data="sst2:dev", data_dir="../shared/data")
    nlpkit.finetune("sentiment", model="minilm", train="sst2:train", output="runs/sst2", data_dir=...)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.resolution.tasks import get_task, list_tasks  # noqa: F401 (list_tasks: part of the API)

log = logging.getLogger("nlpkit.contracts.device")

if TYPE_CHECKING:
    from nlpkit.contracts.device import Placement
    from nlpkit.contracts.models import Model
    from nlpkit.contracts.tasks import Record, Task
    from nlpkit.engines.inference import InferenceStats
    from nlpkit.engines.training import TrainConfig

#: Phase lines ("fine-tuning…", "scoring…"); the CLI shows them on stderr.
_log = logging.getLogger("nlpkit")


def task_options(task: Task, options: dict[str, Any] | None, command: str) -> dict[str, Any]:
    """`options` checked against what `task` declares for `command` (typed; unknown names,
    wrong types and training-only options at predict time are errors)."""
    from nlpkit.contracts.options import check_options

    return check_options(task.options, options, owner=f"task {task.name!r}", command=command)


def split_options(task: Task, model: str | Model | None, options: dict[str, Any] | None, command: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(task options, backend options) among `options`: a name the task does not declare but the
    model's backend does goes to the backend's loader (``-O quantize=int8``); each is checked."""
    from nlpkit.contracts.models import Model
    from nlpkit.contracts.options import split_backend_options
    from nlpkit.resolution.models import resolve_model

    declared = {option.name for option in task.options}
    if not options or all(name in declared for name in options) or isinstance(model, Model):
        return task_options(task, options, command), {}
    try:
        backend = resolve_model(model, task, check_hub=False).backend
    except NlpkitError:  # a wrong model too: the option error comes first, as for any other option
        return task_options(task, options, command), {}
    at_predict = [option for option in backend.options if "predict" in option.stages]  # training-only ones do not apply here
    if not at_predict:
        return task_options(task, options, command), {}
    return split_backend_options(task.options, at_predict, options, task=task.name, backend=backend.name, command=command)


def read_options(task: Task, options: dict[str, Any]) -> dict[str, Any]:
    """The read-stage options among `options` (reader hints such as ``scheme=iob1``)."""
    stages = {option.name: option.stages for option in task.options}
    return {k: v for k, v in options.items() if "read" in stages.get(k, ())}


def _model_for(task: Task, model: str | Model | None, device: str | None = None, precision: str | None = None, trust_remote_code: bool = False, allow_untrained_head: bool = False, backend_options: dict[str, Any] | None = None) -> Model:
    """Load `model` onto `device` (default: auto); a loaded model moves only when a device or
    precision is given. A freshly initialised head is refused unless `allow_untrained_head`."""
    from nlpkit.contracts.models import Model
    from nlpkit.resolution.models import load_model, place, refuse_untrained_head, resolve_model

    if not isinstance(model, Model):
        if not allow_untrained_head:
            source = resolve_model(model, task, check_hub=False).source
            if source is not None and Path(source).is_dir():
                refuse_untrained_head(source, task, model)  # a local checkpoint: before the slow load
        loaded = load_model(model, task, device=device, precision=precision, trust_remote_code=trust_remote_code, backend_options=backend_options)
        if not allow_untrained_head:
            refuse_untrained_head(loaded, task, model)  # a hub checkpoint: its config arrives with it
        return loaded
    if device is None and precision is None:
        return model
    return model.to(place(model, device, precision))


def predict(
    task: str | Task,
    inputs: Sequence[Any] | Sequence[str],
    *,
    model: str | Model | None = None,
    batch_size: int = 32,
    stats: InferenceStats | None = None,
    progress: bool = False,
    options: dict[str, Any] | None = None,
    device: str | None = None,
    precision: str | None = None,
    trust_remote_code: bool = False,
    allow_untrained_head: bool = False,
) -> list[Record]:
    """Predict one record per input. Strings are parsed with the task's `parse_inputs`;
    `options` are the task's declared options (`nlpkit task NAME`), checked before the model loads.
    `device` (auto, cpu, cuda, cuda:N, mps) and `precision` (fp32, fp16, bf16, auto) say
    where the model computes (`nlpkit.contracts.device`). `trust_remote_code` lets a checkpoint run
    its own Python code (refused by default). A model whose head for the task is untrained
    (a bare encoder) is refused unless `allow_untrained_head`."""
    task = get_task(task)
    check_settings(batch_size=batch_size)
    options, backend_options = split_options(task, model, options, "predict")
    if inputs and all(isinstance(x, str) for x in inputs):
        inputs = task.parse_inputs(list(inputs))  # type: ignore[arg-type]
    if not inputs:
        return []
    return task.predict(_model_for(task, model, device, precision, trust_remote_code, allow_untrained_head, backend_options), list(inputs), batch_size=batch_size, stats=stats, progress=progress, **(options or {}))


def predict_file(
    task: str | Task,
    input: str | Path,
    output: str | Path,
    *,
    model: str | Model | None = None,
    batch_size: int = 32,
    chunk_size: int = 1000,
    overwrite: bool = False,
    stats: InferenceStats | None = None,
    options: dict[str, Any] | None = None,
    device: str | None = None,
    precision: str | None = None,
    trust_remote_code: bool = False,
    allow_untrained_head: bool = False,
    on_chunk: Any = None,
    executor: str = "serial",
    workers: int = 2,
    address: str | None = None,
) -> Any:
    """Predict every input of the file `input` into JSON lines at `output`, streaming: `chunk_size`
    inputs are held at a time, so memory does not grow with the file. Order is kept. Rerunning
    after a kill resumes where the output stopped (``OUTPUT.progress.json`` holds the input
    fingerprint; a different input or settings is refused unless `overwrite`). `executor="ray"`
    predicts chunks on `workers` Ray actors (`address` as for `bench`), output still in order. Returns a
    `nlpkit.engines.streaming.StreamResult`. Other arguments as for `predict`."""
    from nlpkit.engines.streaming import stream_predict

    task = get_task(task)
    check_settings(batch_size=batch_size, chunk_size=chunk_size)
    options, backend_options = split_options(task, model, options, "predict")
    from nlpkit.contracts.models import Model

    model_id = model if not isinstance(model, Model) else f"{type(model).__name__}:{getattr(model, 'source', None) or getattr(model, 'name', '?')}"
    if isinstance(model_id, str) and Path(model_id).exists():
        model_id = str(Path(model_id).resolve())
    settings = {"task": task.name, "model": model_id, "options": {**options, **backend_options}, "batch_size": batch_size, "precision": precision}
    loaded: list[Model] = []

    def run(inputs: Sequence[Any]) -> list[Record]:
        if not loaded:  # loaded at the first chunk: a refused resume fails before the slow load
            loaded.append(_model_for(task, model, device, precision, trust_remote_code, allow_untrained_head, backend_options))
        return task.predict(loaded[0], list(inputs), batch_size=batch_size, stats=stats, **(options or {}))

    map_chunks = None
    if executor == "ray":  # chunks predicted on `workers` Ray actors, one model each; one ordered output here
        from nlpkit.engines.streaming import ray_chunks

        name = task.name
        map_chunks = ray_chunks(
            lambda: _model_for(get_task(name), model, device, precision, trust_remote_code, allow_untrained_head, backend_options),
            lambda loaded_model, inputs: get_task(name).predict(loaded_model, list(inputs), batch_size=batch_size, **(options or {})),
            workers=workers, address=address,
        )
    elif executor != "serial":
        raise NlpkitError(f"unknown executor {executor!r}; choose serial or ray")
    return stream_predict(task, Path(input), Path(output), run, settings=settings, chunk_size=chunk_size, overwrite=overwrite, on_chunk=on_chunk, map_chunks=map_chunks)


@dataclass
class Evaluation:
    """Scores of one model on one dataset, and the predictions behind them."""

    task: str
    metrics: dict[str, dict[str, Any]]
    predictions: list[Any] = field(repr=False)
    examples: list[Any] = field(repr=False)
    seconds: float = 0.0
    #: Gold label → model label, where the data spells labels differently (``"0"`` → ``"negative"``).
    label_mapping: dict[str, str] = field(default_factory=dict)
    #: Where the model computed (`Placement.to_dict()`).
    device: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {"task": self.task, "metrics": self.metrics, "examples": len(self.examples), "seconds": self.seconds, "device": self.device}
        if self.label_mapping:
            out["label_mapping"] = self.label_mapping
        return out


def score(task: str | Task, predictions: Sequence[Any], examples: Sequence[Any], metrics: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """Score predictions against the gold examples with each metric."""
    from nlpkit.resolution import metrics as metric_registry

    task = get_task(task)
    for example in examples:
        task.check_example_for_scoring(example)
    out = {}
    for name in metrics or task.default_metrics:
        preds, refs, kwargs = task.metric_inputs(name, predictions, examples)
        out[name] = metric_registry.score(name, preds, refs, **kwargs)
    return out


def evaluate(
    task: str | Task,
    *,
    model: str | Model | None,
    data: str | Path | Sequence[Any],
    data_dir: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    limit: int | None = None,
    batch_size: int = 32,
    progress: bool = False,
    options: dict[str, Any] | None = None,
    device: str | None = None,
    precision: str | None = None,
    trust_remote_code: bool = False,
    allow_untrained_head: bool = False,
) -> Evaluation:
    """Predict on labelled data and score it (`device`/`precision`, and the refusal of an
    untrained head, as in `predict`).

    Gold labels spelled differently from the model's are mapped when the mapping is
    unambiguous (recorded in `Evaluation.label_mapping`), else refused before predicting."""
    from nlpkit.resolution.data import load_examples
    from nlpkit.resolution.metrics import get_metric_spec

    task = get_task(task)
    check_settings(limit=limit, batch_size=batch_size)
    options, backend_options = split_options(task, model, options, "evaluate")
    for name in metrics or ():
        get_metric_spec(name)  # unknown metric: fail before the slow part
    examples = list(data) if isinstance(data, Sequence) and not isinstance(data, str) else load_examples(task, data, data_dir=data_dir, limit=limit, read_options=read_options(task, options))
    for example in examples:
        task.check_example_for_scoring(example)
    loaded = _model_for(task, model, device, precision, trust_remote_code, allow_untrained_head, backend_options)
    examples, mapping = align_labels(loaded, examples, data if isinstance(data, (str, Path)) else "the data")
    start = time.perf_counter()
    predictions = task.predict(loaded, examples, batch_size=batch_size, progress=progress, **options)
    seconds = time.perf_counter() - start
    return Evaluation(task.name, score(task, predictions, examples, metrics), predictions, examples, seconds, mapping, loaded.placement.to_dict())


def align_labels(model: Model, examples: Sequence[Any], data: Any = "the data") -> tuple[list[Any], dict[str, str]]:
    """`examples` with gold labels renamed to the model's, and the mapping used (see `nlpkit.engines.labels`)."""
    from nlpkit.engines.labels import align_examples, gold_labels, label_mapping

    if not model.labels:
        return list(examples), {}
    mapping = label_mapping(gold_labels(examples), model.labels, source=str(model.source), data=str(data))
    return align_examples(examples, mapping), mapping


def check_settings(*, spell: Callable[[str], str] | None = None, **values: Any) -> None:
    """Refuse meaningless settings up front: `NlpkitError` naming the setting, its value and the rule.

    `spell` names a setting in the message (default: its command-line flag; a suite passes its key)."""
    from nlpkit.engines.training import LR_SCHEDULERS

    rules: dict[str, tuple[Callable[[Any], bool], str]] = {
        "limit": (lambda v: v >= 0, "0 or more"),
        "batch_size": (lambda v: v >= 1, "at least 1"),
        "chunk_size": (lambda v: v >= 1, "at least 1"),
        "epochs": (lambda v: v > 0, "above 0"),
        "learning_rate": (lambda v: v > 0, "above 0"),
        "max_steps": (lambda v: v >= 1, "at least 1"),
        "max_length": (lambda v: v >= 1, "at least 1"),
        "train_limit": (lambda v: v >= 1, "at least 1"),
        "eval_limit": (lambda v: v >= 1, "at least 1"),
        "save_steps": (lambda v: v >= 1, "at least 1"),
        "gradient_accumulation_steps": (lambda v: v >= 1, "at least 1"),
        "early_stopping_patience": (lambda v: v >= 1, "at least 1"),
        # transformers reads warmup_steps >= 1 as a step count, so a ratio must stay below 1
        "warmup_ratio": (lambda v: 0 <= v < 1, "at least 0 and below 1 (a share of the training steps)"),
        "weight_decay": (lambda v: v >= 0, "0 or more"),
        "lr_scheduler": (lambda v: v in LR_SCHEDULERS, f"one of {', '.join(LR_SCHEDULERS)}"),
    }
    flags = {"learning_rate": "lr", "early_stopping_patience": "early-stopping", "gradient_accumulation_steps": "grad-accum"}
    for name, value in values.items():
        if value is None or name not in rules:
            continue
        ok, rule = rules[name]
        if not ok(value):
            where = spell(name) if spell else "--" + flags.get(name, name.replace("_", "-"))
            raise NlpkitError(f"{where} must be {rule}, not {value!r}")


@dataclass
class FinetuneResult:
    """Where the fine-tuned model went, and how it scored on the eval data."""

    output: Path
    metrics: dict[str, Any]
    train_seconds: float
    train_examples: int
    #: Where it was trained (`Placement.to_dict()`).
    device: dict[str, Any] = field(default_factory=dict)


def finetune(
    task: str | Task,
    *,
    model: str,
    train: str | Path | Sequence[Any],
    output: str | Path,
    eval: str | Path | Sequence[Any] | None = None,
    data_dir: str | Path | None = None,
    config: TrainConfig | None = None,
    train_limit: int | None = None,
    eval_limit: int | None = None,
    overwrite: bool = False,
    device: str | None = None,
    precision: str | None = None,
) -> FinetuneResult:
    """Fine-tune `model` on `train` and save a self-describing folder at `output`.

    Work happens in ``OUTPUT.partial/`` (checkpoints included, so a re-run after an
    interruption resumes); the finished folder appears at `output` in one rename,
    so a folder at `output` is always complete. `device`/`precision` (default: the
    config's, i.e. auto and fp32) pick where to train (`nlpkit.contracts.device.resolve_for_training`);
    fp16/bf16 train in mixed precision on CUDA (bf16 also on a CPU with bf16 arithmetic). The model card records the placement.
    """
    from nlpkit.contracts.device import resolve_for_training
    from nlpkit.contracts.models import MODEL_CARD_FILE
    from nlpkit.contracts.options import split_backend_options
    from nlpkit.engines import distributed
    from nlpkit.engines.training import TrainConfig, run_fingerprint
    from nlpkit.resolution.data import load_examples
    from nlpkit.resolution.models import require_libraries, resolve_model, write_model_card

    task = get_task(task)
    config = config or TrainConfig()
    check_settings(
        epochs=config.epochs, learning_rate=config.learning_rate, batch_size=config.batch_size, max_steps=config.max_steps, max_length=config.max_length,
        save_steps=config.save_steps, gradient_accumulation_steps=config.gradient_accumulation_steps, train_limit=train_limit, eval_limit=eval_limit,
        early_stopping_patience=config.early_stopping_patience, warmup_ratio=config.warmup_ratio, weight_decay=config.weight_decay, lr_scheduler=config.lr_scheduler,
    )
    output = Path(output).expanduser()
    if output.exists() and not output.is_dir():
        raise NlpkitError(f"--output {output} is a file; fine-tuning writes a folder there: choose another name")
    if output.exists() and any(output.iterdir()):
        if not overwrite:
            raise NlpkitError(f"{output} already exists and is not empty; choose another --output or pass --overwrite")
    resolved = resolve_model(model, task)  # fail on a bad model name before reading data
    require_libraries(resolved.backend)
    # -O values: the task's and the backend's, typed; saved in nlpkit.json as training.task_options
    given = {**config.task_options, **config.backend_options}
    for_task, for_backend = split_backend_options(task.options, resolved.backend.options, given, task=task.name, backend=resolved.backend.name, command="finetune")
    backend = resolved.backend
    placement = resolve_for_training(device or config.device, precision or config.precision, cpu_only=None if backend.accelerated else backend.name)
    log.debug("fine-tuning on %s", placement.describe())
    config = replace(config, task_options=for_task, backend_options=for_backend, device=placement.device, precision=placement.precision)

    def examples_of(data: Any, limit: int | None) -> list[Any]:
        if isinstance(data, Sequence) and not isinstance(data, str):
            return list(data)[:limit] if limit else list(data)
        return load_examples(task, data, data_dir=data_dir, limit=limit, read_options=read_options(task, for_task))

    train_examples = examples_of(train, train_limit)
    eval_examples = examples_of(eval, eval_limit) if eval is not None else None
    labels = task.label_set(train_examples)
    stages = {option.name: option.stages for option in task.options}
    learned = task.learn_from_data(train_examples, **{k: v for k, v in for_task.items() if "train" in stages.get(k, ("train",))})
    if eval_examples and labels:
        _check_labels(eval_examples, labels, "eval")

    run = run_fingerprint(task.name, resolved.source, config, train_examples, eval_examples)
    distributed.ensure_process_group(placement.device)
    with _rank_work_folder(output, run, overwrite) as (workdir, complete):
        staging = workdir / "model"
        if complete:  # interrupted at the final rename: the model is complete

            def publish_done() -> FinetuneResult:
                done = json.loads((staging / "metrics.json").read_text(encoding="utf-8"))
                _publish(staging, output, workdir)
                return FinetuneResult(output, done.get("eval", {}), float(done.get("train", {}).get("seconds", 0.0)), len(train_examples), placement.to_dict())

            return distributed.on_main(publish_done)
        _log.info(f"fine-tuning {model} for {task.name} on {len(train_examples)} examples ({resolved.backend.name} backend)")
        start = time.perf_counter()
        trained = resolved.backend.finetune(task, resolved.source, train_examples, eval_examples, config, workdir, labels)  # every rank
        train_seconds = time.perf_counter() - start + float(trained.meta.pop("seconds_before_resume", 0.0) or 0.0)
        trained.meta.pop("learned", None)  # a base model fine-tuned before learned from other data
        if learned:
            trained.meta["learned"] = learned  # saved with the model (PERSISTED_META), used by --eval below

        def save_and_publish() -> FinetuneResult:  # rank 0 only: one writer
            if staging.exists():
                shutil.rmtree(staging)
            try:
                files = trained.save(staging)  # before `evaluate` casts the weights to the inference precision
                metrics: dict[str, Any] = {}
                if eval_examples:
                    _log.info(f"scoring {len(eval_examples)} evaluation examples")
                    predict_options = {k: v for k, v in for_task.items() if "predict" in next(o.stages for o in task.options if o.name == k)}
                    evaluation = evaluate(task, model=trained, data=eval_examples, batch_size=config.batch_size * 2, options=predict_options, device=placement.device, precision=placement.precision)
                    metrics = evaluation.metrics
                passes = config.max_steps * config.batch_size * config.gradient_accumulation_steps / len(train_examples) if config.max_steps else config.epochs
                train_info = {"seconds": train_seconds, "examples": len(train_examples), "examples_per_second": len(train_examples) * passes / train_seconds if train_seconds else None, "processes": distributed.world_size(), **trained.meta.get("train_metrics", {})}
                (staging / "metrics.json").write_text(json.dumps({"eval": metrics, "train": train_info}, indent=2) + "\n", encoding="utf-8")
                (staging / "training_args.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n", encoding="utf-8")
                (staging / "README.md").write_text(_model_card(task, trained, resolved.source, train, eval, config, metrics, train_info, placement), encoding="utf-8")
                files += ["metrics.json", "training_args.json", "README.md"]
                write_model_card(staging, task=task, model=trained, base_model=resolved.source, files=files, extra={"training": config.to_dict(), "metrics": metrics, "device": placement.to_dict()})
            except OSError as exc:  # a full disk: no half-written model left, the checkpoints stay for a rerun
                shutil.rmtree(staging, ignore_errors=True)
                raise NlpkitError(f"--output {output}: saving the model failed ({exc.strerror or exc}); free space and run the same command again to resume") from None
            _publish(staging, output, workdir)
            return FinetuneResult(output, metrics, train_seconds, len(train_examples), placement.to_dict())

        return distributed.on_main(save_and_publish)


@contextlib.contextmanager
def _rank_work_folder(output: Path, run: dict[str, Any], overwrite: bool) -> Iterator[tuple[Path, bool]]:
    """(``OUTPUT.partial``, whether it holds a complete model) on every rank; only rank 0 takes
    the lock, clears it on `overwrite` and checks its stamp (`work_folder`); the other ranks
    use the same folder (shared storage across nodes) once rank 0 says it is ready, or raise its error."""
    from nlpkit.contracts.models import MODEL_CARD_FILE
    from nlpkit.engines import distributed
    from nlpkit.engines.training import work_folder

    if distributed.world_size() == 1:
        with work_folder(output, run, overwrite=overwrite) as workdir:
            yield workdir, (workdir / "model" / MODEL_CARD_FILE).exists()
        return
    if not distributed.is_main():
        status, value = distributed.share(None)
        if status == "error":
            raise NlpkitError(f"rank 0 failed: {value}")
        yield output.with_name(output.name + ".partial"), bool(value)
        return
    with contextlib.ExitStack() as stack:
        try:
            workdir = stack.enter_context(work_folder(output, run, overwrite=overwrite))
            complete = (workdir / "model" / MODEL_CARD_FILE).exists()
        except BaseException as exc:
            distributed.share(("error", str(exc) or type(exc).__name__))
            raise
        distributed.share(("ok", complete))
        yield workdir, complete


def _publish(staging: Path, output: Path, workdir: Path) -> None:
    """Move the complete model to `output` in one rename, then drop the work folder."""
    if output.exists():
        shutil.rmtree(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, output)
    shutil.rmtree(workdir, ignore_errors=True)


def _check_labels(examples: Sequence[Any], labels: list[str], what: str) -> None:
    known = set(labels)
    for example in examples:
        label = getattr(example, "label", None)
        if label is not None and label not in known:
            raise DataError(getattr(example, "source", None) or what, f"label {label!r} does not occur in the training data ({', '.join(sorted(known))})", field="label")


def _model_card(task: Task, model: Model, base: str | None, train: Any, eval: Any, config: TrainConfig, metrics: dict[str, Any], train_info: dict[str, Any], placement: Placement) -> str:
    def describe(data: Any) -> str:
        return f"{len(data)} in-memory examples" if isinstance(data, Sequence) and not isinstance(data, str) else str(data)

    lines = [
        f"# {task.name} model fine-tuned with nlpkit",
        "",
        f"- task: `{task.name}` ({task.head})",
        f"- backend: `{model.backend}`; base model: `{base}`",
        f"- labels: {', '.join(model.labels) if model.labels else 'n/a'}",
        f"- training data: {describe(train)} ({train_info['examples']} examples, {train_info['seconds']:.1f} s)",
        f"- evaluation data: {describe(eval) if eval is not None else 'none'}",
        f"- settings: epochs={config.epochs}, lr={config.learning_rate}, batch size={config.batch_size}, max steps={config.max_steps}, seed={config.seed}",
        f"- schedule: {config.lr_scheduler}, warmup ratio={config.warmup_ratio}, weight decay={config.weight_decay}, gradient accumulation={config.gradient_accumulation_steps}",
        f"- trained on: {placement.describe()}",
        "",
        "## Scores",
        "",
    ]
    if metrics:
        lines += ["| metric | value |", "|---|---|"]
        for name, result in metrics.items():
            for key, value in result.items():
                if isinstance(value, float):
                    lines.append(f"| {name}.{key} | {value:.4f} |")
    else:
        lines.append("No evaluation data was given.")
    lines += ["", f"Use it: `nlpkit predict {task.name} --model THIS_FOLDER \"some text\"`", ""]
    return "\n".join(lines)
