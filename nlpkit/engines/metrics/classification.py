"""Accuracy and F1 for label predictions (sentiment, relation classification, …).

Labels may be strings or integers; they are compared as given.
"""

from __future__ import annotations

from typing import Any

from nlpkit.engines.metrics.base import NlpkitMetric


class Accuracy(NlpkitMetric):
    """Fraction of predictions equal to their reference."""

    description = "Accuracy: the fraction of predicted labels equal to the reference label."
    features = {"predictions": "string", "references": "string"}
    main_key = "accuracy"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        from sklearn.metrics import accuracy_score

        return {"accuracy": float(accuracy_score(references, predictions))}

    @staticmethod
    def per_example(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, list[float]]:
        """Per-example scores whose mean is the metric (lets bootstrap skip re-scoring)."""
        return {"accuracy": [float(p == r) for p, r in zip(predictions, references)]}


class F1(NlpkitMetric):
    """F1 over labels: `average="macro"` (default), `"micro"` or `"weighted"`; per-label F1 too.

    `labels=[…]` fixes the label set (labels never predicted nor seen still count in
    the macro average), and `ignore=[…]` leaves labels out of the average, as the
    SemEval-2010 Task 8 scorer leaves out `Other`.
    """

    description = "F1 over labels (macro by default), with per-label precision, recall and F1."
    features = {"predictions": "string", "references": "string"}
    main_key = "f1"

    @staticmethod
    def score(
        predictions: list[Any],
        references: list[Any],
        average: str = "macro",
        labels: list[Any] | None = None,
        ignore: list[Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        from sklearn.metrics import precision_recall_fscore_support

        label_set = list(labels) if labels is not None else sorted(set(references) | set(predictions), key=str)
        if ignore:
            label_set = [label for label in label_set if label not in set(ignore)]
        p, r, f, support = precision_recall_fscore_support(
            references, predictions, labels=label_set, average=None, zero_division=0
        )
        mp, mr, mf, _ = precision_recall_fscore_support(
            references, predictions, labels=label_set, average=average, zero_division=0
        )
        per_label = {
            str(label): {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(support[i])}
            for i, label in enumerate(label_set)
        }
        return {"f1": float(mf), "precision": float(mp), "recall": float(mr), "average": average, "per_label": per_label}
