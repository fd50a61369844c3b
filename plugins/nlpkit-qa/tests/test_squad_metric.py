"""SQuAD exact match and F1 (nlpkit_qa/metrics.py), registered by this plugin."""

from __future__ import annotations

import pytest

from nlpkit_qa.metrics import Squad, SquadV2, normalize_answer


def test_normalisation_drops_case_punctuation_articles_and_spaces() -> None:
    assert normalize_answer("  The  Denver-Broncos!  ") == "denverbroncos"
    assert normalize_answer("an apple, a pear") == "apple pear"


def test_v1_takes_the_best_reference_per_question() -> None:
    result = Squad.score(["Denver Broncos", "the Panthers", "nothing"], [["Broncos", "Denver Broncos"], ["Carolina Panthers"], ["x"]])
    assert result["exact_match"] == pytest.approx(100 / 3)
    assert result["f1"] == pytest.approx(100 * (1 + 2 / 3) / 3)


def test_v2_scores_unanswerable_questions_and_breaks_down_by_kind() -> None:
    result = SquadV2.score(["", "Denver", "Broncos"], [[], [], ["Denver Broncos"]])
    assert result["NoAns_exact"] == 50.0 and result["NoAns_total"] == 2
    assert result["HasAns_exact"] == 0.0 and result["HasAns_f1"] == pytest.approx(100 * 2 / 3)
    assert result["total"] == 3 and result["exact"] == pytest.approx(100 / 3)


def test_metric_is_an_evaluate_metric() -> None:
    metric = Squad()
    metric.add_batch(predictions=["a cat"], references=[["the cat"]])
    assert metric.compute() == {"exact_match": 100.0, "f1": 100.0}


def test_mismatched_lengths_are_an_error() -> None:
    with pytest.raises(ValueError):
        Squad.score(["a"], [])
