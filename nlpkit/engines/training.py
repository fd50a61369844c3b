"""The one fine-tuning recipe, on `transformers.Trainer` (`Seq2SeqTrainer` for seq2seq).

Dynamic padding (the task's collator), length-grouped batches, seeds, optional
early stopping and LoRA (peft, merged back so the saved model is plain), and
checkpoints under the work folder so an interrupted run resumes where it stopped:
every `save_steps` steps, or by default every `SAVE_EVERY_SECONDS` of training, so
any run longer than a few minutes can resume. A checkpoint a kill cut short (no
readable ``trainer_state.json``, or corrupt weights) is skipped for the previous
complete one. Training metrics (loss, runtime, throughput) are recorded for the
whole run, across resumes, not just for the last stretch.
Multi-process runs work under `torchrun` (one node or several); only rank 0 writes (`nlpkit.engines.distributed`, docs/scaling.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.device import Placement, check_training, resolve
from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.tasks import Head

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task
    from nlpkit.engines.backends.transformers import TransformersModel

log = logging.getLogger("nlpkit.engines.training")
#: Default checkpoint interval when no `save_steps` is given.
SAVE_EVERY_SECONDS = 300.0
#: Settings that do not change the trained model (left out of a run's fingerprint).
#: (`device` too: a checkpoint resumes on any device; `precision` counts, it changes the training arithmetic.)
NOT_FINGERPRINTED = ("progress", "save_steps", "logging_steps", "trust_remote_code", "device")
#: Learning-rate schedules `--lr-scheduler` accepts (transformers' `SchedulerType` names that need no
#: eval loop and no extra arguments).
LR_SCHEDULERS = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt")

@dataclass
class TrainConfig:
    """Fine-tuning settings (the `nlpkit finetune` flags)."""

    epochs: float = 3.0
    learning_rate: float = 5e-5
    batch_size: int = 16
    max_steps: int | None = None
    seed: int = 42
    max_length: int = 128
    #: Share of the optimizer steps spent warming the learning rate up from 0, in [0, 1).
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    #: How the learning rate decays after warmup: one of `LR_SCHEDULERS`.
    lr_scheduler: str = "linear"
    #: Batches whose gradients add up to one optimizer step (effective batch = batch_size × this).
    gradient_accumulation_steps: int = 1
    early_stopping_patience: int | None = None
    lora: bool = False
    lora_rank: int = 8
    #: Keep the input (word-piece) embedding matrix as pre-trained. Its dense gradient and
    #: optimizer update are about half of a small encoder's parameters (MiniLM: 11.7M of 22.6M),
    #: so a CPU step is much cheaper; a tied output projection (seq2seq, LM heads) is frozen with it.
    freeze_embeddings: bool = False
    #: Checkpoint every N optimizer steps; None: every `SAVE_EVERY_SECONDS` of training.
    save_steps: int | None = None
    logging_steps: int = 50
    progress: bool = True
    #: Let a checkpoint that ships its own Python code run it (off: such a model is refused).
    trust_remote_code: bool = False
    #: Where to train (`nlpkit.contracts.device`): auto, cpu, cuda, cuda:N or mps; `api.finetune` stores the resolved one.
    device: str = "auto"
    #: fp32, or fp16/bf16 mixed-precision training (CUDA; bf16 also on a CPU with bf16 arithmetic).
    precision: str = "fp32"
    #: Options for the backend (e.g. the scikit-learn pipeline's `C`).
    backend_options: dict[str, Any] = field(default_factory=dict)
    #: Options for the task's `training_features` (``-O key=value``).
    task_options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def last_checkpoint(folder: Path, *, remove_incomplete: bool = False) -> str | None:
    """The newest complete `checkpoint-N` folder under `folder`, if a previous run left one.

    Newer folders a kill or a full disk cut short are skipped (and deleted when
    `remove_incomplete`, so the resumed run can save there again)."""
    if not folder.is_dir():
        return None
    found = sorted((p for p in folder.glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()), key=lambda p: int(p.name.split("-")[-1]), reverse=True)
    for path in found:
        problem = checkpoint_problem(path)
        if problem is None:
            return str(path)
        log.warning("skipping incomplete checkpoint %s (%s)", path.name, problem)
        if remove_incomplete:
            shutil.rmtree(path, ignore_errors=True)
    return None


def checkpoint_problem(path: Path) -> str | None:
    """Why the checkpoint folder `path` cannot be resumed from, or None when it is complete.

    transformers writes ``trainer_state.json`` last, so a readable one means the
    weights, optimizer and scheduler before it were written in full."""
    from nlpkit.contracts.errors import ModelLoadError
    from nlpkit.engines.backends.loading import check_model_folder

    state = path / "trainer_state.json"
    try:
        json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no readable trainer_state.json: interrupted while saving"
    if not any(path.glob("*.safetensors")):
        return "no weights"
    if not any((path / name).exists() for name in ("optimizer.pt", "scheduler.pt")):
        return "no optimizer state"
    try:
        check_model_folder(path, trust_remote_code=True)
    except ModelLoadError as exc:
        return str(exc)
    return None


def train_transformers(task: Task, model: TransformersModel, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path) -> TransformersModel:
    """Fine-tune `model` in place on `train`; checkpoints go to `workdir/checkpoints`."""
    import datasets
    import transformers

    transformers.set_seed(config.seed)
    task.prepare_model(model, model.tokenizer)
    label2id = {label: i for i, label in enumerate(model.labels)} if model.labels else None
    max_length = min(config.max_length, model.max_length)
    special = model.tokenizer.num_special_tokens_to_add(pair=False) if hasattr(model.tokenizer, "num_special_tokens_to_add") else 0
    if max_length <= special:
        raise NlpkitError(f"--max-length {config.max_length} leaves no room for text: {model.source}'s tokenizer adds {special} special tokens; use at least {special + 1}")
    # prediction-only options given to finetune are saved with the model, not training inputs
    # (QA's predict option `max_length` would otherwise clash with the argument of that name)
    stages = {option.name: option.stages for option in task.options}
    train_options = {k: v for k, v in config.task_options.items() if "train" in stages.get(k, ("train",))}
    features = task.training_features(train, model.tokenizer, label2id, max_length, **train_options)
    if not features:
        raise NlpkitError("no training features: the training data is empty")
    train_ds = datasets.Dataset.from_list(features)
    eval_ds = datasets.Dataset.from_list(task.training_features(eval, model.tokenizer, label2id, max_length, **train_options)) if eval else None

    network = model.network
    if config.freeze_embeddings:
        freeze_input_embeddings(network)
    if config.lora:
        network = _with_lora(network, task, config)

    seq2seq = task.head is Head.SEQ2SEQ
    args_class = transformers.Seq2SeqTrainingArguments if seq2seq else transformers.TrainingArguments
    trainer_class = transformers.Seq2SeqTrainer if seq2seq else transformers.Trainer
    stopping = config.early_stopping_patience is not None and eval_ds is not None
    checkpoints = workdir / "checkpoints"
    # `api.finetune` has resolved the device (narrowing CUDA_VISIBLE_DEVICES for cuda:N); resolving
    # its result again must not narrow (CUDA has started by now), so: plain `resolve`
    placement = check_training(resolve(config.device, config.precision))
    args = args_class(
        output_dir=str(checkpoints),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps if config.max_steps else -1,
        learning_rate=config.learning_rate,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size * 2,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        # transformers 5 reads a float below 1 as a share of the steps (`warmup_ratio` is deprecated)
        warmup_steps=float(config.warmup_ratio),
        lr_scheduler_type=config.lr_scheduler,
        weight_decay=config.weight_decay,
        seed=config.seed,
        data_seed=config.seed,
        train_sampling_strategy="group_by_length",
        length_column_name="length",
        save_strategy="epoch" if stopping else "steps",
        save_steps=config.save_steps or 10**9,  # None: the time-based callback decides
        save_total_limit=2 if stopping else 1,
        eval_strategy="epoch" if stopping else "no",
        load_best_model_at_end=stopping,
        metric_for_best_model="eval_loss" if stopping else None,
        logging_steps=config.logging_steps,
        report_to="none",
        disable_tqdm=not config.progress,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        # under torchrun: True scales every loss by the world size for models that accept loss
        # kwargs but ignore them (BERT classifiers: a mean cross-entropy), doubling gradients and the
        # reported loss on 2 ranks; False keeps each rank's mean loss, which DDP averages. No-op in 1 process.
        average_tokens_across_devices=False,
        **device_arguments(placement),
    )
    ledger = _ledger_callback(SAVE_EVERY_SECONDS if config.save_steps is None and not stopping else None)
    callbacks = [transformers.EarlyStoppingCallback(config.early_stopping_patience)] if stopping else []
    callbacks.append(ledger)
    callbacks.append(_log_lines_callback(transformers, config.progress))
    trainer = trainer_class(
        model=network,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        data_collator=task.data_collator(model.tokenizer),
        processing_class=model.tokenizer,
        callbacks=callbacks,
    )
    if getattr(model, "learning_rates", None) and not config.lora:
        _per_prefix_learning_rates(trainer, network, model.learning_rates)
    # The stock callbacks print each log as a Python dict on stdout; ours writes status lines to stderr.
    trainer.remove_callback(transformers.PrinterCallback)
    if config.progress:
        trainer.remove_callback(transformers.trainer_callback.ProgressCallback)
        trainer.add_callback(_quiet_progress_callback(transformers))
    resume = last_checkpoint(checkpoints, remove_incomplete=True)
    result = trainer.train(resume_from_checkpoint=resume)
    if config.lora:
        network = trainer.model.merge_and_unload()
    model.network = network.eval()
    model.to(replace(placement, precision="fp32"))  # mixed precision keeps fp32 weights
    metrics = {k: v for k, v in result.metrics.items() if isinstance(v, (int, float))}
    model.meta["train_metrics"] = {**metrics, **whole_run_metrics(trainer.state.log_history, trainer.state.global_step, ledger.seconds(), metrics), "gpus": args.n_gpu}
    model.meta["train_examples"] = len(train_ds)
    model.meta["resumed_from_step"] = ledger.resumed_from_step
    model.meta["seconds_before_resume"] = ledger.seconds_before
    return model


def freeze_input_embeddings(network: Any) -> None:
    """Stop training `network`'s input embedding matrix (`TrainConfig.freeze_embeddings`)."""
    embeddings = network.get_input_embeddings() if hasattr(network, "get_input_embeddings") else None
    if embeddings is None or getattr(embeddings, "weight", None) is None:
        raise NlpkitError(f"freeze_embeddings: {type(network).__name__} has no input embedding matrix to freeze; train without freeze_embeddings")
    embeddings.weight.requires_grad_(False)


