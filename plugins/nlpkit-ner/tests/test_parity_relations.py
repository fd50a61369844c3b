"""Parity: `relation_f1` against SpERT's evaluator and `semeval_f1` against the
SemEval-2010 Task 8 official scorer (both re-implemented in tests/reference/, sources
named there), on fixtures and random cases (hypothesis). Differences above 1e-9 fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpkit.contracts.errors import NlpkitError
from nlpkit_ner.metrics.relations import RelationF1, SemEvalF1

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None)


def _reference(name):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / "reference" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scorer = _reference("semeval2010_task8_scorer")
spert = _reference("spert_evaluator")

LABELS = sorted(scorer.VALID) + ["Other"]


def compare_semeval(parity, preds, refs):
    ours = SemEvalF1.score(preds, refs)
    ids = [str(i) for i in range(len(refs))]
    theirs = scorer.score(dict(zip(ids, preds)), dict(zip(ids, refs)))
    parity.compare("semeval_f1", {
        "macro_F1": 100 * ours["f1"], "macro_P": 100 * ours["precision"], "macro_R": 100 * ours["recall"],
        "micro_F1": 100 * ours["micro_f1"], "accuracy": 100 * ours["accuracy"],
        **{f"{r}.F1": 100 * v["f1"] for r, v in ours["per_type"].items()},
    }, {
        **{k: theirs[k] for k in ("macro_F1", "macro_P", "macro_R", "micro_F1", "accuracy")},
        **{f"{r}.F1": v["F1"] for r, v in theirs["per_relation"].items() if r != "_Other"},
    })


def to_spert(sentence):
    return [((int(r[0]), int(r[1]), r[2]), (int(r[3]), int(r[4]), r[5]), r[6]) for r in sentence]


def compare_relations(parity, preds, refs, symmetric=()):
    ours = RelationF1.score(preds, refs, symmetric=list(symmetric))
    theirs = spert.score([to_spert(s) for s in refs], [to_spert(s) for s in preds], symmetric=set(symmetric))
    parity.compare("relation_f1" + (" (symmetric types)" if symmetric else ""), ours, theirs, ["precision", "recall", "f1", "macro_f1"])


SEMEVAL_FIXTURES = [
    # the 3-example case: a predicted-only relation is not averaged in (100.00, not 66.67)
    (["Cause-Effect(e1,e2)", "Other", "Message-Topic(e1,e2)"], ["Cause-Effect(e1,e2)", "Other", "Other"]),
    (["Cause-Effect(e1,e2)", "Cause-Effect(e1,e2)", "Other", "Cause-Effect(e1,e2)"], ["Cause-Effect(e1,e2)", "Cause-Effect(e2,e1)", "Other", "Other"]),
    (["Other", "Other"], ["Entity-Origin(e2,e1)", "Product-Producer(e1,e2)"]),
]


@pytest.mark.parametrize(("preds", "refs"), SEMEVAL_FIXTURES)
def test_semeval_fixtures_equal_the_official_scorer(parity, preds, refs):
    compare_semeval(parity, preds, refs)


@st.composite
def semeval_case(draw):
    refs = draw(st.lists(st.sampled_from(LABELS[:6] + ["Other"]), min_size=1, max_size=12).filter(lambda r: set(r) != {"Other"}))
    # predictions: mostly right, some wrong direction, some other relation (also outside the key)
    preds = []
    for ref in refs:
        kind = draw(st.integers(0, 3))
        if kind == 0 or ref == "Other":
            preds.append(ref if kind == 0 else draw(st.sampled_from(LABELS)))
        elif kind == 1:
            preds.append(ref.replace("(e1,e2)", "(x)").replace("(e2,e1)", "(e1,e2)").replace("(x)", "(e2,e1)"))
        else:
            preds.append(draw(st.sampled_from(LABELS)))
    return preds, refs


@SETTINGS
@given(semeval_case())
def test_semeval_equals_the_official_scorer_on_random_labels(parity, case):
    compare_semeval(parity, *case)


def test_semeval_refuses_a_key_without_relations_as_the_scorer_dies(parity):
    with pytest.raises(ZeroDivisionError):
        scorer.score({"1": "Other"}, {"1": "Other"})
    with pytest.raises(NlpkitError, match="no relation but 'Other'"):
        SemEvalF1.score(["Other"], ["Other"])
    with pytest.raises(ValueError):
        scorer.score({"1": "Cause-Effect"}, {"1": "Other"})
    with pytest.raises(NlpkitError, match=r"predictions\[0\]: label 'Cause-Effect' is neither"):
        SemEvalF1.score(["Cause-Effect"], ["Cause-Effect(e1,e2)"])
    parity.count_error_case("semeval_f1")
    parity.count_error_case("semeval_f1")


ENTITY_TYPES = ["Peop", "Loc", "Org"]
RELATION_TYPES = ["Work_For", "Live_In", "Kill"]


@st.composite
def relation(draw):
    h, t = draw(st.integers(0, 8)), draw(st.integers(0, 8))
    return [str(h), str(h + draw(st.integers(1, 2))), draw(st.sampled_from(ENTITY_TYPES)),
            str(t), str(t + draw(st.integers(1, 2))), draw(st.sampled_from(ENTITY_TYPES)), draw(st.sampled_from(RELATION_TYPES))]


@st.composite
def relation_case(draw):
    refs = draw(st.lists(st.lists(relation(), max_size=3), min_size=1, max_size=5))
    preds = []
    for sentence in refs:
        kept = [r if draw(st.integers(0, 3)) else [*r[3:6], *r[0:3], r[6]] for r in sentence if draw(st.booleans())]
        preds.append(kept + draw(st.lists(relation(), max_size=2)))
    return preds, refs


RELATION_FIXTURES = [
    ([[["0", "4", "Peop", "10", "14", "Org", "Work_For"]], [["0", "3", "Org", "8", "12", "Loc", "Live_In"]]],
     [[["0", "4", "Peop", "10", "14", "Org", "Work_For"]], [["0", "3", "Peop", "8", "12", "Loc", "Live_In"]]]),
    # a symmetric type predicted with its arguments swapped
    ([[["10", "14", "Peop", "0", "4", "Peop", "Kill"]]], [[["0", "4", "Peop", "10", "14", "Peop", "Kill"]]]),
]


@pytest.mark.parametrize(("preds", "refs"), RELATION_FIXTURES)
@pytest.mark.parametrize("symmetric", [(), ("Kill",)])
def test_relation_fixtures_equal_speRTs_evaluator(parity, preds, refs, symmetric):
    compare_relations(parity, preds, refs, symmetric)


@SETTINGS
@given(relation_case(), st.sampled_from([(), ("Kill",), ("Kill", "Live_In")]))
def test_relation_f1_equals_speRTs_evaluator_on_random_relations(parity, case, symmetric):
    compare_relations(parity, *case, symmetric=symmetric)
