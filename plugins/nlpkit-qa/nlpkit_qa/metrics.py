"""SQuAD exact match and F1, exactly as the official evaluation scripts compute them.

``squad`` follows ``evaluate-v1.1.py`` and ``squad_v2`` follows ``evaluate-v2.0.py``
(Rajpurkar et al., https://rajpurkar.github.io/SQuAD-explorer/). Both normalise
answers the same way (lower case, no punctuation, no articles a/an/the, single
spaces) and keep the best score over a question's reference answers. They differ on
answers that normalise to nothing, and nlpkit keeps each script's rule:

- v1.1: every reference counts as given; F1 is 0 whenever no token is shared, so a
  reference ``"."`` against an empty prediction scores EM 100, F1 0. A question
  with no reference answer is an error (the script cannot score it).
- v2.0: references that normalise to nothing are dropped; a question left with none
  is unanswerable and only an empty prediction is right (EM = F1 = 100). The
  HasAns/NoAns split uses ``bool(answers)`` (a non-empty reference list), as the
  script does, not the normalised answers.

Scores are percentages (0–100). Predictions are answer strings; references are lists
of answer strings, one list per question, so the harness can resample questions.
The parity suite (``tests/test_parity_squad.py``) compares with re-implementations
of both scripts (``tests/reference/``) on fixtures and random answers.
"""

from __future__ import annotations

import collections
import re
import string
from typing import Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.metrics.base import NlpkitMetric

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower-case, drop punctuation and articles, collapse whitespace (official SQuAD rule)."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, reference: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(reference))


def _overlap_f1(pred_tokens: list[str], ref_tokens: list[str]) -> float:
    common = collections.Counter(pred_tokens) & collections.Counter(ref_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


def f1_v1(prediction: str, reference: str) -> float:
    """v1.1 token-overlap F1: 0 when nothing is shared, even if both normalise to empty."""
    return _overlap_f1(normalize_answer(prediction).split(), normalize_answer(reference).split())


def f1(prediction: str, reference: str) -> float:
    """v2.0 token-overlap F1: if either side is empty, 1 when both are, else 0."""
    pred_tokens = normalize_answer(prediction).split()
    ref_tokens = normalize_answer(reference).split()
    if not pred_tokens or not ref_tokens:
        return float(pred_tokens == ref_tokens)
    return _overlap_f1(pred_tokens, ref_tokens)


def per_example_v1(prediction: str, references: list[str]) -> tuple[float, float]:
    """(exact match, F1) of one v1.1 prediction: the best over its references."""
    return max(exact_match(prediction, r) for r in references), max(f1_v1(prediction, r) for r in references)


def per_example_v2(prediction: str, references: list[str]) -> tuple[float, float]:
    """(exact match, F1) of one v2.0 prediction: the best over its references that do not
    normalise to nothing; with none left, only an empty prediction is right."""
    golds = [r for r in references if normalize_answer(r)] or [""]
    return max(exact_match(prediction, g) for g in golds), max(f1(prediction, g) for g in golds)


def _check(predictions: list[Any], references: list[Any]) -> None:
    if len(predictions) != len(references):
        raise NlpkitError(f"{len(predictions)} predictions but {len(references)} references")


def _percent(values: list[float]) -> float:
    return 100.0 * sum(values) / len(values) if values else 0.0


_FEATURES = {"predictions": "string", "references": ["string"]}


class Squad(NlpkitMetric):
    """SQuAD v1.1 (``evaluate-v1.1.py``): exact match and F1 (percent), max over reference answers."""

    description = "SQuAD v1.1 exact match and F1 as evaluate-v1.1.py (official normalisation, max over reference answers), in percent."
    citation = "Rajpurkar et al. 2016, SQuAD: 100,000+ Questions for Machine Comprehension of Text"
    features = _FEATURES
    main_key = "f1"

    @staticmethod
    def per_example(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, list[float]]:
        """Per-question EM and F1 ×100, whose means are `score` (lets bootstrap skip re-scoring)."""
        pairs = _v1_pairs(predictions, references)
        return {"exact_match": [100.0 * em for em, _ in pairs], "f1": [100.0 * f for _, f in pairs]}

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        pairs = _v1_pairs(predictions, references)
        return {"exact_match": _percent([em for em, _ in pairs]), "f1": _percent([f for _, f in pairs])}


def _v1_pairs(predictions: list[Any], references: list[Any]) -> list[tuple[float, float]]:
    _check(predictions, references)
    pairs = []
    for i, (prediction, refs) in enumerate(zip(predictions, references)):
        refs = list(refs)
        if not refs:
            raise NlpkitError(f"references[{i}] is empty: SQuAD v1.1 scores answerable questions only (use squad_v2 for unanswerable ones)")
        pairs.append(per_example_v1(prediction or "", refs))
    return pairs


class SquadV2(NlpkitMetric):
    """SQuAD v2.0 (``evaluate-v2.0.py``): exact match and F1 overall and split into
    HasAns (a non-empty reference list) and NoAns (an empty one) questions."""

    description = "SQuAD v2.0 exact/F1 as evaluate-v2.0.py, with the HasAns / NoAns breakdown (empty reference list = unanswerable)."
    citation = "Rajpurkar, Jia, Liang 2018, Know What You Don't Know: Unanswerable Questions for SQuAD"
    features = _FEATURES
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        _check(predictions, references)
        result: dict[str, Any] = {}
        groups: dict[str, list[tuple[float, float]]] = {"": [], "HasAns_": [], "NoAns_": []}
        for prediction, refs in zip(predictions, references):
            refs = list(refs)
            pair = per_example_v2(prediction or "", refs)
            groups[""].append(pair)
            groups["HasAns_" if refs else "NoAns_"].append(pair)
        for prefix, pairs in groups.items():
            if prefix and not pairs:
                continue
            result[f"{prefix}exact"] = _percent([em for em, _ in pairs])
            result[f"{prefix}f1"] = _percent([f for _, f in pairs])
            result[f"{prefix}total"] = len(pairs)
        return result