def whole_run_metrics(log_history: list[dict[str, Any]], steps: int, seconds: float, segment: dict[str, Any]) -> dict[str, float]:
    """train_loss, runtime and throughput of the whole run, from the loss windows logged
    at every save and at the end (kept in each checkpoint) and the seconds of all segments.

    transformers reports these for the last `train()` call only, which after a resume
    is just the stretch since the checkpoint."""
    total, previous = 0.0, 0
    for entry in log_history:
        if "loss" in entry and "step" in entry:
            total += float(entry["loss"]) * (int(entry["step"]) - previous)
            previous = int(entry["step"])
    out: dict[str, float] = {"train_runtime": seconds}
    if steps and previous == steps:
        out["train_loss"] = total / steps
    if seconds and segment.get("train_steps_per_second"):
        samples_per_step = segment.get("train_samples_per_second", 0) / segment["train_steps_per_second"]
        out["train_steps_per_second"] = steps / seconds
        out["train_samples_per_second"] = samples_per_step * steps / seconds
    return out


def _ledger_callback(every_seconds: float | None) -> Any:
    """A callback that checkpoints every `every_seconds` (when set), logs the loss window at
    every save and at the last step (so the log in each checkpoint covers every step), and
    carries the training seconds of earlier segments through checkpoints."""
    from transformers import TrainerCallback
    from transformers.trainer_callback import ExportableState

    class RunLedger(TrainerCallback, ExportableState):
        def __init__(self) -> None:
            self.seconds_before = 0.0
            self.resumed_from_step: int | None = None
            self.started = time.perf_counter()
            self.last_save = self.started

        def seconds(self) -> float:
            return self.seconds_before + time.perf_counter() - self.started

        def state(self) -> dict[str, Any]:
            return {"args": {}, "attributes": {"seconds": self.seconds()}}

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.started = self.last_save = time.perf_counter()
            saved = (state.stateful_callbacks or {}).get(type(self).__name__) if state.global_step else None
            if isinstance(saved, dict):
                self.seconds_before = float(saved.get("attributes", {}).get("seconds", 0.0))
                self.resumed_from_step = state.global_step

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if every_seconds is not None and time.perf_counter() - self.last_save >= every_seconds:
                control.should_save = True
            if control.should_save or state.global_step >= state.max_steps:
                control.should_log = True

        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.last_save = time.perf_counter()

    return RunLedger()


