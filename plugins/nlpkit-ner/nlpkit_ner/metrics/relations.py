"""Relation extraction metrics: strict relation F1 and the SemEval-2010 Task 8 official score.

Strict relation F1 (SpERT's "RE+", ``spert/evaluator.py``): a predicted relation is
right only when both argument spans, both entity types and the relation type equal a
gold relation; micro and macro averages over the relation types seen in gold or
predictions. Each prediction / reference is the list of one sentence's relations,
each a sequence ``(head_start, head_end, head_type, tail_start, tail_end, tail_type, type)``.
Relation types named in `symmetric` are undirected: as SpERT does, their two arguments
are put in text order (the one that starts first is the head) in gold and predictions
before comparing. The datasets say which types are symmetric (CoNLL04 and ADE: none).

SemEval-2010 Task 8: the official scorer's score, ``semeval2010_task8_scorer-v1.2.pl``
(Nakov 2010), evaluation (iii), "(9+1)-way classification with directionality taken
into account": per relation R (direction stripped), P = right label and direction /
(predicted R, plus gold-R examples predicted as R in the wrong direction), R = the
same / gold R; the macro-F1 is the mean over the relations of the *answer key*
(``Other`` excluded), so a relation that is only predicted lowers precision elsewhere
but is not averaged in.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.metrics.base import NlpkitMetric
from nlpkit_ner.metrics.entities import prf

RELATION = [["string"]]


def _position(value: Any) -> tuple[int, str]:
    """Sort key of a span start given as int or string."""
    text = str(value)
    return (int(text), "") if text.lstrip("-").isdigit() else (0, text)


def canonical(relation: Any, symmetric: frozenset[str]) -> tuple[str, ...]:
    """A relation as a tuple of strings; a symmetric type's arguments in text order
    (swapped when the tail starts before the head, as SpERT's `_adjust_rel`)."""
    r = tuple(str(x) for x in relation)
    if len(r) != 7:
        raise NlpkitError(f"a relation has {len(r)} fields, expected 7 (head_start, head_end, head_type, tail_start, tail_end, tail_type, type): {r!r}")
    if r[6] in symmetric and _position(r[3]) < _position(r[0]):
        r = (*r[3:6], *r[0:3], r[6])
    return r


class RelationF1(NlpkitMetric):
    """Strict relation P/R/F1: micro, macro over relation types, and per type."""

    description = "Strict relation F1 (both spans, both entity types and the relation type right), micro and macro, as SpERT's evaluator."
    citation = "Eberts & Ulges 2020 (SpERT), Taillé et al. 2020"
    features = {"predictions": RELATION, "references": RELATION}
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], types: list[str] | None = None, symmetric: list[str] | tuple[str, ...] = (), **kwargs: Any) -> dict[str, Any]:
        if len(predictions) != len(references):
            raise NlpkitError(f"{len(predictions)} predictions but {len(references)} references")
        undirected = frozenset(symmetric)
        correct: Counter[str] = Counter()
        predicted: Counter[str] = Counter()
        gold: Counter[str] = Counter()
        for pred, ref in zip(predictions, references):
            p = {canonical(r, undirected) for r in pred}
            g = {canonical(r, undirected) for r in ref}
            predicted.update(r[-1] for r in p)
            gold.update(r[-1] for r in g)
            correct.update(r[-1] for r in p & g)
        labels = list(types) if types is not None else sorted(set(gold) | set(predicted))
        per_type = {t: {**prf(correct[t], predicted[t], gold[t]), "support": gold[t]} for t in labels}
        micro = prf(sum(correct[t] for t in labels), sum(predicted[t] for t in labels), sum(gold[t] for t in labels))
        macro = {k: sum(v[k] for v in per_type.values()) / len(per_type) if per_type else 0.0 for k in ("precision", "recall", "f1")}
        return {
            **micro, "macro_precision": macro["precision"], "macro_recall": macro["recall"], "macro_f1": macro["f1"],
            "support": sum(gold.values()), "per_type": per_type, "symmetric": sorted(undirected),
        }


_DIRECTION = re.compile(r"\(e[12],e[12]\)$")


def undirected(label: str) -> str:
    """``Cause-Effect(e2,e1)`` → ``Cause-Effect`` (the scorer's ``s/\\(e[12],e[12]\\)$//``)."""
    return _DIRECTION.sub("", label)


class SemEvalF1(NlpkitMetric):
    """The SemEval-2010 Task 8 official macro-F1 (relations of the key, direction counted, Other excluded).

    predictions / references: one directional label per sentence (``Other`` or
    ``Relation(e1,e2)`` / ``Relation(e2,e1)``)."""

    description = "SemEval-2010 Task 8 official score (scorer v1.2, evaluation iii): macro-F1 over the key's relations, directionality taken into account, Other excluded."
    citation = "Hendrickx et al. 2010; semeval2010_task8_scorer-v1.2.pl (Nakov)"
    features = {"predictions": "string", "references": "string"}
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], other: str = "Other", **kwargs: Any) -> dict[str, Any]:
        if len(predictions) != len(references):
            raise NlpkitError(f"{len(predictions)} predictions but {len(references)} references")
        for name, labels in (("predictions", predictions), ("references", references)):
            for i, label in enumerate(labels):
                if label != other and not _DIRECTION.search(str(label)):
                    raise NlpkitError(f"{name}[{i}]: label {label!r} is neither {other!r} nor a directional relation like 'Cause-Effect(e1,e2)'")
        correct: Counter[str] = Counter()  # right relation, right direction
        proposed: Counter[str] = Counter()  # predicted R, except wrong-direction predictions of a gold R
        wrong_direction: Counter[str] = Counter()  # gold R predicted as R in the other direction
        gold: Counter[str] = Counter()
        for pred, ref in zip(predictions, references):
            p, g = undirected(pred), undirected(ref)
            gold[g] += 1
            if pred == ref:
                correct[g] += 1
                proposed[p] += 1
            elif p == g:
                wrong_direction[g] += 1
            else:
                proposed[p] += 1
        relations = sorted(set(gold) - {other})
        if not relations:
            raise NlpkitError(f"the references hold no relation but {other!r}: the SemEval macro-F1 averages over the key's relations and is undefined")
        per_type = {}
        for r in relations:
            precision = correct[r] / (proposed[r] + wrong_direction[r]) if proposed[r] else 0.0
            recall = correct[r] / gold[r]
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            per_type[r] = {"precision": precision, "recall": recall, "f1": f1, "support": gold[r]}
        macro = {k: sum(v[k] for v in per_type.values()) / len(relations) for k in ("precision", "recall", "f1")}
        micro = prf(sum(correct[r] for r in relations), sum(proposed[r] + wrong_direction[r] for r in relations), sum(gold[r] for r in relations))
        accuracy = sum(p == r for p, r in zip(predictions, references)) / len(references)
        return {
            **macro, "micro_precision": micro["precision"], "micro_recall": micro["recall"], "micro_f1": micro["f1"],
            "accuracy": accuracy, "per_type": per_type,
            "predicted_not_in_key": sorted(set(proposed) - set(gold) - {other}),
        }
