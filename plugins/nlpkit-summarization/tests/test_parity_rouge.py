"""Parity: `rouge` against rouge-score itself (``RougeScorer.score_multi``: best reference
per type, Porter stemming), on fixtures and random texts with and without newlines
(hypothesis). Differences above 1e-9 fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpkit_summarization.rouge import ROUGE_TYPES, Rouge

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)
WORDS = ["the", "cat", "cats", "sat", "sitting", "on", "mat", "dog", "ran", "running", "far", "away", "model", "models", "learns", "."]


def reference(predictions, references):
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for prediction, refs in zip(predictions, references):
        scores = scorer.score_multi(refs, prediction)
        for t in ROUGE_TYPES:
            totals[t] += scores[t].fmeasure
    return {t: v / len(predictions) for t, v in totals.items()}


def compare(parity, predictions, references):
    ours = Rouge.score(predictions, references)
    assert ours["lsum_lines"].startswith("newlines")
    parity.compare("rouge", ours, reference(predictions, references), list(ROUGE_TYPES))


FIXTURES = [
    # the case: two sentences on one line against a one-line reference: rouge-score
    # reads one sentence each (Lsum = L), nlpkit used to split them first
    (["The cat sat. The dog ran."], [["The cat sat and the dog ran away."]]),
    (["The cat sat.\nThe dog ran."], [["The dog ran.\nThe cat sat on the mat."]]),
    (["the cat sat on the mat"], [["dogs ran far away", "the cat sat on the mat"]]),
    (["cats running", ""], [["cat runs"], ["a b"]]),
]


@pytest.mark.parametrize(("preds", "refs"), FIXTURES)
def test_fixtures_equal_rouge_score(parity, preds, refs):
    compare(parity, preds, refs)


text = st.lists(st.one_of(st.sampled_from(WORDS), st.just("\n")), max_size=14).map(lambda ws: " ".join(ws).replace(" \n ", "\n"))


@SETTINGS
@given(st.lists(st.tuples(text, st.lists(text, min_size=1, max_size=3)), min_size=1, max_size=4))
def test_rouge_equals_rouge_score_on_random_texts_with_newlines(parity, rows):
    compare(parity, [p for p, _ in rows], [r for _, r in rows])


def test_sentence_split_lsum_is_an_explicit_recorded_option():
    prediction, refs = ["The cat sat. The dog ran."], [["The dog ran. The cat sat."]]
    lines = Rouge.score(prediction, refs)
    split = Rouge.score(prediction, refs, split_sentences=True)
    assert lines["rougeLsum"] == pytest.approx(lines["rougeL"])  # one line each: Lsum is L
    assert (lines["rougeLsum"], split["rougeLsum"]) == pytest.approx((0.5, 1.0))
    assert split["lsum_lines"].startswith("sentences") and split["rougeL"] == lines["rougeL"]
    # the option equals rouge-score on the same text with one sentence per line
    assert split["rougeLsum"] == pytest.approx(reference(["The cat sat.\nThe dog ran."], refs)["rougeLsum"], abs=1e-12)
