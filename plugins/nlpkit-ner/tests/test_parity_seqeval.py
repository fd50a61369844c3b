"""Parity: `seqeval` / `seqeval_strict` against seqeval itself (default and strict mode),
on fixed fixtures and random tag sequences (hypothesis). Differences above 1e-9 fail."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpkit_ner.metrics.entities import EntityF1

TYPES = ["PER", "LOC", "ORG"]
SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None)


def seqeval_report(refs, preds, mode, scheme):
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB1, IOB2, IOBES

    kwargs = {"mode": "strict", "scheme": {"IOB2": IOB2, "IOBES": IOBES, "IOB1": IOB1}[scheme]} if mode == "strict" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return classification_report(refs, preds, output_dict=True, zero_division=0, **kwargs)


def compare(parity, name, preds, refs, mode, scheme, reference_scheme=None):
    ours = EntityF1.score(preds, refs, mode=mode, scheme=scheme)
    theirs = seqeval_report(refs, preds, mode, reference_scheme or scheme)
    assert ours["mode"] == mode and ours["scheme"] == scheme
    types = [k for k in theirs if k not in ("micro avg", "macro avg", "weighted avg")]
    assert sorted(ours["per_type"]) == sorted(types)
    if not types:  # seqeval reports nothing at all: nlpkit reports zeros
        parity.compare(name, ours, {"precision": 0.0, "recall": 0.0, "f1": 0.0})
        return
    micro, macro = theirs["micro avg"], theirs["macro avg"]
    reference = {"precision": micro["precision"], "recall": micro["recall"], "f1": micro["f1-score"], "macro_f1": macro["f1-score"], "support": micro["support"]}
    for t in types:
        reference[f"{t}.f1"] = theirs[t]["f1-score"]
        reference[f"{t}.support"] = theirs[t]["support"]
    flat = {**ours, **{f"{t}.f1": v["f1"] for t, v in ours["per_type"].items()}, **{f"{t}.support": v["support"] for t, v in ours["per_type"].items()}}
    parity.compare(name, flat, reference)


@st.composite
def chunks(draw, max_chunks=6):
    """A sentence as chunks: ("O", 1) or (TYPE, length)."""
    return draw(st.lists(st.one_of(st.just(("O", 1)), st.tuples(st.sampled_from(TYPES), st.integers(1, 3))), min_size=1, max_size=max_chunks))


def encode(sentence, scheme):
    """Well-formed tags of `scheme` for a chunked sentence."""
    tags, previous = [], None
    for type_, length in sentence:
        if type_ == "O":
            tags.append("O")
            previous = None
            continue
        if scheme == "IOBES":
            tags += [f"S-{type_}"] if length == 1 else [f"B-{type_}"] + [f"I-{type_}"] * (length - 2) + [f"E-{type_}"]
        elif scheme == "IOB1":
            tags += [f"{'B' if previous == type_ else 'I'}-{type_}"] + [f"I-{type_}"] * (length - 1)
        else:
            tags += [f"B-{type_}"] + [f"I-{type_}"] * (length - 1)
        previous = type_
    return tags


def noisy(draw, tags, prefixes):
    """A prediction: each tag kept or replaced by any tag of the scheme's vocabulary (stray I- included)."""
    vocabulary = ["O"] + [f"{p}-{t}" for p in prefixes for t in TYPES]
    return [tag if draw(st.booleans()) else draw(st.sampled_from(vocabulary)) for tag in tags]


@st.composite
def corpus(draw, scheme):
    prefixes = {"IOB2": "BI", "IOB1": "BI", "IOBES": "BIES"}[scheme]
    refs = [encode(s, scheme) for s in draw(st.lists(chunks(), min_size=1, max_size=5))]
    preds = [noisy(draw, r, prefixes) for r in refs]
    return preds, refs


