"""Relation extraction metrics: strict relation F1 and the SemEval-2010 Task 8 official score.

Strict (SpERT's "RE+"): a predicted relation is right only when both argument spans,
both entity types and the relation type equal a gold relation. Each prediction /
reference is the list of one sentence's relations, each relation a sequence
``(head_start, head_end, head_type, tail_start, tail_end, tail_type, type)``.

SemEval-2010 Task 8 (the official scorer's "(9+1)-way, directionality taken into
account"): per relation R of the 9 (direction stripped), P = right label with right
direction / predicted as R in either direction, R = the same / gold R in either
direction; macro-F1 is the mean of the 9 per-relation F1s; ``Other`` is left out.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from nlpkit.metrics.base import NlpkitMetric
from nlpkit_ner.metrics.entities import prf

RELATION = [["string"]]


class RelationF1(NlpkitMetric):
    """Strict relation P/R/F1: micro, macro over relation types, and per type."""

    description = "Strict relation F1 (both spans, both entity types and the relation type right), micro and macro."
    citation = "Eberts & Ulges 2020 (SpERT), Taillé et al. 2020"
    features = {"predictions": RELATION, "references": RELATION}
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], types: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        correct: Counter[str] = Counter()
        predicted: Counter[str] = Counter()
        gold: Counter[str] = Counter()
        for pred, ref in zip(predictions, references, strict=True):
            p = {tuple(str(x) for x in r) for r in pred}
            g = {tuple(str(x) for x in r) for r in ref}
            predicted.update(r[-1] for r in p)
            gold.update(r[-1] for r in g)
            correct.update(r[-1] for r in p & g)
        labels = list(types) if types is not None else sorted(set(gold) | set(predicted))
        per_type = {t: {**prf(correct[t], predicted[t], gold[t]), "support": gold[t]} for t in labels}
        micro = prf(sum(correct[t] for t in labels), sum(predicted[t] for t in labels), sum(gold[t] for t in labels))
        macro = {k: sum(v[k] for v in per_type.values()) / len(per_type) if per_type else 0.0 for k in ("precision", "recall", "f1")}
        return {**micro, "macro_precision": macro["precision"], "macro_recall": macro["recall"], "macro_f1": macro["f1"], "support": sum(gold.values()), "per_type": per_type}


def undirected(label: str) -> str:
    """``Cause-Effect(e2,e1)`` → ``Cause-Effect``."""
    return label.split("(", 1)[0]


class SemEvalF1(NlpkitMetric):
    """The SemEval-2010 Task 8 official macro-F1 (9 relations, direction counted, Other excluded).

    predictions / references: one directional label per sentence."""

    description = "SemEval-2010 Task 8 official score: macro-F1 over 9 relations, directionality taken into account, Other excluded."
    citation = "Hendrickx et al. 2010"
    features = {"predictions": "string", "references": "string"}
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], other: str = "Other", **kwargs: Any) -> dict[str, Any]:
        correct: Counter[str] = Counter()
        predicted: Counter[str] = Counter()
        gold: Counter[str] = Counter()
        for pred, ref in zip(predictions, references, strict=True):
            predicted[undirected(pred)] += 1
            gold[undirected(ref)] += 1
            if pred == ref:
                correct[undirected(ref)] += 1
        relations = sorted((set(gold) | set(predicted)) - {other})
        per_type = {r: {**prf(correct[r], predicted[r], gold[r]), "support": gold[r]} for r in relations}
        n = len(per_type) or 1
        macro = {k: sum(v[k] for v in per_type.values()) / n for k in ("precision", "recall", "f1")}
        accuracy = sum(p == r for p, r in zip(predictions, references)) / len(references) if references else 0.0
        return {**macro, "accuracy": accuracy, "per_type": per_type}
