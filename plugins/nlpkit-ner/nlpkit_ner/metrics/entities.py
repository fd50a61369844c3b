"""Entity-level precision / recall / F1 over tag sequences, equal to seqeval.

Two modes, as in seqeval, and every result says which one it used:

- ``mode="default"`` (the metric named ``seqeval``): seqeval's default, the
  conlleval-style lenient reading (an `I-X` after `O` or after another type starts
  an entity), which `evaluate`'s ``seqeval`` and most papers report;
- ``mode="strict"`` (``seqeval_strict``): seqeval's ``mode="strict"`` with the
  declared scheme (a stray `I-` in IOB2 belongs to no entity).

`scheme` declares the tags: ``"IOB2"`` (default), ``"IOB1"`` (converted to IOB2
first, as the raw CoNLL-2003 files need) or ``"IOBES"``. A tag outside the scheme
(``S-PER`` under IOB2, lower-case ``b-per``), or a gold sequence that breaks it, is
an error naming the sequence and position, not a silently wrong number.

Entities are read with seqeval's own functions (cached per distinct sequence, so the
harness's bootstrap re-scores cheaply); the counting is the same as
``seqeval.metrics.classification_report``. The parity suite
(``tests/test_parity_seqeval.py``) compares the two on random cases.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.metrics.base import NlpkitMetric
from nlpkit_ner.iob import SCHEME_PREFIXES, SchemeError, check_scheme

MODES = ("default", "strict")


def prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


@lru_cache(maxsize=200_000)
def entities(tags: tuple[str, ...], mode: str, scheme: str) -> frozenset[tuple[int, int, str]]:
    """(start, end exclusive, type) of the entities seqeval reads in checked `tags`."""
    if mode == "default":
        from seqeval.metrics.sequence_labeling import get_entities

        return frozenset((start, end + 1, type_) for type_, start, end in get_entities(list(tags)))
    from seqeval.scheme import IOB2, IOBES, Tokens

    token_scheme = IOBES if scheme == "IOBES" else IOB2
    return frozenset((e.start, e.end, e.tag) for e in Tokens(list(tags), scheme=token_scheme).entities)


def _options(mode: str, scheme: str) -> tuple[str, str]:
    if mode not in MODES:
        raise NlpkitError(f"entity F1 mode {mode!r} is unknown; modes: {', '.join(MODES)}")
    if scheme.upper() not in SCHEME_PREFIXES:
        raise NlpkitError(f"tag scheme {scheme!r} is unknown; schemes: {', '.join(SCHEME_PREFIXES)}")
    return mode, scheme.upper()


class EntityF1(NlpkitMetric):
    """Micro P/R/F1 over entities, macro F1 over types, and a per-type table (seqeval's figures).

    predictions / references: one list of tags per sentence, aligned."""

    description = "Entity-level precision, recall and F1 as seqeval computes them (default: conlleval-style lenient; mode='strict'), micro and per type."
    citation = "Tjong Kim Sang & De Meulder 2003; seqeval (Nakayama 2018)"
    features = {"predictions": ["string"], "references": ["string"]}
    main_key = "f1"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], mode: str = "default", scheme: str = "IOB2", **kwargs: Any) -> dict[str, Any]:
        mode, scheme = _options(mode, scheme)
        if len(predictions) != len(references):
            raise NlpkitError(f"{len(predictions)} predicted tag sequences but {len(references)} references")
        correct: Counter[str] = Counter()
        predicted: Counter[str] = Counter()
        gold: Counter[str] = Counter()
        for n, (pred_tags, gold_tags) in enumerate(zip(predictions, references)):
            if len(pred_tags) != len(gold_tags):
                raise NlpkitError(f"predictions[{n}] has {len(pred_tags)} tags where references[{n}] has {len(gold_tags)}")
            try:
                p_tags = check_scheme(pred_tags, scheme, where=f"predictions[{n}]", gold=False)
                g_tags = check_scheme(gold_tags, scheme, where=f"references[{n}]", gold=True)
            except SchemeError as exc:
                raise NlpkitError(str(exc)) from None
            p, g = entities(tuple(p_tags), mode, scheme), entities(tuple(g_tags), mode, scheme)
            predicted.update(t for _, _, t in p)
            gold.update(t for _, _, t in g)
            correct.update(t for _, _, t in p & g)
        types = sorted(set(gold) | set(predicted))
        per_type = {t: {**prf(correct[t], predicted[t], gold[t]), "support": gold[t]} for t in types}
        micro = prf(sum(correct.values()), sum(predicted.values()), sum(gold.values()))
        macro_f1 = sum(v["f1"] for v in per_type.values()) / len(per_type) if per_type else 0.0
        return {
            **micro, "macro_f1": macro_f1, "support": sum(gold.values()), "predicted": sum(predicted.values()),
            "per_type": per_type, "mode": mode, "scheme": scheme,
        }
