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
    task.prepare_model(model, model.tokenizer)
    label2id = {label: i for i, label in enumerate(model.labels)} if model.labels else None
    max_length = min(config.max_length, model.max_length)
    features = task.training_features(train, model.tokenizer, label2id, max_length, **config.task_options)
    if not features:
        raise NlpkitError("no training features: the training data is empty")
    train_ds = datasets.Dataset.from_list(features)
    eval_ds = datasets.Dataset.from_list(task.training_features(eval, model.tokenizer, label2id, max_length, **config.task_options)) if eval else None

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
    trainer = trainer_class(
        model=network,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        data_collator=task.data_collator(model.tokenizer),
        processing_class=model.tokenizer,
        callbacks=callbacks,
    )
    result = trainer.train(resume_from_checkpoint=last_checkpoint(checkpoints))
    if config.lora:
        network = trainer.model.merge_and_unload()
    model.network = network.eval()
    model.meta["train_metrics"] = {k: v for k, v in result.metrics.items() if isinstance(v, (int, float))}
    model.meta["train_examples"] = len(train_ds)
    return model


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
