"""Training features: windows labelled with the answer's first and last token.

As `run_qa.py`'s ``prepare_train_features``: the first gold answer is the
target; a window that does not contain the whole answer (and an unanswerable
question's every window) is labelled with the no-answer position, [CLS].

`no_answer_windows` keeps only that share of the windows that miss the answer
of an *answerable* question (1.0: all, as `run_qa.py`). Over a long context such
windows outnumber the one holding the answer and teach only "not here", at the
full cost of a step; sub-sampling them (as the BERT baseline for Natural
Questions does) spends the budget on windows that teach where answers are. The
draw is seeded, so a run is reproducible; unanswerable questions (SQuAD v2.0)
keep every window, they are the real no-answer signal.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from nlpkit.contracts.errors import DataError, NlpkitError
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


#: Seed of the draw of `no_answer_windows` (fixed: the same data gives the same windows).
NO_ANSWER_WINDOWS_SEED = 0


def training_features(examples: Sequence[QAExample], tokenizer: Any, max_length: int, *, no_answer_windows: float = 1.0, **window_options: Any) -> list[dict[str, Any]]:
    """One feature dict per window: input ids (+ type ids, mask) and start/end positions;
    of the windows that miss an answerable question's answer, the share
    `no_answer_windows` (drawn with a fixed seed)."""
    if not 0.0 <= no_answer_windows <= 1.0:
        raise NlpkitError(f"option no_answer_windows must be a share between 0 and 1 (1: keep every window without the answer), not {no_answer_windows!r}")
    draw = random.Random(NO_ANSWER_WINDOWS_SEED)
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
            if start == window.cls_index and no_answer_windows < 1.0 and draw.random() >= no_answer_windows:
                continue
        else:
            start = end = window.cls_index
        feature: dict[str, Any] = {"input_ids": window.input_ids, "attention_mask": [1] * len(window.input_ids)}
        if window.token_type_ids is not None:
            feature["token_type_ids"] = window.token_type_ids
        feature["start_positions"] = start
        feature["end_positions"] = end
        features.append(feature)
    return features
