"""Meaningless settings and unwritable outputs are refused up front, in one line, leaving no files."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner

import nlpkit
from nlpkit.cli import cli
from nlpkit.contracts.errors import NlpkitError


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    return line


@pytest.mark.parametrize(
    ("flag", "value", "option"),
    [("--epochs", "0", "--epochs"), ("--epochs", "-1", "--epochs"), ("--lr", "-0.001", "--lr"), ("--batch-size", "0", "--batch-size"),
     ("--max-length", "0", "--max-length"), ("--max-steps", "0", "--max-steps"), ("--train-limit", "-5", "--train-limit"), ("--save-steps", "0", "--save-steps"),
     ("--warmup-ratio", "1", "--warmup-ratio"), ("--warmup-ratio", "-0.1", "--warmup-ratio"), ("--weight-decay", "-1", "--weight-decay"),
     ("--lr-scheduler", "cosin", "--lr-scheduler"), ("--grad-accum", "0", "--grad-accum")],
)
def test_finetune_refuses_a_meaningless_setting_before_loading_anything(tmp_path: Path, sentiment_tsv: Path, flag: str, value: str, option: str) -> None:
    result = run("finetune", "sentiment", "--model", "not-loaded", "--train", str(sentiment_tsv), "--output", str(tmp_path / "out"), flag, value)
    assert option in one_error_line(result)
    assert not (tmp_path / "out.partial").exists()


def test_evaluate_refuses_a_negative_limit() -> None:
    assert "--limit" in one_error_line(run("evaluate", "sentiment", "--data", "x.tsv", "--limit", "-5"))


def test_predict_refuses_batch_size_zero() -> None:
    assert "--batch-size" in one_error_line(run("predict", "sentiment", "--batch-size", "0", "good"))


@pytest.mark.parametrize(
    ("setting", "value"),
    [("epochs", 0.0), ("learning_rate", -1e-5), ("batch_size", 0), ("max_length", -1), ("warmup_ratio", 1.0), ("weight_decay", -0.1), ("gradient_accumulation_steps", 0)],
)
def test_api_finetune_refuses_a_meaningless_setting(tmp_path: Path, sentiment_tsv: Path, setting: str, value: float) -> None:
    config = nlpkit.TrainConfig(**{setting: value})
    with pytest.raises(NlpkitError, match="must be"):
        nlpkit.finetune("sentiment", model="not-loaded", train=str(sentiment_tsv), output=tmp_path / "out", config=config)


def test_api_evaluate_refuses_a_negative_limit(sentiment_tsv: Path) -> None:
    with pytest.raises(NlpkitError, match="--limit must be 0 or more"):
        nlpkit.evaluate("sentiment", model="not-loaded", data=str(sentiment_tsv), limit=-5)


def test_max_length_below_the_special_tokens_is_refused_before_training(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    config = nlpkit.TrainConfig(epochs=1, max_length=2, progress=False)
    with pytest.raises(NlpkitError, match=r"--max-length 2 leaves no room for text: .* adds 2 special tokens; use at least 3"):
        nlpkit.finetune("sentiment", model=str(tiny_encoder), train=str(sentiment_tsv), output=tmp_path / "out", config=config)
    assert not list((tmp_path / "out.partial").glob("checkpoints/checkpoint-*"))


def test_output_that_is_an_existing_file_is_refused_before_training(tmp_path: Path, sentiment_tsv: Path) -> None:
    target = tmp_path / "model.txt"
    target.write_text("keep me")
    for overwrite in (False, True):
        with pytest.raises(NlpkitError, match=r"model\.txt is a file"):
            nlpkit.finetune("sentiment", model="not-loaded", train=str(sentiment_tsv), output=target, overwrite=overwrite)
    assert target.read_text() == "keep me"


def test_unwritable_finetune_output_is_refused_before_training(tmp_path: Path, sentiment_tsv: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NlpkitError, match="cannot create"):
        nlpkit.finetune("sentiment", model="tfidf-logreg", train=str(sentiment_tsv), output=blocker / "model")


def test_predict_output_onto_a_folder_is_refused_and_leaves_no_tmp(tmp_path: Path) -> None:
    folder = tmp_path / "preds"
    folder.mkdir()
    line = one_error_line(run("predict", "sentiment", "--model", "not-loaded", "--output", str(folder), "good"))
    assert "is a folder" in line
    assert list(tmp_path.iterdir()) == [folder]


def test_unwritable_predict_output_is_refused_before_predicting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpkit import api

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(api, "predict", lambda *a, **k: pytest.fail("predicted before checking the output"))
    assert "cannot write there" in one_error_line(run("predict", "sentiment", "--output", str(blocker / "out.jsonl"), "good"))


def test_full_disk_while_writing_predictions_leaves_no_tmp(tmp_path: Path, named_classifier: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = Path.write_text

    def full_disk(self: Path, data: str, *args, **kwargs):
        if self.name.endswith(".tmp"):
            real_write(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    out = tmp_path / "preds.jsonl"
    line = one_error_line(run("predict", "sentiment", "--model", str(named_classifier), "--output", str(out), "good", "bad"))
    assert "No space left on device" in line
    assert list(tmp_path.iterdir()) == []


def test_api_finetune_refuses_an_unknown_scheduler_listing_the_known_ones(tmp_path: Path, sentiment_tsv: Path) -> None:
    config = nlpkit.TrainConfig(lr_scheduler="cosin")
    with pytest.raises(NlpkitError, match=r"^--lr-scheduler must be one of linear, cosine, .*inverse_sqrt, not 'cosin'$"):
        nlpkit.finetune("sentiment", model="not-loaded", train=str(sentiment_tsv), output=tmp_path / "out", config=config)
    assert not (tmp_path / "out.partial").exists()
