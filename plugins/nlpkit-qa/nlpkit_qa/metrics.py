"""SQuAD exact match and F1, with the official answer normalisation.

The arithmetic follows the official evaluation scripts (``evaluate-v1.1.py`` and
``evaluate-v2.0.py``): answers are lower-cased, stripped of punctuation, of the
articles a/an/the and of extra whitespace; each prediction scores the maximum
over its reference answers. An empty reference list means "unanswerable": only
an empty prediction is right (the v2.0 rule). Scores are percentages (0–100),
as the official scripts and published results report them.

Predictions are answer strings; references are lists of answer strings, one list
per example, so the harness can bootstrap by resampling examples.
"""

from __future__ import annotations

import collections
import re
import string
from typing import Any

from nlpkit.metrics.base import NlpkitMetric

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower-case, drop punctuation and articles, collapse whitespace (official SQuAD rule)."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, reference: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(reference))


def f1(prediction: str, reference: str) -> float:
    """Token-overlap F1 of normalised answers; two empty answers agree (v2.0 rule)."""
    pred_tokens = normalize_answer(prediction).split()
    ref_tokens = normalize_answer(reference).split()
    if not pred_tokens or not ref_tokens:
        return float(pred_tokens == ref_tokens)
    common = collections.Counter(pred_tokens) & collections.Counter(ref_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


def per_example(prediction: str, references: list[str]) -> tuple[float, float]:
    """(exact match, F1) of one prediction: the best over its references."""
    golds = [r for r in references if normalize_answer(r)] or [""]
    return max(exact_match(prediction, g) for g in golds), max(f1(prediction, g) for g in golds)


def _check(predictions: list[Any], references: list[Any]) -> None:
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")


def _percent(values: list[float]) -> float:
    return 100.0 * sum(values) / len(values) if values else 0.0


_FEATURES = {"predictions": "string", "references": ["string"]}


class Squad(NlpkitMetric):
    """SQuAD v1.1: exact match and F1 (percent), max over reference answers."""

    description = "SQuAD exact match and F1 (official normalisation, max over reference answers), in percent."
    citation = "Rajpurkar et al. 2016, SQuAD: 100,000+ Questions for Machine Comprehension of Text"
    features = _FEATURES
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        _check(predictions, references)
        pairs = [per_example(p or "", list(r)) for p, r in zip(predictions, references)]
        return {"exact_match": _percent([em for em, _ in pairs]), "f1": _percent([f for _, f in pairs])}


class SquadV2(NlpkitMetric):
    """SQuAD v2.0: exact match and F1 overall and split by answerable (HasAns) and
    unanswerable (NoAns) questions; an empty reference list marks an unanswerable one."""

    description = "SQuAD v2.0 exact/F1 with the HasAns / NoAns breakdown (empty references = unanswerable)."
    citation = "Rajpurkar, Jia, Liang 2018, Know What You Don't Know: Unanswerable Questions for SQuAD"
    features = _FEATURES
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        _check(predictions, references)
        result: dict[str, Any] = {}
        groups: dict[str, list[tuple[float, float]]] = {"": [], "HasAns_": [], "NoAns_": []}
        for prediction, refs in zip(predictions, references):
            pair = per_example(prediction or "", list(refs))
            groups[""].append(pair)
            groups["HasAns_" if any(normalize_answer(r) for r in refs) else "NoAns_"].append(pair)
        for prefix, pairs in groups.items():
            if prefix and not pairs:
                continue
            result[f"{prefix}exact"] = _percent([em for em, _ in pairs])
            result[f"{prefix}f1"] = _percent([f for _, f in pairs])
            result[f"{prefix}total"] = len(pairs)
        return result
