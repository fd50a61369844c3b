"""sacreBLEU / chrF metrics of this plugin: the harness's summed-statistics bootstrap path."""

from __future__ import annotations

import random

import pytest

from nlpkit.bench.stats import bootstrap
from nlpkit_translation.metrics import Chrf, SacreBleu


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
