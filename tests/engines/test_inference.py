"""Length-sorted batching and per-batch timing."""

from __future__ import annotations

from nlpkit.engines.inference import InferenceStats, length_sorted_batches


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


# the loop ----------------------------------------------------------------------------------
def test_run_batches_gives_outputs_in_input_order_from_length_sorted_batches() -> None:
    from nlpkit.engines.inference import run_batches

    items = ["bb", "a", "dddd", "ccc", "eeeee"]
    seen: list[list[str]] = []

    def step(batch: list[str]) -> list[str]:
        seen.append(batch)
        return [x.upper() for x in batch]

    assert run_batches(items, step, batch_size=2) == ["BB", "A", "DDDD", "CCC", "EEEEE"]
    assert seen == [["eeeee", "dddd"], ["ccc", "bb"], ["a"]]


def test_the_loop_times_each_batch_with_examples_and_tokens() -> None:
    from nlpkit.engines.inference import run_batches

    stats = InferenceStats()
    run_batches(["aa", "b", "ccc"], lambda batch: batch, batch_size=2, stats=stats)
    assert stats.batch_examples == [2, 1] and stats.batch_tokens == [5, 1] and len(stats.batch_seconds) == 2


def test_a_count_function_decides_what_a_batch_finishes() -> None:
    from nlpkit.engines.inference import iter_batches

    stats = InferenceStats()
    owners = [0, 0, 1]  # two windows of example 0, one of example 1
    list(iter_batches(["xx", "x", "xxx"], lambda b: b, batch_size=2, stats=stats, count=lambda idx: len({owners[i] for i in idx}), total=2))
    assert stats.batch_examples == [2, 1]


def test_a_step_that_loses_outputs_is_an_error() -> None:
    import pytest

    from nlpkit.engines.inference import run_batches

    with pytest.raises(RuntimeError, match="a batch of 2 inputs gave 1 outputs"):
        run_batches(["a", "b"], lambda batch: batch[:1], batch_size=2)


def test_the_loop_runs_torch_steps_without_gradients_and_moves_tensors() -> None:
    import torch

    from nlpkit.engines.inference import run_batches, to_cpu, to_device

    weight = torch.nn.Parameter(torch.ones(1))

    def step(batch: list[float]) -> list[bool]:
        inputs = to_device({"x": torch.tensor(batch)}, torch.device("cpu"))
        out = to_cpu(inputs["x"] * weight)
        return [not out.requires_grad and not torch.is_grad_enabled()] * len(batch)

    assert run_batches([1.0, 2.0, 3.0], step, batch_size=2, length=lambda x: 1) == [True, True, True]
    half = to_cpu({"logits": torch.ones(2, dtype=torch.float16)})["logits"]
    assert half.dtype == torch.float32


def test_chunked_streams_bounded_pieces() -> None:
    from nlpkit.engines.inference import chunked

    pulled = []

    def source():
        for i in range(7):
            pulled.append(i)
            yield i

    pieces = chunked(source(), 3)
    assert next(pieces) == [0, 1, 2] and pulled == [0, 1, 2]  # nothing beyond the first chunk was read
    assert list(pieces) == [[3, 4, 5], [6]]
