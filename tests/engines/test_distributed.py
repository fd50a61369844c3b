"""Fine-tuning under `torchrun` (2 processes, gloo on CPU): one writer, a complete folder, errors shared."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nlpkit.engines import distributed

#: Run under torchrun: records each write of the output by rank, then fine-tunes.
SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    import nlpkit
    from nlpkit import api
    from nlpkit.resolution import models

    log = Path(sys.argv[3])
    def recorded(name, real):
        def wrapper(*args, **kwargs):
            with log.open("a") as f:
                f.write(json.dumps({"rank": int(os.environ["RANK"]), "write": name}) + "\\n")
            return real(*args, **kwargs)
        return wrapper
    api._publish = recorded("publish", api._publish)
    api.write_model_card = recorded("card", models.write_model_card)
    models.write_model_card = api.write_model_card
    config = nlpkit.TrainConfig(max_steps=4, batch_size=2, learning_rate=1e-3, max_length=32, progress=False, save_steps=2)
    result = nlpkit.finetune("sentiment", model=sys.argv[1], train=sys.argv[2], output=sys.argv[4], config=config)
    with log.open("a") as f:
        f.write(json.dumps({"rank": int(os.environ["RANK"]), "done": str(result.output)}) + "\\n")
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(tmp_path: Path, model: Path, train: Path, output: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master-port", str(_free_port())]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run([*torchrun, str(script), str(model), str(train), str(tmp_path / "writes.jsonl"), str(output)], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(sys.platform == "win32", reason="gloo multi-process run on POSIX only")
def test_two_process_finetune_writes_one_complete_loadable_folder_from_rank_0(tmp_path: Path, tiny_classifier: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "model"
    proc = _torchrun(tmp_path, tiny_classifier, sentiment_tsv, out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in (tmp_path / "writes.jsonl").read_text().splitlines()]
    writes = [e for e in events if "write" in e]
    assert sorted((e["rank"], e["write"]) for e in writes) == [(0, "card"), (0, "publish")]
    assert sorted(e["rank"] for e in events if "done" in e) == [0, 1]  # both ranks exit cleanly
    assert not out.with_name("model.partial").exists()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["train"]["processes"] == 2
    # a 2-label classifier near chance: ln 2 ≈ 0.69; losses scaled by the world size would read ≈ 1.39
    assert metrics["train"]["train_loss"] < 1.0
    assert (out / "README.md").exists()
    import nlpkit

    assert len(nlpkit.predict("sentiment", ["a fine film"], model=str(out))) == 1


def test_a_refusal_on_rank_0_fails_every_rank_with_its_message(tmp_path: Path, tiny_classifier: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "model"
    partial = out.with_name("model.partial")
    partial.mkdir()
    (partial / "stray.bin").write_text("from some other run")
    proc = _torchrun(tmp_path, tiny_classifier, sentiment_tsv, out)
    assert proc.returncode != 0
    assert "holds work of an unknown earlier run" in proc.stderr
    assert "rank 0 failed: " in proc.stderr  # rank 1 got rank 0's refusal instead of hanging
    assert not out.exists() and (partial / "stray.bin").exists()


def test_single_process_helpers_are_no_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.delenv("RANK", raising=False)
    assert distributed.world_size() == 1 and distributed.is_main()
    assert distributed.share(41) == 41 and distributed.on_main(lambda: 42) == 42
    distributed.ensure_process_group("cpu")  # nothing to join


def test_world_size_and_rank_come_from_torchrun_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    assert distributed.world_size() == 4 and distributed.rank() == 3 and not distributed.is_main()


