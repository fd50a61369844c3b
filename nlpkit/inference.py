"""The one inference loop, and the timing the benchmark harness reads.

Every head of every backend runs its model through `iter_batches` / `run_batches`:
inputs sorted by length and cut into batches (little padding, so little wasted
compute), gradients off (``torch.inference_mode`` when torch is in use), each
batch's tensors moved to the model's device (`to_device`) and the outputs back to
the CPU (`to_cpu`), the model call timed into `InferenceStats` (how the harness
times a task's `predict` without knowing its internals), a progress bar, and the
results back in input order. Backends write only the per-batch step.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["InferenceStats", "iter_batches", "length_sorted_batches", "maybe_batch", "progress_bar", "run_batches", "chunked", "to_cpu", "to_device"]

T = TypeVar("T")
R = TypeVar("R")


def length_sorted_batches(items: Sequence[T], batch_size: int, key: Callable[[T], int]) -> Iterator[list[int]]:
    """Yield lists of indices into `items`, longest first, `batch_size` at a time."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = sorted(range(len(items)), key=lambda i: -key(items[i]))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


@dataclass
class InferenceStats:
    """Wall time, examples and tokens of each model batch."""

    batch_seconds: list[float] = field(default_factory=list)
    batch_examples: list[int] = field(default_factory=list)
    batch_tokens: list[int] = field(default_factory=list)

    @contextmanager
    def batch(self, examples: int, tokens: int = 0) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.batch_seconds.append(time.perf_counter() - start)
        self.batch_examples.append(examples)
        self.batch_tokens.append(tokens)

    @property
    def seconds(self) -> float:
        return sum(self.batch_seconds)

    @property
    def examples(self) -> int:
        return sum(self.batch_examples)

    @property
    def tokens(self) -> int:
        return sum(self.batch_tokens)

    def summary(self) -> dict[str, Any]:
        import statistics

        secs = sorted(self.batch_seconds)
        def pct(p: float) -> float | None:
            if not secs:
                return None
            return secs[min(len(secs) - 1, int(round(p * (len(secs) - 1))))]
        total = self.seconds
        return {
            "seconds": total,
            "examples": self.examples,
            "tokens": self.tokens,
            "examples_per_second": self.examples / total if total else None,
            "tokens_per_second": self.tokens / total if total and self.tokens else None,
            "batches": len(secs),
            "latency_p50_ms": pct(0.5) * 1000 if secs else None,
            "latency_p95_ms": pct(0.95) * 1000 if secs else None,
            "latency_mean_ms": statistics.fmean(secs) * 1000 if secs else None,
        }


@contextmanager
def maybe_batch(stats: InferenceStats | None, examples: int, tokens: int = 0) -> Iterator[None]:
    """`stats.batch(...)` when stats are collected, else nothing."""
    if stats is None:
        yield
    else:
        with stats.batch(examples, tokens):
            yield


def progress_bar(total: int, enabled: bool, desc: str) -> Any:
    """A tqdm bar on stderr (or a no-op stand-in when disabled)."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="ex", leave=False)


class _NoBar:
    def update(self, n: int = 1) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> _NoBar:
        return self
    def __exit__(self, *exc: Any) -> None: ...


# -- the loop -------------------------------------------------------------------------
def to_device(batch: Any, device: Any) -> Any:
    """`batch` (a tensor, or a dict/list/tuple of them) on `device`; other values unchanged.
    The one place the loop's inputs move to the accelerator (``--device``; CUDA copies go
    through pinned memory, `nlpkit.device.to_device`). `device` None: left where it is."""
    if device is None:
        return batch
    if isinstance(batch, dict) or (hasattr(batch, "to") and hasattr(batch, "device")):
        from nlpkit.device import to_device as move

        return move(batch, device)
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(v, device) for v in batch)
    return batch


def to_cpu(output: Any) -> Any:
    """`output` (tensors, possibly nested in dicts/lists/tuples) moved to the CPU, as float32
    when it is a floating-point tensor (half-precision logits read as float)."""
    if hasattr(output, "detach") and hasattr(output, "cpu"):
        output = output.detach()
        return (output.float() if output.is_floating_point() else output).cpu()
    if isinstance(output, dict):
        return {k: to_cpu(v) for k, v in output.items()}
    if isinstance(output, (list, tuple)):
        return type(output)(to_cpu(v) for v in output)
    return output


def _no_grad() -> Any:
    """``torch.inference_mode()`` when torch is already in use (a torch model is loaded), else nothing:
    a pure-Python model never pays for importing torch."""
    torch = sys.modules.get("torch")
    return torch.inference_mode() if torch is not None else nullcontext()


def iter_batches(
    items: Sequence[T],
    step: Callable[[list[T]], Sequence[R]],
    *,
    batch_size: int,
    length: Callable[[T], int] = len,  # type: ignore[assignment]
    stats: InferenceStats | None = None,
    progress: bool = False,
    desc: str = "predict",
    count: Callable[[list[int]], int] | None = None,
    total: int | None = None,
) -> Iterator[tuple[list[int], Sequence[R]]]:
    """Run `step` on length-sorted batches of `items`; yield (indices, one output per item).

    `step` gets the batch's items and returns their outputs (it builds tensors, calls
    the model and reads the results; use `to_device`/`to_cpu`). Only `step` is timed.
    `count(indices)` says how many examples a batch finishes, for the stats and the
    progress bar (default: its size; QA counts the questions whose last window it runs,
    called once per batch in order), `total` the sum of the counts. Yielding
    lets a caller decode batch by batch, so no more than one batch's outputs live at once."""
    total = len(items) if total is None else total
    with _no_grad(), progress_bar(total, progress, desc) as bar:
        for indices in length_sorted_batches(items, batch_size, key=length):
            batch = [items[i] for i in indices]
            done = len(indices) if count is None else count(indices)
            with maybe_batch(stats, done, sum(length(x) for x in batch)):
                outputs = step(batch)
            if len(outputs) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} inputs gave {len(outputs)} outputs")
            yield indices, outputs
            bar.update(done)


def run_batches(items: Sequence[T], step: Callable[[list[T]], Sequence[R]], **kwargs: Any) -> list[R]:
    """`iter_batches`, collected in input order."""
    out: list[Any] = [None] * len(items)
    for indices, outputs in iter_batches(items, step, **kwargs):
        for i, output in zip(indices, outputs):
            out[i] = output
    return out


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last shorter): stream a long input through the loop
    a bounded piece at a time."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