def _format_logs(logs: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in logs.items() if k != "total_flos")


def _log_lines_callback(transformers: Any, progress: bool) -> Any:
    """One status line per phase and per logging step, on the ``nlpkit`` logger (stderr)."""
    import logging

    log = logging.getLogger("nlpkit")

    class LogLines(transformers.TrainerCallback):  # type: ignore[misc,name-defined]
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                epochs = getattr(state, "num_train_epochs", None) or args.num_train_epochs
                log.info(f"training: {state.max_steps} steps, {epochs:g} epoch(s), batch size {args.per_device_train_batch_size}")

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
            if not (state.is_world_process_zero and logs):
                return
            if "train_runtime" in logs:  # the closing summary
                loss = f", mean loss {logs['train_loss']:.4f}" if isinstance(logs.get("train_loss"), float) else ""
                log.info(f"trained {state.global_step} steps in {logs['train_runtime']:.1f} s{loss}")
            elif not progress:
                log.info(f"step {state.global_step}/{state.max_steps}: {_format_logs(logs)}")

    return LogLines()


def _quiet_progress_callback(transformers: Any) -> Any:
    """transformers' progress bar, writing its log lines to stderr instead of stdout."""
    import sys

    class Progress(transformers.trainer_callback.ProgressCallback):  # type: ignore[misc,name-defined]
        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
            if state.is_world_process_zero and self.training_bar is not None and logs:
                self.training_bar.write(_format_logs(logs), file=sys.stderr)

    return Progress()


