"""Streaming batch prediction: `predict --input FILE --output FILE` over inputs of any size.

The input is read a chunk of lines at a time (a generator: memory does not grow with the
file), each chunk goes through the task's own reader (`Task.read_inputs` on a small temporary
file holding the chunk, so every task's formats work unchanged) and the core inference loop
(`Task.predict`), and its records are appended to the output as JSON lines and flushed.

Resume: after each chunk, ``OUTPUT.progress.json`` records the input fingerprint (path, size,
mtime, SHA-256 of the first MiB, task, model, options, batch size), the input byte offset
reached, the output's byte size and its line count. A rerun checks the fingerprint (a mismatch
is refused; ``overwrite`` starts over), truncates the output to the recorded size (a partial
last line, or a chunk written after the last checkpoint, goes) and checks the line count,
then continues from the recorded input offset. Output is byte-identical to an uninterrupted
run because chunks are cut at the same places and prediction is deterministic.

Chunk boundaries: line formats (``.txt``, ``.tsv``, ``.csv``, ``.jsonl``, ``.ndjson``, and
``.json`` whose first line is a JSON object) are cut every `chunk_size` lines (TSV/CSV repeat
their header line in each chunk; a quoted CSV field spanning lines is not supported);
other formats (CoNLL, SQuAD JSON…) are cut only at a blank line after `chunk_size` lines, so a
file without blank lines is read as one chunk.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpkit.contracts.errors import DataError, NlpkitError

__all__ = ["ray_chunks", "Chunk", "StreamResult", "iter_chunks", "read_chunk", "fingerprint", "stream_predict", "progress_path"]

LINE_SUFFIXES = {".txt", ".tsv", ".csv", ".jsonl", ".ndjson"}
HEADER_SUFFIXES = {".tsv", ".csv"}
#: Bytes of the input hashed into its fingerprint.
HEAD_BYTES = 1 << 20


@dataclass
class Chunk:
    """Raw lines of one chunk: `first_line` is the 1-based input line of `lines[0]`; `end` the byte offset after it."""

    lines: list[bytes]
    first_line: int
    end: int


@dataclass
class StreamResult:
    """What one `stream_predict` call did."""

    records: int  # lines in the output now
    written: int  # of which written by this call
    resumed_from: int  # lines already there when it started
    output: Path


def progress_path(output: Path) -> Path:
    """Where the resume state of `output` lives (beside it)."""
    return output.with_name(output.name + ".progress.json")


def _is_line_format(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in LINE_SUFFIXES:
        return True
    if suffix == ".json":  # JSON lines under a .json name, or one SQuAD-like document
        with path.open("rb") as f:
            for raw in f:
                if raw.strip():
                    try:
                        return isinstance(json.loads(raw), dict)
                    except ValueError:
                        return False
    return False


def iter_chunks(path: Path, chunk_size: int, *, start: int = 0, start_line: int = 1) -> Iterator[Chunk]:
    """Chunks of `path` from byte offset `start` (line number `start_line`), never more than one held."""
    by_lines = _is_line_format(path)
    header = path.suffix.lower() in HEADER_SUFFIXES
    with path.open("rb") as f:
        if header and start == 0:
            f.readline()  # the header is repeated in each chunk by `read_chunk`
            start_line = 2
        else:
            f.seek(start)
        lines: list[bytes] = []
        first = start_line
        line_no = start_line
        for raw in f:
            lines.append(raw)
            line_no += 1
            if len(lines) >= chunk_size and (by_lines or not raw.strip()):
                yield Chunk(lines, first, f.tell())
                lines, first = [], line_no
        if lines:
            yield Chunk(lines, first, f.tell())


def _header(path: Path) -> bytes:
    if path.suffix.lower() not in HEADER_SUFFIXES:
        return b""
    with path.open("rb") as f:
        line = f.readline()
    return line if line.endswith(b"\n") else line + b"\n"


def read_chunk(task: Any, path: Path, chunk: Chunk, workdir: Path, header: bytes = b"") -> list[Any]:
    """The task's inputs in `chunk`, read by `task.read_inputs` from a temporary file; errors and
    example sources name the real file and line."""
    if not any(line.strip() for line in chunk.lines):
        return []
    tmp = workdir / path.name
    tmp.write_bytes(header + b"".join(chunk.lines))
    offset = chunk.first_line - 1 - (1 if header else 0)  # tmp line k is input line k + offset (k > header)

    def real_line(line: int | None) -> int | None:
        if line is None:
            return None
        return 1 if header and line == 1 else line + offset

    try:
        inputs = task.read_inputs(tmp)
    except DataError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        prefix = f"{tmp}:"
        reason = message.split(": ", 1)[1] if message.startswith(prefix) and ": " in message else message.replace(str(tmp), str(path))
        raise DataError(path, reason.removeprefix(f"field '{exc.field}': ") if exc.field else reason, line=real_line(exc.line), field=exc.field) from None
    for item in inputs:  # keep "file:line" sources pointing at the input
        source = getattr(item, "source", None)
        if isinstance(source, str) and source.startswith(f"{tmp}:"):
            rest = source[len(str(tmp)) + 1 :]
            try:
                item.source = f"{path}:{real_line(int(rest))}"
            except (ValueError, AttributeError, TypeError):
                pass
    return inputs


def fingerprint(path: Path, **settings: Any) -> dict[str, Any]:
    """What identifies the input and the settings a partial output was made with."""
    stat = path.stat()
    with path.open("rb") as f:
        head = hashlib.sha256(f.read(HEAD_BYTES)).hexdigest()
    return {"input": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "head_sha256": head, **settings}


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
    return count


def _save_progress(where: Path, state: dict[str, Any]) -> None:
    tmp = where.with_name(where.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
    tmp.replace(where)


def _resume_point(output: Path, progress: Path, expected: dict[str, Any], overwrite: bool) -> dict[str, Any]:
    """The saved state to continue from (a fresh one when starting over); refuses mismatches."""
    fresh = {"fingerprint": expected, "input_offset": 0, "input_line": 1, "records": 0, "output_bytes": 0, "done": False}
    if overwrite:
        progress.unlink(missing_ok=True)
        output.unlink(missing_ok=True)
        return fresh
    if not progress.exists():
        if output.exists() and output.stat().st_size > 0:
            raise NlpkitError(f"--output {output} already exists and has no {progress.name} to resume from; --overwrite starts over")
        return fresh
    try:
        state = json.loads(progress.read_text(encoding="utf-8"))
        saved = state["fingerprint"]
        int(state["output_bytes"]), int(state["records"]), int(state["input_offset"])
    except (ValueError, KeyError, TypeError):
        raise NlpkitError(f"{progress}: unreadable resume state; --overwrite starts over") from None
    changed = sorted(k for k in set(saved) | set(expected) if saved.get(k) != expected.get(k))
    if changed:
        raise NlpkitError(f"--output {output} was made from a different input or settings ({', '.join(changed)} changed); --overwrite starts over")
    size = output.stat().st_size if output.exists() else 0
    if size < state["output_bytes"]:
        raise NlpkitError(f"--output {output} is shorter than its {progress.name} records ({size} < {state['output_bytes']} bytes); --overwrite starts over")
    if size > state["output_bytes"]:
        with output.open("r+b") as f:  # a partial last line, or a chunk after the last checkpoint
            f.truncate(state["output_bytes"])
    lines = _count_lines(output) if output.exists() else 0
    if lines != state["records"]:
        raise NlpkitError(f"--output {output} holds {lines} lines, its {progress.name} says {state['records']}; --overwrite starts over")
    return state


def stream_predict(
    task: Any,
    input_file: Path,
    output: Path,
    predict: Callable[[Sequence[Any]], Sequence[Any]],
    *,
    settings: dict[str, Any],
    chunk_size: int = 1000,
    overwrite: bool = False,
    on_chunk: Callable[[int], None] | None = None,
    map_chunks: Callable[[Any, Iterator[tuple[Chunk, list[Any]]]], Iterator[tuple[Chunk, list[Any], list[Any]]]] | None = None,
) -> StreamResult:
    """Predict every input of `input_file` with `predict` (one chunk of inputs → its records, in
    order), appending JSON lines to `output` and checkpointing after each chunk (module doc).
    `settings` (task, model, options…) join the input's fingerprint. `map_chunks(predict,
    (chunk, inputs)…)` may predict chunks elsewhere (`ray_chunks`); it must yield them in order."""
    input_file, output = Path(input_file), Path(output)
    if not input_file.exists():
        raise DataError(input_file, "no such file")
    if input_file.is_dir():
        raise DataError(input_file, "is a folder, expected a file")
    progress = progress_path(output)
    state = _resume_point(output, progress, fingerprint(input_file, **settings), overwrite)
    resumed = state["records"]
    if state["done"]:
        return StreamResult(resumed, 0, resumed, output)
    header = _header(input_file)
    output.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with tempfile.TemporaryDirectory(prefix="nlpkit-stream-") as tmp, output.open("ab") as out:
        chunks = iter_chunks(input_file, chunk_size, start=state["input_offset"], start_line=state["input_line"])
        read = ((chunk, read_chunk(task, input_file, chunk, Path(tmp), header)) for chunk in chunks)
        mapped = map_chunks(predict, read) if map_chunks is not None else ((chunk, inputs, list(predict(inputs)) if inputs else []) for chunk, inputs in read)
        for chunk, inputs, records in mapped:
            if len(records) != len(inputs):
                raise NlpkitError(f"task {getattr(task, 'name', task)!r} returned {len(records)} predictions for {len(inputs)} inputs")
            out.write("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
            written += len(records)
            state.update(input_offset=chunk.end, input_line=chunk.first_line + len(chunk.lines), records=state["records"] + len(records), output_bytes=out.tell())
            _save_progress(progress, state)
            if on_chunk is not None:
                on_chunk(state["records"])
    state["done"] = True
    _save_progress(progress, state)
    return StreamResult(state["records"], written, resumed, output)


def ray_chunks(load: Callable[[], Any], predict_with: Callable[[Any, list[Any]], list[Any]], *, workers: int = 2, address: str | None = None) -> Callable[[Any, Iterator[tuple[Chunk, list[Any]]]], Iterator[tuple[Chunk, list[Any], list[Any]]]]:
    """A `map_chunks` for `stream_predict` that predicts chunks on `workers` Ray actors, each
    holding the model `load()` gives once; at most 2 chunks per worker are in flight (memory
    stays bounded) and chunks come back in input order, so the one output is written in order."""
    try:
        import ray
    except ImportError:
        raise NlpkitError("predict --executor ray needs Ray: pip install 'nlpkit-core[ray]' (or pip install ray)") from None
    import collections

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False)

    class Worker:
        def __init__(self) -> None:
            self.model = load()

        def predict(self, inputs: list[Any]) -> list[Any]:
            return predict_with(self.model, inputs)

    def mapper(_: Any, items: Iterator[tuple[Chunk, list[Any]]]) -> Iterator[tuple[Chunk, list[Any], list[Any]]]:
        actors = [ray.remote(num_cpus=1)(Worker).remote() for _ in range(workers)]
        window: collections.deque[tuple[Chunk, list[Any], Any]] = collections.deque()
        try:
            for n, (chunk, inputs) in enumerate(items):
                window.append((chunk, inputs, actors[n % workers].predict.remote(inputs) if inputs else None))
                if len(window) >= 2 * workers:
                    chunk, inputs, ref = window.popleft()
                    yield chunk, inputs, ray.get(ref) if ref is not None else []
            while window:
                chunk, inputs, ref = window.popleft()
                yield chunk, inputs, ray.get(ref) if ref is not None else []
        finally:
            for actor in actors:
                ray.kill(actor)

    return mapper