FIXTURES = [
    # the case: a prediction that starts with I- (lenient: right; strict: no entity)
    ([["O", "I-PER", "I-PER", "O"]], [["O", "B-PER", "I-PER", "O"]]),
    ([["B-PER", "I-LOC", "O"], ["I-ORG", "B-ORG", "I-ORG"]], [["B-PER", "I-PER", "O"], ["B-ORG", "B-ORG", "I-ORG"]]),
    ([["O", "O"]], [["O", "O"]]),
    ([["B-LOC", "I-LOC", "I-PER", "O"]], [["O", "O", "O", "O"]]),
]


@pytest.mark.parametrize(("preds", "refs"), FIXTURES)
@pytest.mark.parametrize("mode", ["default", "strict"])
def test_fixtures_equal_seqeval_in_both_modes(parity, preds, refs, mode):
    compare(parity, f"seqeval ({mode}, IOB2)", preds, refs, mode, "IOB2")


@SETTINGS
@given(corpus("IOB2"))
def test_default_mode_equals_seqeval_default_on_random_iob2(parity, case):
    compare(parity, "seqeval (default, IOB2)", *case, "default", "IOB2")


@SETTINGS
@given(corpus("IOB2"))
def test_strict_mode_equals_seqeval_strict_iob2_on_random_iob2(parity, case):
    compare(parity, "seqeval (strict, IOB2)", *case, "strict", "IOB2")


@SETTINGS
@given(corpus("IOBES"))
def test_both_modes_equal_seqeval_on_random_iobes(parity, case):
    compare(parity, "seqeval (default, IOBES)", *case, "default", "IOBES")
    compare(parity, "seqeval (strict, IOBES)", *case, "strict", "IOBES")


@SETTINGS
@given(corpus("IOB1"))
def test_iob1_default_mode_equals_seqeval_default_on_the_raw_iob1_tags(parity, case):
    # conlleval (seqeval's default mode) reads IOB1 as it is: converting first changes nothing
    compare(parity, "seqeval (default, IOB1)", *case, "default", "IOB1")


@SETTINGS
@given(st.lists(chunks(), min_size=1, max_size=5), st.data())
def test_iob1_strict_mode_equals_seqeval_strict_on_the_same_entities_in_iob2(parity, sentences, data):
    """IOB1 gold and predictions converted to IOB2 score as seqeval's strict IOB2 does on
    the IOB2 encoding of the same entities."""
    refs1 = [encode(s, "IOB1") for s in sentences]
    preds1 = [noisy(data.draw, r, "BI") for r in refs1]
    from nlpkit_ner.iob import check_scheme

    preds2 = [check_scheme(p, "IOB1", where="", gold=False) for p in preds1]
    refs2 = [encode(s, "IOB2") for s in sentences]
    ours = EntityF1.score(preds1, refs1, mode="strict", scheme="IOB1")
    theirs = EntityF1.score(preds2, refs2, mode="strict", scheme="IOB2")
    reference = seqeval_report(refs2, preds2, "strict", "IOB2")
    if "micro avg" in reference:
        parity.compare("seqeval (strict, IOB1 → IOB2)", ours, {"f1": reference["micro avg"]["f1-score"], "precision": reference["micro avg"]["precision"]})
    assert ours["f1"] == theirs["f1"]


def test_a_tag_outside_the_scheme_is_refused_by_both(parity):
    """seqeval's strict IOB2 raises on S-/E- tags; nlpkit refuses them in either mode, naming where."""
    from seqeval.scheme import IOB2

    from nlpkit.contracts.errors import NlpkitError

    preds, refs = [["S-PER", "O"]], [["B-PER", "O"]]
    with pytest.raises(ValueError):
        seqeval_report_strict = __import__("seqeval.metrics", fromlist=["f1_score"]).f1_score
        seqeval_report_strict(refs, preds, mode="strict", scheme=IOB2)
    for mode in ("default", "strict"):
        with pytest.raises(NlpkitError, match=r"predictions\[0\], position 0: tag 'S-PER' is not IOB2.*scheme='IOBES'"):
            EntityF1.score(preds, refs, mode=mode)
    parity.count_error_case("seqeval (strict, IOB2)")
