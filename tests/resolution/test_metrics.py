"""Classification metrics: values against hand-computed ones, and the evaluate API."""

from __future__ import annotations

import pytest

from nlpkit.resolution import metrics


def test_accuracy_counts_exact_label_matches() -> None:
    assert metrics.score("accuracy", ["a", "b", "a", "a"], ["a", "b", "b", "a"]) == {"accuracy": 0.75}


def test_f1_is_macro_by_default_with_per_label_scores() -> None:
    result = metrics.score("f1", ["a", "a", "b", "b"], ["a", "b", "b", "b"])
    # a: p=1/2 r=1 f=2/3 ; b: p=1 r=2/3 f=4/5 ; macro = (2/3 + 4/5) / 2
    assert result["f1"] == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert result["per_label"]["b"]["support"] == 3


def test_f1_can_ignore_a_label_like_semeval_other() -> None:
    result = metrics.score("f1", ["x", "Other", "y"], ["x", "y", "y"], ignore=["Other"])
    assert set(result["per_label"]) == {"x", "y"}


def test_metrics_work_through_the_evaluate_api_without_the_hub() -> None:
    metric = metrics.load_metric("accuracy")
    metric.add_batch(predictions=["a", "b"], references=["a", "a"])
    assert metric.compute() == {"accuracy": 0.5}
