"""Bootstrap intervals: seeded, and the fast paths agree with re-scoring."""

from __future__ import annotations

import random

import pytest

from nlpkit.bench.stats import bootstrap
from nlpkit.metrics.classification import Accuracy
from nlpkit.metrics.sacrebleu import Chrf, SacreBleu


def test_same_seed_same_interval_and_the_interval_holds_the_value() -> None:
    preds = ["a", "b"] * 50
    refs = ["a"] * 100
    first = bootstrap(Accuracy.score, preds, refs, {}, resamples=300, seed=3)
    assert first == bootstrap(Accuracy.score, preds, refs, {}, resamples=300, seed=3)
    low, high = first["accuracy"]
    assert low < 0.5 < high


def test_per_example_fast_path_matches_rescoring() -> None:
    rng = random.Random(0)
    preds = [rng.choice("ab") for _ in range(200)]
    refs = [rng.choice("ab") for _ in range(200)]
    slow = bootstrap(Accuracy.score, preds, refs, {}, resamples=200, seed=1)
    fast = bootstrap(Accuracy.score, preds, refs, {}, resamples=200, seed=1, per_example=Accuracy.per_example)
    assert fast["accuracy"] == pytest.approx(slow["accuracy"])


@pytest.mark.parametrize(("metric", "key"), [(SacreBleu, "bleu"), (Chrf, "chrf")])
def test_summed_statistics_reproduce_corpus_scores_and_rescored_intervals(metric, key) -> None:
    words = "the a cat dog sat ran on under mat tree quickly slowly".split()
    rng = random.Random(1)
    refs = [[" ".join(rng.choice(words) for _ in range(8))] for _ in range(60)]
    preds = [" ".join(w if rng.random() < 0.7 else rng.choice(words) for w in r[0].split()) for r in refs]
    summed = [sum(col) for col in zip(*metric.statistics(preds, refs))]
    assert metric.from_statistics(summed)[key] == pytest.approx(metric.score(preds, refs)[key])
    slow = bootstrap(metric.score, preds, refs, {}, resamples=40, seed=2)
    fast = bootstrap(metric.score, preds, refs, {}, resamples=40, seed=2, statistics=metric.statistics, from_statistics=metric.from_statistics)
    assert fast[key] == pytest.approx(slow[key])
