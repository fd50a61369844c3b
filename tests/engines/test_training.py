"""The fine-tuning recipe's options: LoRA merged back, early stopping, resuming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nlpkit

BASE = dict(batch_size=4, learning_rate=1e-3, max_length=32, progress=False, save_steps=1000)


def test_lora_adapters_are_merged_into_a_plain_loadable_model(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "lora"
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=nlpkit.TrainConfig(epochs=1, lora=True, lora_rank=4, **BASE))
    assert not (out / "adapter_config.json").exists(), "the saved folder is a plain checkpoint, not an adapter"
    model = nlpkit.load_model(str(out), nlpkit.get_task("sentiment"))
    assert not any("lora" in name for name, _ in model.network.named_parameters())
    assert nlpkit.predict("sentiment", ["a good film"], model=model)[0].label in {"negative", "positive"}


def test_early_stopping_uses_the_eval_data_and_still_saves_a_complete_folder(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "early"
    result = nlpkit.finetune(
        "sentiment", model=str(tiny_encoder), train=sentiment_tsv, eval=sentiment_tsv, output=out,
        config=nlpkit.TrainConfig(epochs=3, early_stopping_patience=1, **BASE),
    )
    assert (out / "nlpkit.json").exists() and set(result.metrics) == {"accuracy", "f1"}
    assert json.loads((out / "nlpkit.json").read_text())["training"]["early_stopping_patience"] == 1


def test_an_interrupted_run_resumes_from_its_checkpoint(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    from nlpkit.engines.backends.transformers import TransformersModel

    out = tmp_path / "model"
    config = nlpkit.TrainConfig(epochs=1, **{**BASE, "save_steps": 1})
    real_save = TransformersModel.save

    def crash(self, folder):  # training finished and checkpointed; dies before the model is saved
        raise KeyboardInterrupt

    monkeypatch.setattr(TransformersModel, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=config)
    assert not out.exists()
    assert any((tmp_path / "model.partial" / "checkpoints").glob("checkpoint-*"))

    monkeypatch.setattr(TransformersModel, "save", real_save)
    resumed_from = []
    real_train = transformers.Trainer.train

    def spy(self, *args, **kwargs):
        resumed_from.append(kwargs.get("resume_from_checkpoint"))
        return real_train(self, *args, **kwargs)

    monkeypatch.setattr(transformers.Trainer, "train", spy)
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=config)
    assert resumed_from and resumed_from[0] is not None and "checkpoint-" in resumed_from[0]
    assert (out / "nlpkit.json").exists() and not (tmp_path / "model.partial").exists()


def test_schedule_settings_reach_the_trainer_and_the_saved_card(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    seen = []
    real_train = transformers.Trainer.train

    def spy(self, *args, **kwargs):
        seen.append(self.args)
        return real_train(self, *args, **kwargs)

    monkeypatch.setattr(transformers.Trainer, "train", spy)
    out = tmp_path / "model"
    config = nlpkit.TrainConfig(epochs=1, warmup_ratio=0.25, weight_decay=0.1, lr_scheduler="cosine", gradient_accumulation_steps=2, **BASE)
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=config)
    [args] = seen
    assert args.lr_scheduler_type == transformers.SchedulerType.COSINE
    assert args.get_warmup_steps(100) == 25, "a ratio below 1 is a share of the steps, not one step"
    assert (args.weight_decay, args.gradient_accumulation_steps) == (0.1, 2)
    training = json.loads((out / "nlpkit.json").read_text())["training"]
    assert {k: training[k] for k in ("warmup_ratio", "weight_decay", "lr_scheduler", "gradient_accumulation_steps")} == {"warmup_ratio": 0.25, "weight_decay": 0.1, "lr_scheduler": "cosine", "gradient_accumulation_steps": 2}
    assert "schedule: cosine, warmup ratio=0.25, weight decay=0.1, gradient accumulation=2" in (out / "README.md").read_text()


@pytest.mark.parametrize(("setting", "value"), [("warmup_ratio", 0.1), ("weight_decay", 0.0), ("lr_scheduler", "cosine"), ("gradient_accumulation_steps", 4)])
def test_schedule_settings_are_part_of_the_resume_fingerprint(setting: str, value: object) -> None:
    from nlpkit.engines.training import TrainConfig, run_fingerprint

    train = [("a", "b")]
    before = run_fingerprint("sentiment", "m", TrainConfig(), train, None)["fingerprint"]
    assert run_fingerprint("sentiment", "m", TrainConfig(**{setting: value}), train, None)["fingerprint"] != before


def test_bf16_fine_tuning_on_a_cpu_with_bf16_arithmetic_saves_an_fp32_model(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    import torch

    from nlpkit.contracts.device import cpu_bf16_supported

    if not cpu_bf16_supported():
        pytest.skip("this CPU has no bf16 arithmetic (AVX512-BF16/AMX): bf16 fine-tuning is refused here")
    out = tmp_path / "bf16"
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, device="cpu", precision="bf16", config=nlpkit.TrainConfig(epochs=1, **BASE))
    card = json.loads((out / "nlpkit.json").read_text())
    assert card["training"]["precision"] == "bf16"
    model = nlpkit.load_model(str(out), nlpkit.get_task("sentiment"))
    assert {p.dtype for p in model.network.parameters()} == {torch.float32}


def test_freeze_embeddings_keeps_the_word_piece_matrix_and_trains_the_rest(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    task = nlpkit.get_task("sentiment")
    before = nlpkit.load_model(str(tiny_encoder), task).network
    out = tmp_path / "frozen"
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=nlpkit.TrainConfig(epochs=2, freeze_embeddings=True, **BASE))
    after = nlpkit.load_model(str(out), task).network
    assert after.get_input_embeddings().weight.equal(before.get_input_embeddings().weight)
    trained = dict(after.named_parameters())
    changed = [name for name, p in before.named_parameters() if "embeddings" not in name and name in trained and not trained[name].equal(p)]
    assert changed, "the encoder layers must still train"
    assert json.loads((out / "nlpkit.json").read_text())["training"]["freeze_embeddings"] is True
