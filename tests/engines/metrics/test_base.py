"""The metric base class: pure `score` without `evaluate`; an `evaluate.Metric` on demand."""

from __future__ import annotations

import subprocess
import sys


def test_scoring_through_the_registry_does_not_import_evaluate_or_datasets() -> None:
    code = (
        "import sys; from nlpkit.resolution import metrics; "
        "print(metrics.score('f1', ['a', 'b'], ['a', 'a'])['f1']); "
        "print(sorted(m for m in ('evaluate', 'datasets', 'torch') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    f1, imported = done.stdout.splitlines()
    assert float(f1) == (2 / 3 + 0) / 2
    assert imported == "[]"


def test_instantiating_a_metric_class_gives_an_evaluate_metric_of_that_class() -> None:
    import evaluate

    from nlpkit.engines.metrics.classification import Accuracy

    metric = Accuracy()
    assert isinstance(metric, evaluate.Metric) and isinstance(metric, Accuracy)
    metric.add_batch(predictions=["x", "y", "y"], references=["x", "y", "x"])
    assert metric.compute() == {"accuracy": 2 / 3}


def test_plain_feature_descriptions_become_datasets_features() -> None:
    import datasets

    from nlpkit.engines.metrics.base import to_datasets_features

    features = to_datasets_features({"predictions": "string", "references": [["string"]]})
    assert features == datasets.Features({"predictions": datasets.Value("string"), "references": datasets.Sequence(datasets.Sequence(datasets.Value("string")))})
