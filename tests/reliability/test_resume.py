"""Resume only what matches: fingerprinted work folders, complete checkpoints, a lock, whole-run metrics."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import nlpkit
from nlpkit import training
from nlpkit.cli import cli
from nlpkit.errors import NlpkitError

BASE = dict(epochs=1, batch_size=2, learning_rate=1e-3, max_length=32, progress=False, save_steps=1)


class Interrupt(Exception):
    """Stands in for a kill after training, before the model is published."""


def interrupted_run(tmp_path: Path, tiny_encoder: Path, train: Path, monkeypatch: pytest.MonkeyPatch, **config) -> Path:
    """Fine-tune to the end, then die before the model is saved: OUTPUT.partial keeps the checkpoints."""
    from nlpkit.backends.transformers import TransformersModel

    out = tmp_path / "model"
    with monkeypatch.context() as patch:
        patch.setattr(TransformersModel, "save", lambda self, folder: (_ for _ in ()).throw(Interrupt()))
        with pytest.raises(Interrupt):
            nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(train), output=out, config=nlpkit.TrainConfig(**{**BASE, **config}))
    return out


def resumes_from(monkeypatch: pytest.MonkeyPatch) -> list:
    import transformers

    seen: list = []
    real = transformers.Trainer.train
    monkeypatch.setattr(transformers.Trainer, "train", lambda self, *a, **k: (seen.append(k.get("resume_from_checkpoint")), real(self, *a, **k))[1])
    return seen


def weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def test_rerun_with_other_settings_refuses_the_stale_partial_run(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = interrupted_run(tmp_path, tiny_encoder, sentiment_tsv, monkeypatch)
    with pytest.raises(NlpkitError, match=r"model\.partial holds an interrupted run with other settings or data \(--learning-rate 0\.001 → 0\.01\).*--overwrite"):
        nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=out, config=nlpkit.TrainConfig(**{**BASE, "learning_rate": 1e-2}))


def test_rerun_with_other_data_refuses_the_stale_partial_run(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = interrupted_run(tmp_path, tiny_encoder, sentiment_tsv, monkeypatch)
    other = tmp_path / "other.tsv"
    other.write_text(sentiment_tsv.read_text().replace("really", "very"))
    with pytest.raises(NlpkitError, match=r"other settings or data \(train\)"):
        nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(other), output=out, config=nlpkit.TrainConfig(**BASE))


def test_stale_final_checkpoint_is_not_published_as_a_new_run(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = interrupted_run(tmp_path, tiny_encoder, sentiment_tsv, monkeypatch)
    other = tmp_path / "other.tsv"
    other.write_text(sentiment_tsv.read_text().replace("really", "very"))
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(other), output=out, config=nlpkit.TrainConfig(**{**BASE, "learning_rate": 1e-2}), overwrite=True)
    fresh = tmp_path / "fresh"
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(other), output=fresh, config=nlpkit.TrainConfig(**{**BASE, "learning_rate": 1e-2}))
    a, b = weights(out), weights(fresh)
    assert all((a[k] == b[k]).all() for k in a)  # the new run's model, not the old checkpoint


def test_overwrite_clears_the_partial_run_and_starts_over(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = interrupted_run(tmp_path, tiny_encoder, sentiment_tsv, monkeypatch)
    seen = resumes_from(monkeypatch)
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=out, config=nlpkit.TrainConfig(**BASE), overwrite=True)
    assert seen == [None] and (out / "nlpkit.json").exists() and not (tmp_path / "model.partial").exists()


def test_same_rerun_resumes_from_the_last_complete_checkpoint(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = interrupted_run(tmp_path, tiny_encoder, sentiment_tsv, monkeypatch)
    checkpoints = tmp_path / "model.partial" / "checkpoints"
    [complete] = list(checkpoints.glob("checkpoint-*"))
    cut = checkpoints / "checkpoint-99"  # a save a kill cut short: weights, no trainer_state.json
    cut.mkdir()
    shutil.copy(complete / "model.safetensors", cut / "model.safetensors")
    seen = resumes_from(monkeypatch)
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=out, config=nlpkit.TrainConfig(**BASE))
    assert seen == [str(complete)]


def test_only_incomplete_checkpoints_mean_a_fresh_start_said_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    checkpoints = tmp_path / "checkpoints"
    (checkpoints / "checkpoint-4").mkdir(parents=True)
    (checkpoints / "checkpoint-4" / "model.safetensors").write_bytes(b"")
    with caplog.at_level("WARNING", logger="nlpkit.training"):
        assert training.last_checkpoint(checkpoints, remove_incomplete=True) is None
    assert "skipping incomplete checkpoint checkpoint-4" in caplog.text
    assert not (checkpoints / "checkpoint-4").exists()


def test_checkpoint_with_truncated_weights_is_incomplete(tmp_path: Path, tiny_encoder: Path) -> None:
    folder = tmp_path / "checkpoint-2"
    folder.mkdir()
    (folder / "trainer_state.json").write_text("{}")
    (folder / "optimizer.pt").write_bytes(b"x")
    data = (tiny_encoder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 3])
    assert "corrupt weight file" in training.checkpoint_problem(folder)


def test_second_run_on_the_same_output_is_refused_while_the_first_writes(tmp_path: Path, sentiment_tsv: Path) -> None:
    workdir = tmp_path / "model.partial"
    workdir.mkdir()
    holder = os.open(workdir, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first run
    try:
        with pytest.raises(NlpkitError, match="another fine-tune is writing there now"):
            nlpkit.finetune("sentiment", model="tfidf-logreg", train=str(sentiment_tsv), output=tmp_path / "model", overwrite=True)
        assert workdir.exists()  # --overwrite did not clear the running run's folder
    finally:
        os.close(holder)


def test_interrupt_before_any_checkpoint_promises_no_resume(tmp_path: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpkit import api

    monkeypatch.setattr(api, "finetune", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    result = CliRunner().invoke(cli, ["finetune", "sentiment", "--model", "m", "--train", str(sentiment_tsv), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2 and "nothing to resume" in result.output and "run the same command again" not in result.output


def test_interrupt_after_a_checkpoint_promises_a_resume(tmp_path: Path, sentiment_tsv: Path, tiny_encoder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpkit import api

    interrupted_run(tmp_path, tiny_encoder, sentiment_tsv, monkeypatch)
    monkeypatch.setattr(api, "finetune", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    result = CliRunner().invoke(cli, ["finetune", "sentiment", "--model", "m", "--train", str(sentiment_tsv), "--output", str(tmp_path / "model")])
    assert result.exit_code == 2 and "run the same command again to resume" in result.output


def test_time_based_checkpoints_by_default(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert nlpkit.TrainConfig().save_steps is None
    monkeypatch.setattr(training, "SAVE_EVERY_SECONDS", 0.0)
    interrupted_run(tmp_path, tiny_encoder, sentiment_tsv, monkeypatch, save_steps=None, epochs=2)
    assert list((tmp_path / "model.partial" / "checkpoints").glob("checkpoint-*"))


def test_training_metrics_cover_the_whole_run_after_a_resume(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    straight = tmp_path / "straight"
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=straight, config=nlpkit.TrainConfig(**{**BASE, "epochs": 2}))
    calls = {"n": 0}
    real = transformers.Trainer._save_checkpoint

    def die_at_third_save(self, *args, **kwargs):
        real(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 3:
            raise Interrupt()

    with monkeypatch.context() as patch:
        patch.setattr(transformers.Trainer, "_save_checkpoint", die_at_third_save)
        with pytest.raises(Interrupt):
            nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=tmp_path / "resumed", config=nlpkit.TrainConfig(**{**BASE, "epochs": 2}))
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=tmp_path / "resumed", config=nlpkit.TrainConfig(**{**BASE, "epochs": 2}))
    a = json.loads((straight / "metrics.json").read_text())["train"]
    b = json.loads((tmp_path / "resumed" / "metrics.json").read_text())["train"]
    assert b["train_loss"] == pytest.approx(a["train_loss"], rel=1e-5)
    assert b["seconds"] >= b["train_runtime"] * 0.5 and b["train_runtime"] > 0
    wa, wb = weights(straight), weights(tmp_path / "resumed")
    assert max(float((wa[k] - wb[k]).abs().max()) for k in wa) < 1e-6


def test_full_disk_while_saving_the_model_leaves_no_half_model_and_keeps_the_checkpoints(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from nlpkit.backends.transformers import TransformersModel

    def full_disk(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.safetensors").write_bytes(b"\0" * 1024)  # a part written before the disk filled
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TransformersModel, "save", full_disk)
    out = tmp_path / "model"
    with pytest.raises(NlpkitError, match=r"saving the model failed \(No space left on device\); free space and run the same command again"):
        nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=out, config=nlpkit.TrainConfig(**BASE))
    partial = tmp_path / "model.partial"
    assert not out.exists() and not (partial / "model").exists()
    assert list((partial / "checkpoints").glob("checkpoint-*"))
