"""Mean pooling for checkpoints that declare it (sentence-transformers), kept across save/load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import nlpkit
from nlpkit.engines.pooling import checkpoint_pooling

FAST = nlpkit.TrainConfig(epochs=1, batch_size=4, learning_rate=1e-3, max_length=32, progress=False, save_steps=1000)


@pytest.fixture
def mean_pooled_encoder(tmp_path: Path, tiny_encoder: Path) -> Path:
    folder = tmp_path / "st-encoder"
    shutil.copytree(tiny_encoder, folder)
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}))
    return folder


def test_pooling_is_read_from_the_sentence_transformers_config(mean_pooled_encoder: Path, tiny_encoder: Path) -> None:
    assert checkpoint_pooling(str(mean_pooled_encoder)) == "mean"
    assert checkpoint_pooling(str(tiny_encoder)) is None


def test_mean_pooling_is_recorded_and_reapplied_when_the_folder_loads(tmp_path: Path, mean_pooled_encoder: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "model"
    nlpkit.finetune("sentiment", model=str(mean_pooled_encoder), train=sentiment_tsv, output=out, config=FAST)
    assert json.loads((out / "nlpkit.json").read_text())["pooling"] == "mean"
    task = nlpkit.get_task("sentiment")
    loaded = nlpkit.load_model(str(out), task)
    assert loaded.meta["pooling"] == "mean"
    texts = ["a good film", "i hate this movie , really boring"]
    # padding must not change a mean-pooled prediction: alone vs. in a padded batch
    alone = [nlpkit.predict(task, [t], model=loaded)[0].score for t in texts]
    together = [r.score for r in nlpkit.predict(task, texts, model=loaded)]
    assert together == pytest.approx(alone, abs=1e-5)


def test_plain_checkpoint_keeps_cls_pooling(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "model"
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=FAST)
    assert "pooling" not in json.loads((out / "nlpkit.json").read_text())
