"""ROUGE-1/2/L/Lsum (rouge-score, Porter stemming), max over references; mean summary length.

Each prediction is scored against each of its references and the best F1 per ROUGE
type is kept (the SciTLDR convention for multi-reference test sets), then averaged
over examples. ROUGE-Lsum needs one sentence per line: sentences are split with
`nlpkit.sentences` (rouge-score's splitter needs NLTK data that is not offline).
Scores are fractions in [0, 1].
"""

from __future__ import annotations

from typing import Any

import datasets

from nlpkit.metrics.base import NlpkitMetric

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


class Rouge(NlpkitMetric):
    """ROUGE F1 per type (max over each example's references) and mean prediction length in words."""

    description = "ROUGE-1/2/L/Lsum F1 with stemming, max over references; mean summary length in words."
    citation = "Lin, 2004. ROUGE: A Package for Automatic Evaluation of Summaries."
    features = datasets.Features({"predictions": datasets.Value("string"), "references": datasets.Sequence(datasets.Value("string"))})
    main_key = "rougeL"

    @staticmethod
    def score(predictions: list[Any], references: list[Any], rouge_types: tuple[str, ...] | list[str] = ROUGE_TYPES, use_stemmer: bool = True, **kwargs: Any) -> dict[str, Any]:
        from rouge_score import rouge_scorer

        from nlpkit.sentences import split_sentences

        if len(predictions) != len(references):
            raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
        scorer = rouge_scorer.RougeScorer(list(rouge_types), use_stemmer=use_stemmer)
        totals = dict.fromkeys(rouge_types, 0.0)
        for prediction, refs in zip(predictions, references):
            refs = [refs] if isinstance(refs, str) else list(refs)
            pred = "\n".join(split_sentences(prediction)) if "rougeLsum" in rouge_types else prediction
            best = dict.fromkeys(rouge_types, 0.0)
            for ref in refs:
                ref_text = "\n".join(split_sentences(ref)) if "rougeLsum" in rouge_types else ref
                for name, value in scorer.score(ref_text, pred).items():
                    best[name] = max(best[name], value.fmeasure)
            for name in rouge_types:
                totals[name] += best[name]
        n = max(len(predictions), 1)
        result: dict[str, Any] = {name: totals[name] / n for name in rouge_types}
        result["length_words"] = sum(len(p.split()) for p in predictions) / n
        result["examples"] = len(predictions)
        return result
