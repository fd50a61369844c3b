"""Length-sorted batching and per-batch timing."""

from __future__ import annotations

from nlpkit.inference import InferenceStats, length_sorted_batches


def test_batches_cover_every_index_once_longest_first() -> None:
    items = ["a", "abcd", "ab", "abcdef", "abc"]
    batches = list(length_sorted_batches(items, 2, key=len))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert sorted(i for b in batches for i in b) == list(range(5))
    assert batches[0] == [3, 1]


def test_stats_summarise_throughput_and_latency() -> None:
    stats = InferenceStats(batch_seconds=[0.1, 0.3], batch_examples=[10, 10], batch_tokens=[100, 300])
    summary = stats.summary()
    assert summary["examples"] == 20
    assert abs(summary["examples_per_second"] - 50.0) < 1e-9
    assert abs(summary["tokens_per_second"] - 1000.0) < 1e-9
    assert summary["batches"] == 2
