"""ROUGE-1/2/L/Lsum (rouge-score, Porter stemming), max over references; mean summary length.

Each prediction is scored against each of its references and the best F1 per ROUGE
type is kept (rouge-score's ``score_multi``; the SciTLDR convention for multi-reference
test sets), then averaged over examples. Scores are fractions in [0, 1].

ROUGE-Lsum is rouge-score's: the summary-level LCS over the lines of each text, so a
text without newlines is one sentence (then Lsum equals ROUGE-L). Splitting into
sentences first is an explicit option, ``split_sentences=True`` (the metric
``rouge_sentences``), which puts each sentence of `nlpkit_summarization.sentences` on
its own line, as Hugging Face's summarization scripts do with NLTK (whose data is not
available offline here). Every result records which one was used in ``lsum_lines``.
Per-pair scores are cached, so the harness's bootstrap resamples cost almost nothing
after the first pass.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.metrics.base import NlpkitMetric

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
LSUM_LINES = {False: "newlines (as rouge-score)", True: "sentences (nlpkit_summarization.sentences, one per line)"}


class Rouge(NlpkitMetric):
    """ROUGE F1 per type (max over each example's references) and mean prediction length in words."""

    description = "ROUGE-1/2/L/Lsum F1 with stemming (rouge-score), max over references; mean summary length in words."
    citation = "Lin, 2004. ROUGE: A Package for Automatic Evaluation of Summaries."
    features = {"predictions": "string", "references": ["string"]}
    main_key = "rougeL"

    @staticmethod
    def score(
        predictions: list[Any],
        references: list[Any],
        rouge_types: tuple[str, ...] | list[str] = ROUGE_TYPES,
        use_stemmer: bool = True,
        split_sentences: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        if len(predictions) != len(references):
            raise NlpkitError(f"{len(predictions)} predictions but {len(references)} references")
        types = tuple(rouge_types)
        totals = dict.fromkeys(types, 0.0)
        for i, (prediction, refs) in enumerate(zip(predictions, references)):
            refs = (refs,) if isinstance(refs, str) else tuple(refs)
            if not refs:
                raise NlpkitError(f"references[{i}] is empty: ROUGE needs at least one reference summary")
            for name, value in zip(types, best_scores(prediction, refs, types, use_stemmer, bool(split_sentences))):
                totals[name] += value
        n = max(len(predictions), 1)
        result: dict[str, Any] = {name: totals[name] / n for name in types}
        result["length_words"] = sum(len(p.split()) for p in predictions) / n
        result["examples"] = len(predictions)
        if "rougeLsum" in types:
            result["lsum_lines"] = LSUM_LINES[bool(split_sentences)]
        return result


@lru_cache(maxsize=None)
def _scorer(rouge_types: tuple[str, ...], use_stemmer: bool) -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(rouge_types), use_stemmer=use_stemmer)


def sentence_lines(text: str) -> str:
    """`text` with one sentence per line (the ``split_sentences=True`` option)."""
    from nlpkit_summarization.sentences import split_sentences

    return "\n".join(split_sentences(text))


@lru_cache(maxsize=100_000)
def best_scores(prediction: str, references: tuple[str, ...], rouge_types: tuple[str, ...], use_stemmer: bool, split_sentences: bool = False) -> tuple[float, ...]:
    """Best F1 over `references` per ROUGE type. Cached: bootstrap resamples score the
    same pairs again and again, and rouge-score's stemming is slow."""
    scorer = _scorer(rouge_types, use_stemmer)
    if split_sentences:
        prediction, references = sentence_lines(prediction), tuple(sentence_lines(r) for r in references)
    best = dict.fromkeys(rouge_types, 0.0)
    for ref in references:
        for name, value in scorer.score(ref, prediction).items():
            best[name] = max(best[name], value.fmeasure)
    return tuple(best[name] for name in rouge_types)
