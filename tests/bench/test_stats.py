"""Bootstrap intervals: seeded, and the fast paths agree with re-scoring."""

from __future__ import annotations

import random

import pytest

from nlpkit.bench.stats import bootstrap
from nlpkit.engines.metrics.classification import Accuracy


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


def _ratio_score(predictions, references, **kwargs):
    """A corpus metric that is not a mean over examples: matched characters / predicted characters."""
    stats = _ratio_statistics(predictions, references)
    return _ratio_from_statistics([sum(col) for col in zip(*stats)])


def _ratio_statistics(predictions, references, **kwargs):
    return [[sum(a == b for a, b in zip(p, r)), len(p)] for p, r in zip(predictions, references)]


def _ratio_from_statistics(summed, **kwargs):
    return {"ratio": summed[0] / summed[1] if summed[1] else 0.0}


def test_summed_statistics_fast_path_matches_rescoring_a_corpus_metric() -> None:
    rng = random.Random(1)
    refs = ["".join(rng.choice("ab") for _ in range(rng.randint(1, 12))) for _ in range(60)]
    preds = ["".join(c if rng.random() < 0.7 else rng.choice("ab") for c in r) for r in refs]
    slow = bootstrap(_ratio_score, preds, refs, {}, resamples=40, seed=2)
    fast = bootstrap(_ratio_score, preds, refs, {}, resamples=40, seed=2, statistics=_ratio_statistics, from_statistics=_ratio_from_statistics)
    assert fast["ratio"] == pytest.approx(slow["ratio"])
