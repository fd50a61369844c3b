"""Training features: windows labelled with the answer's first and last token.

As `run_qa.py`'s ``prepare_train_features``: the first gold answer is the
target; a window that does not contain the whole answer (and an unanswerable
question's every window) is labelled with the no-answer position, [CLS].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlpkit.contracts.errors import DataError
from nlpkit.engines.heads.spans import Window, build_windows
from nlpkit_qa.records import QAExample


def answer_tokens(window: Window, start_char: int, end_char: int) -> tuple[int, int]:
    """(start, end) token positions of the characters ``[start_char, end_char)`` in
    `window`, or (cls, cls) when the window does not hold the whole span."""
    context = [i for i, offset in enumerate(window.offsets) if offset is not None]
    if not context:
        return window.cls_index, window.cls_index
    first, last = context[0], context[-1]
    offsets = window.offsets
    if not (offsets[first][0] <= start_char and offsets[last][1] >= end_char):  # type: ignore[index]
        return window.cls_index, window.cls_index
    start = first
    while start <= last and offsets[start][0] <= start_char:  # type: ignore[index]
        start += 1
    end = last
    while end >= first and offsets[end][1] >= end_char:  # type: ignore[index]
        end -= 1
    return start - 1, end + 1


def training_features(examples: Sequence[QAExample], tokenizer: Any, max_length: int, **window_options: Any) -> list[dict[str, Any]]:
    """One feature dict per window: input ids (+ type ids, mask) and start/end positions."""
    for example in examples:
        if example.answers is None or example.context is None:
            raise DataError(example.source, "training needs answers (or is_impossible) and a context", field="answers")
    windows = build_windows(tokenizer, [ex.question for ex in examples], [ex.context or "" for ex in examples], max_length=max_length, **window_options)
    features = []
    for window in windows:
        example = examples[window.example]
        if example.answers:
            gold = example.answers[0]
            start, end = answer_tokens(window, gold.start, gold.start + len(gold.text))
        else:
            start = end = window.cls_index
        feature: dict[str, Any] = {"input_ids": window.input_ids, "attention_mask": [1] * len(window.input_ids)}
        if window.token_type_ids is not None:
            feature["token_type_ids"] = window.token_type_ids
        feature["start_positions"] = start
        feature["end_positions"] = end
        features.append(feature)
    return features
