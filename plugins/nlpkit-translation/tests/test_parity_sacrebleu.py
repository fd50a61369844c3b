"""Parity: `sacrebleu` and `chrf` (chrF, chrF++) against sacrebleu's own corpus scores,
on fixtures and random texts with uneven reference counts (hypothesis), and the
harness's summed statistics against the same. Differences above 1e-9 fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpkit_translation.metrics import Chrf, SacreBleu

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None)
WORDS = ["Ein", "Mann", "fährt", "Fahrrad", "der", "die", "Katze", "sitzt", "auf", "Matte", ".", ",", "l'homme", "naïve", "2026"]


def streams(references):
    """sacrebleu's reference streams, written independently of nlpkit's helper."""
    width = max(len(r) for r in references)
    return [[r[k] if k < len(r) else None for r in references] for k in range(width)]


def compare(parity, predictions, references):
    from sacrebleu.metrics import BLEU, CHRF

    bleu = BLEU().corpus_score(predictions, streams(references))
    ours = SacreBleu.score(predictions, references)
    parity.compare("sacrebleu (BLEU)", {"bleu": ours["bleu"], "bp": ours["bp"]}, {"bleu": bleu.score, "bp": bleu.bp})
    summed = [sum(col) for col in zip(*SacreBleu.statistics(predictions, references))]
    parity.compare("sacrebleu (BLEU) from summed statistics", SacreBleu.from_statistics(summed)["bleu"], bleu.score)
    for word_order, name in ((0, "chrF"), (2, "chrF++")):
        theirs = CHRF(word_order=word_order).corpus_score(predictions, streams(references)).score
        parity.compare(f"chrf ({name})", Chrf.score(predictions, references, word_order=word_order)["chrf"], theirs)
        summed = [sum(col) for col in zip(*Chrf.statistics(predictions, references, word_order=word_order))]
        parity.compare(f"chrf ({name}) from summed statistics", Chrf.from_statistics(summed, word_order=word_order)["chrf"], theirs)


FIXTURES = [
    (["Ein Mann fährt Fahrrad.", "Die Katze sitzt."], [["Ein Mann fährt Fahrrad."], ["Die Katze sitzt auf der Matte.", "Eine Katze sitzt."]]),
    (["", "x"], [["a b c"], ["x"]]),
]


@pytest.mark.parametrize(("preds", "refs"), FIXTURES)
def test_fixtures_equal_sacrebleu(parity, preds, refs):
    compare(parity, preds, refs)


sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=10).map(" ".join)


@SETTINGS
@given(st.lists(st.tuples(sentence, st.lists(sentence, min_size=1, max_size=3)), min_size=1, max_size=6))
def test_bleu_chrf_and_chrf_plus_plus_equal_sacrebleu_on_random_texts(parity, rows):
    compare(parity, [p for p, _ in rows], [r for _, r in rows])


def test_registered_chrf_plus_plus_is_sacrebleus_chrf_with_word_bigrams():
    from sacrebleu.metrics import CHRF

    from nlpkit.resolution.metrics import score

    predictions, references = FIXTURES[0]
    theirs = CHRF(word_order=2).corpus_score(predictions, streams(references))
    ours = score("chrf++", predictions, references)
    assert ours["chrf"] == pytest.approx(theirs.score, abs=1e-9)
    assert ours["chrf"] != pytest.approx(score("chrf", predictions, references)["chrf"])
    assert "nw:2" in ours["signature"]
