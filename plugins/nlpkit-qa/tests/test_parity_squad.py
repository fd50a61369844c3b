"""Parity: `squad` / `squad_v2` against the official SQuAD v1.1 / v2.0 evaluation logic
(re-implemented in tests/reference/squad_official.py, sources named there), on fixtures
and random answers (hypothesis). Differences above 1e-9 fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpkit.contracts.errors import NlpkitError
from nlpkit_qa.metrics import Squad, SquadV2

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def _reference():
    spec = importlib.util.spec_from_file_location("squad_official", Path(__file__).parent / "reference" / "squad_official.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


official = _reference()

# words, articles, punctuation and case, so normalisation (and normalising to empty) matters
PIECES = ["the", "The", "a", "an", "cat", "Cat", "sat", "mat", "Denver", "Broncos", ".", ",", "!", "'s", "-", "1", "  "]
answer = st.lists(st.sampled_from(PIECES), max_size=5).map(" ".join)


def compare_v1(parity, preds, refs):
    ours = Squad.score(preds, refs)
    theirs = official.evaluate_v1(official.as_dataset(refs), {str(i): p for i, p in enumerate(preds)})
    parity.compare("squad (v1.1)", ours, theirs, ["exact_match", "f1"])
    per = Squad.per_example(preds, refs)
    assert sum(per["f1"]) / len(preds) == pytest.approx(ours["f1"], abs=1e-9)


def compare_v2(parity, preds, refs):
    ours = SquadV2.score(preds, refs)
    theirs = official.evaluate_v2(official.as_dataset(refs), {str(i): p for i, p in enumerate(preds)})
    assert set(ours) == set(theirs)
    parity.compare("squad_v2 (v2.0)", ours, theirs, [k for k in theirs if not k.endswith("total")])
    assert all(ours[k] == theirs[k] for k in theirs if k.endswith("total"))


FIXTURES_V1 = [
    (["Denver Broncos", "the Panthers", "nothing"], [["Broncos", "Denver Broncos"], ["Carolina Panthers"], ["x"]]),
    # the case: a gold answer that normalises to empty, an empty prediction: EM 100, F1 0 in v1.1
    ([""], [["."]]),
    (["", "the"], [["the", "."], ["a"]]),
]
FIXTURES_V2 = [
    (["", "Denver", "Broncos"], [[], [], ["Denver Broncos"]]),
    # answers that normalise to empty are still HasAns questions in the official split
    (["", "the cat"], [["."], ["The cat", "!"]]),
    (["x"], [[]]),
]


@pytest.mark.parametrize(("preds", "refs"), FIXTURES_V1)
def test_v1_fixtures_equal_the_official_v1_script(parity, preds, refs):
    compare_v1(parity, preds, refs)


@pytest.mark.parametrize(("preds", "refs"), FIXTURES_V2)
def test_v2_fixtures_equal_the_official_v2_script(parity, preds, refs):
    compare_v2(parity, preds, refs)


@SETTINGS
@given(st.lists(st.tuples(answer, st.lists(answer, min_size=1, max_size=3)), min_size=1, max_size=6))
def test_v1_equals_the_official_v1_script_on_random_answers(parity, rows):
    compare_v1(parity, [p for p, _ in rows], [r for _, r in rows])


@SETTINGS
@given(st.lists(st.tuples(answer, st.lists(answer, max_size=3)), min_size=1, max_size=6))
def test_v2_equals_the_official_v2_script_on_random_answers(parity, rows):
    compare_v2(parity, [p for p, _ in rows], [r for _, r in rows])


def test_v1_refuses_a_question_without_reference_answers_as_the_script_cannot_score_it(parity):
    with pytest.raises(ValueError):
        official.evaluate_v1(official.as_dataset([[]]), {"0": ""})
    with pytest.raises(NlpkitError, match=r"references\[1\] is empty.*squad_v2"):
        Squad.score(["a", "b"], [["a"], []])
    parity.count_error_case("squad (v1.1)")
