"""Training labels: the answer's tokens, or [CLS] where a window lacks the answer."""

from __future__ import annotations

from typing import Any

import pytest

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit_qa.features import training_features
from nlpkit_qa.records import GoldAnswer, QAExample
from nlpkit_qa.testing import CONTEXT, QUIRKY


def labelled_text(feature: dict[str, Any], tokenizer: Any) -> str:
    ids = feature["input_ids"][feature["start_positions"] : feature["end_positions"] + 1]
    return tokenizer.decode(ids)


def test_labels_cover_exactly_the_answer_tokens(tokenizer: Any) -> None:
    start = QUIRKY.index("naïve")
    examples = [
        QAExample("Where did the dog sleep?", CONTEXT, [GoldAnswer("in the garden", 38)]),
        QAExample("What do they serve?", QUIRKY, [GoldAnswer("naïve\ttea", start)]),
    ]
    features = training_features(examples, tokenizer, 64, doc_stride=16)
    assert [labelled_text(f, tokenizer) for f in features] == ["in the garden", "naive tea"]
    assert set(features[0]) == {"input_ids", "attention_mask", "token_type_ids", "start_positions", "end_positions"}


def test_windows_without_the_answer_and_unanswerable_questions_point_at_cls(tokenizer: Any) -> None:
    context = CONTEXT + " " + " ".join(["the cat sat on the mat ."] * 8)
    examples = [QAExample("Where did the dog sleep?", context, [GoldAnswer("in the garden", 38)]), QAExample("Who flew?", CONTEXT, [])]
    features = training_features(examples, tokenizer, 32, doc_stride=8)
    labelled = [(f["start_positions"], f["end_positions"]) for f in features]
    assert sum(1 for s, _ in labelled if s != 0) == 1  # only the first window holds the answer
    assert labelled[-1] == (0, 0)  # unanswerable: [CLS]
    assert len(features) > 3


def test_training_needs_answers(tokenizer: Any) -> None:
    with pytest.raises(DataError, match="answers"):
        training_features([QAExample("Where?", CONTEXT, None, source="in.jsonl:3")], tokenizer, 64)


def long_context_examples() -> list[QAExample]:
    context = CONTEXT + " " + " ".join(["the cat sat on the mat ."] * 12)
    return [QAExample("Where did the dog sleep?", context, [GoldAnswer("in the garden", 38)]), QAExample("Who flew?", CONTEXT + " " + CONTEXT, [])]


def test_no_answer_windows_zero_keeps_answer_windows_and_every_unanswerable_window(tokenizer: Any) -> None:
    examples = long_context_examples()
    every = training_features(examples, tokenizer, 32, doc_stride=8)
    only = training_features(examples, tokenizer, 32, doc_stride=8, no_answer_windows=0.0)
    unanswerable = training_features(examples[1:], tokenizer, 32, doc_stride=8)
    assert [labelled_text(f, tokenizer) for f in only[:1]] == ["in the garden"]
    assert only[1:] == unanswerable and len(unanswerable) >= 2  # the v2.0 question keeps all its windows
    assert len(every) > len(only) + 3


def test_no_answer_windows_keeps_a_reproducible_share(tokenizer: Any) -> None:
    examples = long_context_examples() * 20
    every = training_features(examples, tokenizer, 32, doc_stride=8)
    half = training_features(examples, tokenizer, 32, doc_stride=8, no_answer_windows=0.5)
    dropped_from = sum(1 for f in every if f["start_positions"] == 0) - 20 * len(training_features(examples[1:2], tokenizer, 32, doc_stride=8))
    assert 0.3 * dropped_from < len(every) - len(half) < 0.7 * dropped_from
    assert half == training_features(examples, tokenizer, 32, doc_stride=8, no_answer_windows=0.5)
    assert sum(1 for f in half if f["start_positions"] != 0) == 20


def test_no_answer_windows_outside_zero_to_one_is_refused(tokenizer: Any) -> None:
    with pytest.raises(NlpkitError, match="no_answer_windows must be a share between 0 and 1"):
        training_features(long_context_examples(), tokenizer, 32, no_answer_windows=1.5)
