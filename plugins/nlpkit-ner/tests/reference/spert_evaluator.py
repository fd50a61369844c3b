"""SpERT's relation scoring, re-implemented for the parity tests.

Source: ``spert/evaluator.py`` of SpERT (Eberts & Ulges 2020, MIT licence,
https://github.com/lavis-nlp/spert): `_adjust_rel` (symmetric relation types get their
arguments in text order), `_score` (the union of gold and predicted tuples of each
sentence flattened into two label lists, 0 = none) and `_compute_metrics`
(scikit-learn's `precision_recall_fscore_support` over the types seen, per type,
micro and macro, zero_division=0). Relations are ``(head, tail, type)`` with
``head``/``tail`` = ``(start, end, entity_type)``, as SpERT's "RE+" (with entity types).
"""

from __future__ import annotations

from sklearn.metrics import precision_recall_fscore_support as prfs


def adjust_rel(rel, symmetric):
    head, tail, rel_type = rel
    if rel_type in symmetric and tail[0] < head[0]:
        return tail, head, rel_type
    return rel


def score(gt, pred, symmetric=()):
    """gt / pred: per sentence, a list of (head, tail, type). Returns SpERT's figures (fractions)."""
    gt = [[adjust_rel(r, symmetric) for r in sample] for sample in gt]
    pred = [[adjust_rel(r, symmetric) for r in sample] for sample in pred]
    type_index = {}
    gt_flat, pred_flat, types = [], [], set()
    for sample_gt, sample_pred in zip(gt, pred):
        union = set(sample_gt) | set(sample_pred)
        for s in union:
            index = type_index.setdefault(s[2], len(type_index) + 1)
            if s in sample_gt:
                gt_flat.append(index)
                types.add(s[2])
            else:
                gt_flat.append(0)
            if s in sample_pred:
                pred_flat.append(index)
                types.add(s[2])
            else:
                pred_flat.append(0)
    labels = [type_index[t] for t in sorted(types)]
    if not labels:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "macro_f1": 0.0}
    micro = prfs(gt_flat, pred_flat, labels=labels, average="micro", zero_division=0)
    macro = prfs(gt_flat, pred_flat, labels=labels, average="macro", zero_division=0)
    return {"precision": micro[0], "recall": micro[1], "f1": micro[2], "macro_precision": macro[0], "macro_recall": macro[1], "macro_f1": macro[2]}
