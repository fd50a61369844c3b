"""Entity-level precision / recall / F1 for IOB2 tag sequences (CoNLL / seqeval strict).

An entity is right only when its type and both boundaries are right. Entities are
read in seqeval's strict IOB2 mode (`B-X I-X*`; a stray `I-` is no entity), so the
figures equal ``seqeval.metrics.classification_report(mode="strict", scheme=IOB2)``;
the arithmetic is done here, without seqeval's overhead, so bootstrapping is cheap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from nlpkit_ner.iob import strict_iob2_spans
from nlpkit.metrics.base import NlpkitMetric


def strict_iob2_entities(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """(start, end, type) of each strict-IOB2 entity in one tag sequence."""
    return set(strict_iob2_spans(tags))


def prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


class EntityF1(NlpkitMetric):
    """Micro P/R/F1 over entities, macro F1 over types, and a per-type table.

    predictions / references: one list of IOB2 tags per sentence, aligned."""

    description = "Entity-level precision, recall and F1 (strict IOB2, as seqeval / conlleval), micro and per type."
    citation = "Tjong Kim Sang & De Meulder 2003; seqeval (Nakayama 2018)"
    features = {"predictions": ["string"], "references": ["string"]}
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        correct: Counter[str] = Counter()
        predicted: Counter[str] = Counter()
        gold: Counter[str] = Counter()
        for pred_tags, gold_tags in zip(predictions, references, strict=True):
            if len(pred_tags) != len(gold_tags):
                raise ValueError(f"a prediction has {len(pred_tags)} tags where the reference has {len(gold_tags)}")
            p, g = strict_iob2_entities(pred_tags), strict_iob2_entities(gold_tags)
            predicted.update(t for _, _, t in p)
            gold.update(t for _, _, t in g)
            correct.update(t for _, _, t in p & g)
        types = sorted(set(gold) | set(predicted))
        per_type = {t: {**prf(correct[t], predicted[t], gold[t]), "support": gold[t]} for t in types}
        micro = prf(sum(correct.values()), sum(predicted.values()), sum(gold.values()))
        macro_f1 = sum(v["f1"] for v in per_type.values()) / len(per_type) if per_type else 0.0
        return {**micro, "macro_f1": macro_f1, "support": sum(gold.values()), "predicted": sum(predicted.values()), "per_type": per_type}