def _per_prefix_learning_rates(trainer: Any, network: Any, rates: dict[str, float]) -> None:
    """Give parameters whose names start with a prefix of `rates` (or have it after a dot) that learning rate (a fresh
    decoder learns faster than a pre-trained encoder may move); the rest keep the Trainer's.
    Weight decay and the optimizer are the Trainer's; its scheduler scales every group alike."""
    args = trainer.args
    decay = set(trainer.get_decay_parameter_names(network))
    groups: dict[tuple[float, float], list[Any]] = {}
    for name, param in network.named_parameters():
        if not param.requires_grad:
            continue
        lr = next((rate for prefix, rate in rates.items() if name.startswith(prefix) or f".{prefix}" in name), args.learning_rate)  # BART: model.decoder.*
        groups.setdefault((lr, args.weight_decay if name in decay else 0.0), []).append(param)
    optimizer_cls, kwargs = trainer.get_optimizer_cls_and_kwargs(args, network)
    params = [{"params": ps, "lr": lr, "weight_decay": wd} for (lr, wd), ps in groups.items()]
    trainer.optimizer_cls_and_kwargs = (optimizer_cls, {**kwargs, "params": params})


def _with_lora(network: Any, task: Task, config: TrainConfig) -> Any:
    from peft import LoraConfig, TaskType, get_peft_model

    task_types = {
        Head.SEQUENCE_CLASSIFICATION: TaskType.SEQ_CLS,
        Head.TOKEN_CLASSIFICATION: TaskType.TOKEN_CLS,
        Head.SPAN_EXTRACTION: TaskType.QUESTION_ANS,
        Head.SEQ2SEQ: TaskType.SEQ_2_SEQ_LM,
    }
    lora = LoraConfig(task_type=task_types[task.head], r=config.lora_rank, lora_alpha=2 * config.lora_rank, lora_dropout=0.1, target_modules="all-linear")
    return get_peft_model(network, lora)


