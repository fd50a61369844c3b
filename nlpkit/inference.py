"""Shared inference plumbing: length-sorted batching and per-batch timing.

Sorting inputs by length before batching keeps padding (wasted compute) small;
results go back in input order. `InferenceStats` is how the benchmark harness
times a task's `predict` without knowing its internals: tasks call
`stats.batch(...)` around each model call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


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
