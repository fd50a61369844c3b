"""Streaming batch prediction (`nlpkit.predict_file`, `predict --input --output`): order, memory, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.tasks import Record, TextExample
from nlpkit.engines.streaming import iter_chunks, progress_path, stream_predict


@dataclass
class Echo(Record):
    text: str


class FakeTask:
    """Reads text lines like the classification task; `predict` records the largest chunk it saw."""

    name = "fake"

    def __init__(self) -> None:
        self.largest = 0
        self.calls = 0

    def read_inputs(self, path: Path) -> list[TextExample]:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return [TextExample(text=line, source=f"{path}:{i}") for i, line in enumerate(lines, start=1) if line.strip()]

    def predict(self, inputs: list[TextExample]) -> list[Echo]:
        self.largest = max(self.largest, len(inputs))
        self.calls += 1
        return [Echo(text=x.text.upper()) for x in inputs]


def _lines(n: int) -> str:
    return "".join(f"line {i}\n" for i in range(n))


def test_order_is_kept_across_chunks_and_at_most_chunk_size_inputs_are_held(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(_lines(1050), encoding="utf-8")
    task = FakeTask()
    result = stream_predict(task, src, tmp_path / "out.jsonl", task.predict, settings={}, chunk_size=100)
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["text"] for r in rows] == [f"LINE {i}" for i in range(1050)]
    assert result.records == 1050 and task.calls == 11 and task.largest == 100


def test_reader_is_a_generator_that_holds_one_chunk(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(_lines(30), encoding="utf-8")
    chunks = iter_chunks(src, 10)
    first = next(chunks)
    assert len(first.lines) == 10 and first.first_line == 1
    assert [len(c.lines) for c in chunks] == [10, 10]


def test_tsv_chunks_repeat_the_header_and_errors_name_the_real_line(tmp_path: Path) -> None:
    from nlpkit.resolution.tasks import get_task

    src = tmp_path / "in.tsv"
    src.write_text("sentence\tlabel\n" + "".join(f"text {i}\t\n" for i in range(25)) + "\tpositive\n", encoding="utf-8")
    task = get_task("sentiment")
    with pytest.raises(DataError, match=r"in\.tsv:27: field 'sentence'"):
        stream_predict(task, src, tmp_path / "out.jsonl", lambda xs: [Echo(text=x.text) for x in xs], settings={}, chunk_size=10)
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 20  # the good chunks before the bad one stay


def test_block_formats_are_cut_only_at_blank_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.conll"
    src.write_text("a\nb\nc\n\nd\ne\n\nf\n", encoding="utf-8")
    assert [[line.decode().strip() for line in c.lines] for c in iter_chunks(src, 2)] == [["a", "b", "c", ""], ["d", "e", ""], ["f"]]


def test_rerun_of_a_finished_output_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(_lines(10), encoding="utf-8")
    task = FakeTask()
    stream_predict(task, src, tmp_path / "out.jsonl", task.predict, settings={}, chunk_size=3)
    again = stream_predict(task, src, tmp_path / "out.jsonl", task.predict, settings={}, chunk_size=3)
    assert again.written == 0 and again.records == 10


def test_resume_truncates_a_partial_last_line_and_continues(tmp_path: Path) -> None:
    src, out = tmp_path / "in.txt", tmp_path / "out.jsonl"
    src.write_text(_lines(40), encoding="utf-8")
    task = FakeTask()
    stream_predict(task, src, out, task.predict, settings={}, chunk_size=7)
    whole = out.read_bytes()
    state = json.loads(progress_path(out).read_text())
    # as if killed after chunk 2 was checkpointed and half of chunk 3 written
    lines = whole.splitlines(keepends=True)
    kept = b"".join(lines[:14])
    out.write_bytes(kept + b"".join(lines[14:18]) + b'{"text": "LI')
    state.update(done=False, records=14, output_bytes=len(kept), input_offset=len(_lines(14)), input_line=15)
    progress_path(out).write_text(json.dumps(state))
    result = stream_predict(task, src, out, task.predict, settings={}, chunk_size=7)
    assert result.resumed_from == 14 and out.read_bytes() == whole


def test_a_different_input_is_refused_until_overwrite(tmp_path: Path) -> None:
    src, out = tmp_path / "in.txt", tmp_path / "out.jsonl"
    src.write_text(_lines(10), encoding="utf-8")
    task = FakeTask()
    stream_predict(task, src, out, task.predict, settings={"model": "a"}, chunk_size=3)
    with pytest.raises(NlpkitError, match=r"different input or settings \(model changed\); --overwrite starts over"):
        stream_predict(task, src, out, task.predict, settings={"model": "b"}, chunk_size=3)
    src.write_text(_lines(12), encoding="utf-8")
    with pytest.raises(NlpkitError, match=r"head_sha256.*size"):
        stream_predict(task, src, out, task.predict, settings={"model": "a"}, chunk_size=3)
    assert stream_predict(task, src, out, task.predict, settings={"model": "a"}, chunk_size=3, overwrite=True).records == 12


def test_an_output_without_progress_file_is_not_overwritten(tmp_path: Path) -> None:
    src, out = tmp_path / "in.txt", tmp_path / "out.jsonl"
    src.write_text(_lines(3), encoding="utf-8")
    out.write_text("precious\n", encoding="utf-8")
    with pytest.raises(NlpkitError, match="already exists and has no out.jsonl.progress.json"):
        stream_predict(FakeTask(), src, out, FakeTask().predict, settings={})
    assert out.read_text() == "precious\n"


SLOW_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from engines.test_streaming import FakeTask
    from nlpkit.engines.streaming import stream_predict

    task = FakeTask()
    def slow(inputs):
        time.sleep(0.05)
        return task.predict(inputs)
    stream_predict(task, Path(sys.argv[1]), Path(sys.argv[2]), slow, settings={{"model": "fake"}}, chunk_size=5)
    """
)