def device_arguments(placement: Placement) -> dict[str, Any]:
    """`TrainingArguments` for `placement`: `use_cpu` for the CPU (else the Trainer takes
    CUDA or MPS by itself), mixed precision on CUDA (bf16 also on the CPU: `check_training`
    allows it only where the CPU has bf16 arithmetic) and pinned host memory on CUDA only."""
    cuda = placement.kind == "cuda"
    return {
        "use_cpu": placement.kind == "cpu",
        "fp16": cuda and placement.precision == "fp16",
        "bf16": placement.kind in ("cuda", "cpu") and placement.precision == "bf16",
        "dataloader_pin_memory": cuda,
    }


# -- the work folder: lock, fingerprint, starting over ------------------------------------
RUN_STAMP = "run.json"


class StaleWorkError(NlpkitError):
    """``OUTPUT.partial`` holds work of another run (other settings or data)."""


def run_fingerprint(task: str, model: str | None, config: TrainConfig, train: Sequence[Any], eval: Sequence[Any] | None) -> dict[str, Any]:
    """What makes a run this run: task, base model, settings that change the model, and
    hashes of the training (and, with early stopping, evaluation) examples."""
    import hashlib

    def digest(examples: Sequence[Any] | None) -> str | None:
        if examples is None:
            return None
        h = hashlib.sha256()
        for example in examples:
            h.update(repr(example).encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        return f"{len(examples)} examples, sha256 {h.hexdigest()[:16]}"

    settings = {k: v for k, v in config.to_dict().items() if k not in NOT_FINGERPRINTED}
    parts = {"task": task, "model": model, "settings": settings, "train": digest(train), "eval": digest(eval) if config.early_stopping_patience is not None else None}
    parts["fingerprint"] = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return parts


@contextlib.contextmanager
def work_folder(output: Path, run: dict[str, Any], *, overwrite: bool = False) -> Iterator[Path]:
    """``OUTPUT.partial``, locked for this process, holding only work of this same run.

    A second run on the same output fails at once (an exclusive `flock`); work left by
    a run with another fingerprint is refused unless `overwrite` (which clears it)."""
    import fcntl

    workdir = output.with_name(output.name + ".partial")
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        handle = os.open(workdir, os.O_RDONLY)
    except OSError as exc:
        raise NlpkitError(f"--output {output}: cannot create {workdir} ({exc.strerror or exc}); choose a writable place") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NlpkitError(f"--output {output}: another fine-tune is writing there now (it holds {workdir}); wait for it or choose another --output") from None
        if overwrite:
            for child in workdir.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        _check_stamp(workdir, run)
        try:
            (workdir / RUN_STAMP).write_text(json.dumps(run, indent=2, default=str) + "\n", encoding="utf-8")
        except OSError as exc:
            raise NlpkitError(f"--output {output}: cannot write in {workdir} ({exc.strerror or exc}); choose a writable place") from None
        yield workdir
    finally:
        os.close(handle)  # releases the lock


def _check_stamp(workdir: Path, run: dict[str, Any]) -> None:
    stamp = workdir / RUN_STAMP
    start_over = "pass --overwrite to discard it and start over, or choose another --output"
    try:
        previous = json.loads(stamp.read_text(encoding="utf-8"))
    except FileNotFoundError:
        previous = None
    except (OSError, ValueError):
        previous = {}
    if previous is None:
        if any(workdir.iterdir()):
            raise StaleWorkError(f"{workdir} holds work of an unknown earlier run (no {RUN_STAMP}); {start_over}")
        return
    if previous.get("fingerprint") == run["fingerprint"]:
        return
    changed = [key for key in ("task", "model", "train", "eval") if previous.get(key) != run.get(key)]
    old, new = previous.get("settings", {}), run.get("settings", {})
    changed += [f"--{key.replace('_', '-')} {old.get(key)!r} → {new.get(key)!r}" for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    raise StaleWorkError(f"{workdir} holds an interrupted run with other settings or data ({', '.join(changed) or 'unknown differences'}); resuming it would mix two runs: {start_over}")
