"""Windows over long contexts: overlap, special tokens, exact offsets."""

from __future__ import annotations

from typing import Any

from nlpkit.engines.heads.spans import build_windows
from nlpkit_qa.testing import CONTEXT, QUIRKY


def context_tokens(window: Any) -> list[int]:
    return [i for i, offset in enumerate(window.offsets) if offset is not None]


def test_short_context_fits_one_window_with_bert_specials(tokenizer: Any) -> None:
    (window,) = build_windows(tokenizer, ["Where did the cat sit?"], [CONTEXT], max_length=64)
    pair = tokenizer("Where did the cat sit?", CONTEXT)
    assert window.input_ids == pair["input_ids"]
    assert window.token_type_ids == pair["token_type_ids"]
    assert window.input_ids[window.cls_index] == tokenizer.cls_token_id


def test_long_context_windows_overlap_by_doc_stride_and_cover_every_token(tokenizer: Any) -> None:
    context = " ".join([CONTEXT] * 6)
    windows = build_windows(tokenizer, ["Where?"], [context], max_length=40, doc_stride=10)
    assert len(windows) > 2
    assert all(len(w.input_ids) <= 40 for w in windows)
    spans = [[w.offsets[i] for i in context_tokens(w)] for w in windows]
    for before, after in zip(spans, spans[1:]):
        assert before[-10:] == after[:10]
    covered = {o for s in spans for o in s}
    assert len(covered) == len(tokenizer(context, add_special_tokens=False)["input_ids"])


def test_windows_match_transformers_overflow_windows(tokenizer: Any) -> None:
    context = " ".join([CONTEXT] * 5)
    mine = build_windows(tokenizer, ["Where did the dog sleep?"], [context], max_length=48, doc_stride=12)
    theirs = tokenizer("Where did the dog sleep?", context, truncation="only_second", max_length=48, stride=12, return_overflowing_tokens=True)
    assert [w.input_ids for w in mine] == theirs["input_ids"]


def test_offsets_point_into_the_original_context_despite_unicode_quirks(tokenizer: Any) -> None:
    (window,) = build_windows(tokenizer, ["What?"], [QUIRKY], max_length=128)
    pieces = [QUIRKY[s:e] for s, e in (window.offsets[i] for i in context_tokens(window))]
    assert "İs" in pieces  # "İ" lower-cases to two characters; offsets still count one
    assert "\U0001F600" in pieces and "quay" in pieces
    assert "".join(pieces) == "".join(ch for ch in QUIRKY if not ch.isspace() and ch != "\u200b")


def test_long_question_is_truncated_and_stride_shrinks_to_fit(tokenizer: Any) -> None:
    question = "where " * 100
    windows = build_windows(tokenizer, [question], [CONTEXT * 3], max_length=40, doc_stride=30, max_question_length=20)
    assert all(len(w.input_ids) <= 40 for w in windows) and len(windows) > 1