def test_resume_after_sigkill_gives_a_byte_identical_output(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(_lines(400), encoding="utf-8")
    script = tmp_path / "run.py"
    script.write_text(SLOW_RUN.format(tests=str(Path(__file__).resolve().parents[1])), encoding="utf-8")
    reference = tmp_path / "reference.jsonl"
    subprocess.run([sys.executable, str(script), str(src), str(reference)], check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, str(script), str(src), str(out)], env={**os.environ, "OMP_NUM_THREADS": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 200):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = out.read_bytes().count(b"\n")
    assert 0 < partial < 400
    subprocess.run([sys.executable, str(script), str(src), str(out)], check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert out.read_bytes() == reference.read_bytes()


def test_cli_predict_streams_and_resumes_with_a_trained_model(tmp_path: Path, sentiment_tsv: Path) -> None:
    from click.testing import CliRunner

    from nlpkit.cli import cli

    runner = CliRunner()
    model = tmp_path / "m"
    assert runner.invoke(cli, ["finetune", "sentiment", "-m", "tfidf-logreg", "--train", str(sentiment_tsv), "-o", str(model)]).exit_code == 0
    src = tmp_path / "in.txt"
    src.write_text("great fun\n\ni hate this\n" * 20, encoding="utf-8")
    out = tmp_path / "preds.jsonl"
    args = ["predict", "sentiment", "-m", str(model), "--input", str(src), "--output", str(out), "--chunk-size", "7"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["label"] for r in rows] == ["positive", "negative"] * 20
    import nlpkit

    assert rows == [r.to_dict() for r in nlpkit.predict("sentiment", ["great fun", "i hate this"] * 20, model=str(model))]
    src.write_text("other\n", encoding="utf-8")
    refused = runner.invoke(cli, args)
    assert refused.exit_code != 0 and "--overwrite starts over" in refused.output
    assert runner.invoke(cli, [*args, "--overwrite"]).exit_code == 0
    assert len(out.read_text().splitlines()) == 1



@pytest.mark.skipif(__import__("importlib").util.find_spec("ray") is None, reason="ray not installed: pip install 'nlpkit-core[ray]'")
def test_predict_on_ray_workers_writes_the_serial_output_in_order(tmp_path: Path, sentiment_tsv: Path) -> None:
    import ray

    import nlpkit

    model = tmp_path / "m"
    nlpkit.finetune("sentiment", model="tfidf-logreg", train=str(sentiment_tsv), output=model)
    src = tmp_path / "in.txt"
    src.write_text("great fun\ni hate this\nawful\n" * 30, encoding="utf-8")
    nlpkit.predict_file("sentiment", src, tmp_path / "serial.jsonl", model=str(model), chunk_size=7)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        result = nlpkit.predict_file("sentiment", src, tmp_path / "ray.jsonl", model=str(model), chunk_size=7, executor="ray", workers=2)
    finally:
        ray.shutdown()
    assert result.records == 90
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "serial.jsonl").read_bytes()


def test_predict_executor_ray_without_files_is_refused() -> None:
    from click.testing import CliRunner

    from nlpkit.cli import cli

    result = CliRunner().invoke(cli, ["predict", "sentiment", "--executor", "ray", "good"])
    assert result.exit_code != 0 and "--executor ray goes with --input FILE and --output FILE" in result.output
