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
    from nlpkit.contracts.errors import NlpkitError

    with pytest.raises(NlpkitError, match="1 predictions but 0 references"):
        Squad.score(["a"], [])


def test_v1_scores_a_gold_answer_that_normalises_to_empty_as_the_v1_script_does() -> None:
    # evaluate-v1.1.py: EM compares "" with "" (right), F1 shares no token (0)
    assert Squad.score([""], [["."]]) == {"exact_match": 100.0, "f1": 0.0}
    assert SquadV2.score([""], [["."]])["f1"] == 100.0  # the v2.0 rule: unanswerable, empty is right


def test_v2_splits_has_and_no_answer_by_the_reference_list_not_its_normalised_text() -> None:
    result = SquadV2.score(["", ""], [["."], []])
    assert result["HasAns_total"] == 1 and result["NoAns_total"] == 1


def test_v1_per_example_scores_average_to_the_score() -> None:
    preds, refs = ["Denver", "cat", ""], [["Denver Broncos"], ["the cat"], ["."]]
    per = Squad.per_example(preds, refs)
    assert [sum(v) / 3 for v in per.values()] == pytest.approx(list(Squad.score(preds, refs).values()))
