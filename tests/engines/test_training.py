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
