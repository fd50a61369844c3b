"""Corpus sacreBLEU and chrF (sacrebleu), with their signatures in the result.

References come per example (a list of one or more strings), so the harness can
resample examples; they are turned into sacrebleu's reference streams here, with
``None`` where an example has fewer references than the most (sacrebleu skips those).
"""

from __future__ import annotations

from typing import Any

from nlpkit.engines.metrics.base import NlpkitMetric

FEATURES = {"predictions": "string", "references": ["string"]}


def reference_streams(references: list[Any]) -> list[list[str | None]]:
    """Per-example reference lists → sacrebleu's one stream per reference position."""
    per_example = [[r] if isinstance(r, str) else list(r) for r in references]
    width = max((len(r) for r in per_example), default=1)
    return [[refs[k] if k < len(refs) else None for refs in per_example] for k in range(width)]


class SacreBleu(NlpkitMetric):
    """Corpus BLEU on detokenised text (sacrebleu's 13a tokenisation by default)."""

    description = "Corpus sacreBLEU (0-100) with its signature, brevity penalty and n-gram precisions."
    citation = "Post, 2018. A Call for Clarity in Reporting BLEU Scores."
    features = FEATURES
    main_key = "bleu"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], tokenize: str | None = None, lowercase: bool = False, **kwargs: Any) -> dict[str, Any]:
        from sacrebleu.metrics import BLEU

        metric = BLEU(tokenize=tokenize, lowercase=lowercase)
        result = metric.corpus_score(list(predictions), reference_streams(references))
        return SacreBleu._result(metric, result)

    @staticmethod
    def statistics(predictions: list[Any], references: list[Any], tokenize: str | None = None, lowercase: bool = False, **kwargs: Any) -> list[list[float]]:
        """sacrebleu's per-sentence counts (lengths, n-gram matches and totals)."""
        from sacrebleu.metrics import BLEU

        return BLEU(tokenize=tokenize, lowercase=lowercase)._extract_corpus_statistics(list(predictions), reference_streams(references))

    @staticmethod
    def from_statistics(summed: Any, tokenize: str | None = None, lowercase: bool = False, **kwargs: Any) -> dict[str, Any]:
        from sacrebleu.metrics import BLEU

        metric = BLEU(tokenize=tokenize, lowercase=lowercase)
        return SacreBleu._result(metric, metric._compute_score_from_stats([int(x) for x in summed]), signed=False)

    @staticmethod
    def _result(metric: Any, result: Any, signed: bool = True) -> dict[str, Any]:
        """The result dict; `signed=False` from summed statistics (sacrebleu knows no
        reference count there, and the bootstrap needs only the numbers)."""
        return {
            "bleu": float(result.score),
            **({"signature": str(metric.get_signature())} if signed else {}),
            "bp": float(result.bp),
            "precisions": [float(p) for p in result.precisions],
            "sys_len": int(result.sys_len),
            "ref_len": int(result.ref_len),
        }


class Chrf(NlpkitMetric):
    """Corpus chrF (character n-gram F-score; `word_order=2` gives chrF++)."""

    description = "Corpus chrF (0-100) with its signature."
    citation = "Popović, 2015. chrF: character n-gram F-score for automatic MT evaluation."
    features = FEATURES
    main_key = "chrf"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], word_order: int = 0, **kwargs: Any) -> dict[str, Any]:
        from sacrebleu.metrics import CHRF

        metric = CHRF(word_order=word_order)
        result = metric.corpus_score(list(predictions), reference_streams(references))
        return {"chrf": float(result.score), "signature": str(metric.get_signature())}

    @staticmethod
    def statistics(predictions: list[Any], references: list[Any], word_order: int = 0, **kwargs: Any) -> list[list[float]]:
        """sacrebleu's per-sentence character and word n-gram counts."""
        from sacrebleu.metrics import CHRF

        return CHRF(word_order=word_order)._extract_corpus_statistics(list(predictions), reference_streams(references))

    @staticmethod
    def from_statistics(summed: Any, word_order: int = 0, **kwargs: Any) -> dict[str, Any]:
        from sacrebleu.metrics import CHRF

        metric = CHRF(word_order=word_order)
        return {"chrf": float(metric._compute_score_from_stats([int(x) for x in summed]).score)}
