"""Real kills (SIGKILL, no cleanup) of `nlpkit finetune` and what the rerun makes of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlpkit.testing.faults import run_cli_with_fault


def finetune_args(encoder: Path, train: Path, output: Path, *extra: str) -> list[str]:
    return ["finetune", "sentiment", "--model", str(encoder), "--train", str(train), "--output", str(output),
            "--epochs", "1", "--batch-size", "2", "--lr", "1e-3", "--max-length", "32", "--save-steps", "1", *extra]


def max_weight_difference(a: Path, b: Path) -> float:
    from safetensors.torch import load_file

    wa, wb = load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors"))
    assert wa.keys() == wb.keys()
    return max(float((wa[k] - wb[k]).abs().max()) for k in wa)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, tiny_encoder: Path) -> tuple[Path, Path]:
    """The reference: the same fine-tune, never killed (and its training data)."""
    from nlpkit.testing import SENTIMENT_FIXTURE

    folder = tmp_path_factory.mktemp("faults")
    train = folder / "train.tsv"
    train.write_text("sentence\tlabel\n" + "".join(f"{t}\t{l}\n" for t, l in SENTIMENT_FIXTURE), encoding="utf-8")
    done = run_cli_with_fault(finetune_args(tiny_encoder, train, folder / "reference"))
    assert done.returncode == 0, done.stderr
    return folder / "reference", train


def test_sigkill_during_a_checkpoint_save_resumes_from_the_previous_one_to_the_same_model(tmp_path: Path, tiny_encoder: Path, uninterrupted: tuple[Path, Path]) -> None:
    reference, train = uninterrupted
    out = tmp_path / "model"
    killed = run_cli_with_fault(finetune_args(tiny_encoder, train, out), "save", 3)
    assert killed.returncode == -9
    checkpoints = out.with_name("model.partial") / "checkpoints"
    assert not (checkpoints / "checkpoint-3" / "trainer_state.json").exists()  # the save the kill cut short
    rerun = run_cli_with_fault(finetune_args(tiny_encoder, train, out))
    assert rerun.returncode == 0, rerun.stderr
    assert "skipping incomplete checkpoint checkpoint-3" in rerun.stderr
    assert max_weight_difference(out, reference) == 0.0
    assert not out.with_name("model.partial").exists()
    assert json.loads((out / "metrics.json").read_text())["train"]["train_loss"] == pytest.approx(json.loads((reference / "metrics.json").read_text())["train"]["train_loss"], rel=1e-6)


def test_sigkill_at_the_final_rename_publishes_the_finished_model_on_rerun(tmp_path: Path, tiny_encoder: Path, uninterrupted: tuple[Path, Path]) -> None:
    reference, train = uninterrupted
    out = tmp_path / "model"
    killed = run_cli_with_fault(finetune_args(tiny_encoder, train, out), "rename")
    assert killed.returncode == -9 and not out.exists()
    rerun = run_cli_with_fault(finetune_args(tiny_encoder, train, out))
    assert rerun.returncode == 0, rerun.stderr
    assert (out / "nlpkit.json").exists() and max_weight_difference(out, reference) == 0.0


def test_sigkill_at_the_final_rename_then_other_settings_are_refused_not_served_stale(tmp_path: Path, tiny_encoder: Path, uninterrupted: tuple[Path, Path]) -> None:
    _, train = uninterrupted
    out = tmp_path / "model"
    assert run_cli_with_fault(finetune_args(tiny_encoder, train, out), "rename").returncode == -9
    rerun = run_cli_with_fault([*finetune_args(tiny_encoder, train, out), "--lr", "1e-2"])
    assert rerun.returncode == 2 and "other settings or data" in rerun.stderr and "--overwrite" in rerun.stderr
    assert not out.exists()
