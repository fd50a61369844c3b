"""ROUGE-1/2/L/Lsum (rouge-score, Porter stemming), max over references; mean summary length.

Each prediction is scored against each of its references and the best F1 per ROUGE
type is kept (the SciTLDR convention for multi-reference test sets), then averaged
over examples. ROUGE-Lsum needs one sentence per line: sentences are split with
`nlpkit_summarization.sentences` (rouge-score's splitter needs NLTK data that is not offline).
Scores are fractions in [0, 1]. Per-pair scores are cached, so the harness's
bootstrap resamples cost almost nothing after the first pass.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from nlpkit.metrics.base import NlpkitMetric

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


class Rouge(NlpkitMetric):
    """ROUGE F1 per type (max over each example's references) and mean prediction length in words."""

    description = "ROUGE-1/2/L/Lsum F1 with stemming, max over references; mean summary length in words."
    citation = "Lin, 2004. ROUGE: A Package for Automatic Evaluation of Summaries."
    features = {"predictions": "string", "references": ["string"]}
    main_key = "rougeL"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], rouge_types: tuple[str, ...] | list[str] = ROUGE_TYPES, use_stemmer: bool = True, **kwargs: Any) -> dict[str, Any]:
        if len(predictions) != len(references):
            raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
        types = tuple(rouge_types)
        totals = dict.fromkeys(types, 0.0)
        for prediction, refs in zip(predictions, references):
            refs = (refs,) if isinstance(refs, str) else tuple(refs)
            for name, value in zip(types, best_scores(prediction, refs, types, use_stemmer)):
                totals[name] += value
        n = max(len(predictions), 1)
        result: dict[str, Any] = {name: totals[name] / n for name in types}
        result["length_words"] = sum(len(p.split()) for p in predictions) / n
        result["examples"] = len(predictions)
        return result


@lru_cache(maxsize=None)
def _scorer(rouge_types: tuple[str, ...], use_stemmer: bool) -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(rouge_types), use_stemmer=use_stemmer)


@lru_cache(maxsize=100_000)
def best_scores(prediction: str, references: tuple[str, ...], rouge_types: tuple[str, ...], use_stemmer: bool) -> tuple[float, ...]:
    """Best F1 over `references` per ROUGE type. Cached: bootstrap resamples score the
    same pairs again and again, and rouge-score's stemming is slow."""
    from nlpkit_summarization.sentences import split_sentences

    scorer = _scorer(rouge_types, use_stemmer)
    summary_level = "rougeLsum" in rouge_types
    pred = "\n".join(split_sentences(prediction)) if summary_level else prediction
    best = dict.fromkeys(rouge_types, 0.0)
    for ref in references:
        ref_text = "\n".join(split_sentences(ref)) if summary_level else ref
        for name, value in scorer.score(ref_text, pred).items():
            best[name] = max(best[name], value.fmeasure)
    return tuple(best[name] for name in rouge_types)
