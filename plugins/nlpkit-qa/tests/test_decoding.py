"""Span search over logits and ranking over windows."""

from __future__ import annotations

import itertools
import math

import torch

from nlpkit_qa.decoding import Candidates, rank, window_spans


def brute_force(start: list[float], end: list[float], mask: list[bool], max_len: int) -> tuple[float, int, int]:
    pairs = [(start[i] + end[j], i, j) for i, j in itertools.product(range(len(start)), repeat=2) if mask[i] and mask[j] and i <= j < i + max_len]
    return max(pairs)


def test_window_search_finds_the_exact_best_span_within_length_and_context() -> None:
    generator = torch.Generator().manual_seed(0)
    start, end = torch.randn(4, 25, generator=generator), torch.randn(4, 25, generator=generator)
    mask = torch.ones(4, 25, dtype=torch.bool)
    mask[:, :6] = False  # question and [CLS]
    mask[:, -1] = False  # [SEP]
    spans = window_spans(start, end, mask, max_answer_length=5, n_best=3)
    for b in range(4):
        score, i, j = brute_force(start[b].tolist(), end[b].tolist(), mask[b].tolist(), 5)
        assert spans[b][0][1:] == (i, j) and math.isclose(spans[b][0][0], score, rel_tol=1e-6)
        assert [s for s, _, _ in spans[b]] == sorted((s for s, _, _ in spans[b]), reverse=True)


def test_end_before_start_and_non_context_tokens_are_never_chosen() -> None:
    start = torch.tensor([[0.0, 0.0, 0.0, 9.0]])  # best start is the last token …
    end = torch.tensor([[9.0, 0.0, 5.0, 0.0]])  # … best end the first (not context)
    mask = torch.tensor([[False, True, True, True]])
    ((score, i, j),) = window_spans(start, end, mask, max_answer_length=30, n_best=1)[0:1][0][:1]
    assert i <= j and mask[0, i] and mask[0, j]
    assert (i, j) == (3, 3) and score == 9.0


def test_same_span_from_two_windows_is_ranked_once_with_its_best_score() -> None:
    found = Candidates()
    found.add(4, 7, 1.0)
    found.add(4, 7, 3.0)
    found.add(0, 3, 2.0)
    answers = rank(found, "The cat sat", top_k=3)
    assert [(a.text, a.start, a.end) for a in answers] == [("cat", 4, 7), ("The", 0, 3)]
    assert math.isclose(sum(a.score for a in answers), 1.0)


def test_no_answer_wins_only_above_the_threshold() -> None:
    found = Candidates()
    found.add(0, 3, 2.0)
    found.add_null(5.0)
    found.add_null(3.0)  # the lowest [CLS] score over windows counts
    assert rank(found, "The cat", no_answer_threshold=0.0)[0].text == ""
    assert rank(found, "The cat", no_answer_threshold=1.5)[0].text == "The"
    assert rank(found, "The cat")[0].text == "The"  # v1.1: always answer


def test_answer_text_is_trimmed_to_exact_offsets() -> None:
    found = Candidates()
    found.add(3, 9, 1.0)
    (answer,) = rank(found, "the  cat  sat")
    assert (answer.text, answer.start, answer.end) == ("cat", 5, 8)
