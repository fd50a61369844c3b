"""The one fine-tuning recipe, on `transformers.Trainer` (`Seq2SeqTrainer` for seq2seq).

Dynamic padding (the task's collator), length-grouped batches, seeds, optional
early stopping and LoRA (peft, merged back so the saved model is plain), and
checkpoints under the work folder so an interrupted run resumes where it stopped.
Multi-process runs work unchanged under `torchrun` / `accelerate launch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.errors import NlpkitError
from nlpkit.tasks import Head

if TYPE_CHECKING:
    from nlpkit.backends.transformers import TransformersModel
    from nlpkit.tasks import Task


@dataclass
class TrainConfig:
    """Fine-tuning settings (the `nlpkit finetune` flags)."""

    epochs: float = 3.0
    learning_rate: float = 5e-5
    batch_size: int = 16
    max_steps: int | None = None
    seed: int = 42
    max_length: int = 128
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    gradient_accumulation_steps: int = 1
    early_stopping_patience: int | None = None
    lora: bool = False
    lora_rank: int = 8
    save_steps: int = 500
    logging_steps: int = 50
    progress: bool = True
    #: Options for the backend (e.g. the scikit-learn pipeline's `C`).
    backend_options: dict[str, Any] = field(default_factory=dict)
    #: Options for the task's `training_features` (``-O key=value``).
    task_options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def last_checkpoint(folder: Path) -> str | None:
    """The newest `checkpoint-N` folder under `folder`, if a previous run left one."""
    if not folder.is_dir():
        return None
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(folder))


def train_transformers(task: Task, model: TransformersModel, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path) -> TransformersModel:
    """Fine-tune `model` in place on `train`; checkpoints go to `workdir/checkpoints`."""
    import datasets
    import transformers

    transformers.set_seed(config.seed)
    task.prepare_model(model)
    label2id = {label: i for i, label in enumerate(model.labels)} if model.labels else None
    max_length = min(config.max_length, model.max_length)
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
    if config.lora:
        network = _with_lora(network, task, config)

    seq2seq = task.head is Head.SEQ2SEQ
    args_class = transformers.Seq2SeqTrainingArguments if seq2seq else transformers.TrainingArguments
    trainer_class = transformers.Seq2SeqTrainer if seq2seq else transformers.Trainer
    stopping = config.early_stopping_patience is not None and eval_ds is not None
    checkpoints = workdir / "checkpoints"
    args = args_class(
        output_dir=str(checkpoints),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps if config.max_steps else -1,
        learning_rate=config.learning_rate,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size * 2,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        seed=config.seed,
        data_seed=config.seed,
        train_sampling_strategy="group_by_length",
        length_column_name="length",
        save_strategy="epoch" if stopping else "steps",
        save_steps=config.save_steps,
        save_total_limit=2 if stopping else 1,
        eval_strategy="epoch" if stopping else "no",
        load_best_model_at_end=stopping,
        metric_for_best_model="eval_loss" if stopping else None,
        logging_steps=config.logging_steps,
        report_to="none",
        disable_tqdm=not config.progress,
        dataloader_num_workers=0,
        dataloader_pin_memory=_has_accelerator(),
        remove_unused_columns=False,
    )
    callbacks = [transformers.EarlyStoppingCallback(config.early_stopping_patience)] if stopping else []
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
    # The stock callbacks print each log as a Python dict on stdout; ours writes status lines to stderr.
    trainer.remove_callback(transformers.PrinterCallback)
    if config.progress:
        trainer.remove_callback(transformers.trainer_callback.ProgressCallback)
        trainer.add_callback(_quiet_progress_callback(transformers))
    result = trainer.train(resume_from_checkpoint=last_checkpoint(checkpoints))
    if config.lora:
        network = trainer.model.merge_and_unload()
    model.network = network.eval()
    model.meta["train_metrics"] = {k: v for k, v in result.metrics.items() if isinstance(v, (int, float))}
    model.meta["train_examples"] = len(train_ds)
    return model


def _format_logs(logs: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in logs.items() if k != "total_flos")


def _log_lines_callback(transformers: Any, progress: bool) -> Any:
    """One status line per phase and per logging step, on the ``nlpkit`` logger (stderr)."""
    import logging

    log = logging.getLogger("nlpkit")

    class LogLines(transformers.TrainerCallback):  # type: ignore[misc,name-defined]
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                log.info(f"training: {state.max_steps} steps, {args.num_train_epochs:g} epoch(s), batch size {args.per_device_train_batch_size}")

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


def _has_accelerator() -> bool:
    import torch

    return torch.cuda.is_available()
