"""Parity: `accuracy` and `f1` (macro, micro, weighted, with `labels` / `ignore`) against
scikit-learn's own functions called directly, on fixtures and random labels
(hypothesis). Differences above 1e-9 fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpkit.resolution import metrics

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, database=None)
labels = st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")), min_size=1, max_size=30)


def compare(parity, pairs, average, ignore=None):
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    preds, refs = [p for p, _ in pairs], [r for _, r in pairs]
    parity.compare("accuracy", metrics.score("accuracy", preds, refs)["accuracy"], accuracy_score(refs, preds))
    label_set = sorted(set(refs) | set(preds))
    if ignore:
        label_set = [label for label in label_set if label not in ignore]
    if not label_set:
        return
    ours = metrics.score("f1", preds, refs, average=average, ignore=ignore)
    kwargs = {"labels": label_set, "average": average, "zero_division": 0}
    theirs = {"f1": f1_score(refs, preds, **kwargs), "precision": precision_score(refs, preds, **kwargs), "recall": recall_score(refs, preds, **kwargs)}
    parity.compare(f"f1 ({average}{', ignoring a label' if ignore else ''})", ours, theirs)


@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_fixture_equals_scikit_learn(parity, average):
    compare(parity, [("a", "a"), ("a", "b"), ("b", "b"), ("c", "b")], average)


@SETTINGS
@given(labels, st.sampled_from(["macro", "micro", "weighted"]))
def test_accuracy_and_f1_equal_scikit_learn_on_random_labels(parity, pairs, average):
    compare(parity, pairs, average)


@SETTINGS
@given(labels)
def test_f1_ignoring_a_label_equals_scikit_learn_over_the_other_labels(parity, pairs):
    compare(parity, pairs, "macro", ignore=["d"])
