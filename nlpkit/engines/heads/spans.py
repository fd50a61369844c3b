"""Span extraction's head building block: (question, context) pairs as windows of tokens.

Each distinct context is tokenised once (with character offsets), however many
questions ask about it, and each distinct question once; windows are then built
from token ids, the way `run_qa.py` and the transformers 4 pipeline cut them
(``return_overflowing_tokens`` with ``stride``): consecutive windows share
`doc_stride` context tokens, and the special tokens come from the tokenizer's own
pair template (BERT ``[CLS] q [SEP] c [SEP]``, RoBERTa ``<s> q </s></s> c </s>``,
XLNet ``c <sep> q <sep> <cls>`` with the context first, …).

Offsets of context tokens are character offsets into the context exactly as
given, so answers decode to exact spans of the original text, whatever the
tokenizer's normalisation (lower-casing, accent stripping, dropped control or
zero-width characters) did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nlpkit.contracts.errors import NlpkitError

__all__ = ["DEFAULT_DOC_STRIDE", "DEFAULT_MAX_LENGTH", "DEFAULT_MAX_QUESTION_LENGTH", "SpanBatch", "Window", "build_windows", "encode_texts", "pair_template"]

#: Defaults of `run_qa.py` / the transformers 4 pipeline.
DEFAULT_MAX_LENGTH = 384
DEFAULT_DOC_STRIDE = 128
DEFAULT_MAX_QUESTION_LENGTH = 64


@dataclass
class Window:
    """One model input: a question with a slice of its context."""

    #: Index of the (question, context) pair this window belongs to.
    example: int
    input_ids: list[int]
    token_type_ids: list[int] | None
    #: Per token: (start, end) character offsets into the context, None outside it.
    offsets: list[tuple[int, int] | None]
    #: Position of the no-answer token ([CLS]).
    cls_index: int


@dataclass
class SpanBatch:
    """What `Model.span_scores` yields per model batch: one row per window.

    `start_logits`/`end_logits` are ``rows × positions`` (CPU tensors or nested lists;
    positions past a window's length are padding); `offsets[row][position]` is the
    (start, end) character span of a context token, None elsewhere; `cls_index[row]`
    is the no-answer position; `pairs[row]` the (question, context) pair index."""

    pairs: list[int]
    offsets: list[list[tuple[int, int] | None]]
    cls_index: list[int]
    start_logits: Any
    end_logits: Any


@dataclass
class _Template:
    """The tokenizer's special tokens around a pair: ``(token id | "first" | "second", type id)``."""

    items: list[tuple[int | str, int]]

    @property
    def special_count(self) -> int:
        return sum(1 for item, _ in self.items if isinstance(item, int))


def check_tokenizer(tokenizer: Any) -> None:
    if not getattr(tokenizer, "is_fast", False):
        raise NlpkitError(f"question answering needs a fast tokenizer (with character offsets); {type(tokenizer).__name__} is not one")


def pair_template(tokenizer: Any) -> _Template:
    """Learn where the tokenizer puts special tokens and type ids around a pair."""
    encoding = tokenizer("a", "b", return_token_type_ids=True)
    ids, types = encoding["input_ids"], encoding["token_type_ids"]
    sequence_ids = encoding.sequence_ids(0)
    items: list[tuple[int | str, int]] = []
    for token, type_id, seq in zip(ids, types, sequence_ids):
        if seq is None:
            items.append((token, type_id))
        else:
            name = "first" if seq == 0 else "second"
            if not items or items[-1][0] != name:
                items.append((name, type_id))
    return _Template(items)


def question_first(tokenizer: Any) -> bool:
    """Question before context, except where the classifier token comes last (XLNet);
    the rule lives with the other family conventions (`nlpkit.engines.backends.families`)."""
    from nlpkit.engines.backends.families import question_first as family_rule

    return family_rule(tokenizer)


@dataclass
class Encoded:
    """Tokenised texts: ids and character offsets, one list per text."""

    ids: list[list[int]]
    offsets: list[list[tuple[int, int]]]


def encode_texts(tokenizer: Any, texts: Sequence[str]) -> Encoded:
    """Token ids and offsets of each text, without special tokens, no truncation."""
    if not texts:
        return Encoded([], [])
    enc = tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True, return_attention_mask=False, return_token_type_ids=False, verbose=False)
    return Encoded(enc["input_ids"], [[tuple(o) for o in row] for row in enc["offset_mapping"]])


def build_windows(
    tokenizer: Any,
    questions: Sequence[str],
    contexts: Sequence[str],
    *,
    max_length: int = DEFAULT_MAX_LENGTH,
    doc_stride: int = DEFAULT_DOC_STRIDE,
    max_question_length: int = DEFAULT_MAX_QUESTION_LENGTH,
) -> list[Window]:
    """Windows for each (question, context) pair, in pair order.

    Questions longer than `max_question_length` tokens keep their first tokens. A
    stride that leaves no room to advance is reduced to half the window for that
    pair (transformers would raise instead)."""
    check_tokenizer(tokenizer)
    if len(questions) != len(contexts):
        raise ValueError("questions and contexts differ in length")
    template = pair_template(tokenizer)
    unique_questions = list(dict.fromkeys(q.lstrip() for q in questions))
    unique_contexts = list(dict.fromkeys(contexts))
    q_enc = encode_texts(tokenizer, unique_questions)
    c_enc = encode_texts(tokenizer, unique_contexts)
    q_index = {q: i for i, q in enumerate(unique_questions)}
    c_index = {c: i for i, c in enumerate(unique_contexts)}
    first_is_question = question_first(tokenizer)
    cls_id = getattr(tokenizer, "cls_token_id", None)
    uses_types = "token_type_ids" in getattr(tokenizer, "model_input_names", ["token_type_ids"])

    windows: list[Window] = []
    for example, (question, context) in enumerate(zip(questions, contexts)):
        q_ids = q_enc.ids[q_index[question.lstrip()]][:max_question_length]
        c = c_index[context]
        c_ids, c_offsets = c_enc.ids[c], c_enc.offsets[c]
        room = max_length - len(q_ids) - template.special_count
        if room < 2:
            raise NlpkitError(f"max_length={max_length} leaves no room for the context after a {len(q_ids)}-token question; raise max_length or lower max_question_length")
        stride = doc_stride if doc_stride < room else room // 2
        step = room - stride
        start = 0
        while True:
            end = min(start + room, len(c_ids))
            windows.append(_window(example, template, first_is_question, q_ids, c_ids[start:end], c_offsets[start:end], cls_id, uses_types))
            if end >= len(c_ids):
                break
            start += step
    return windows


def question_counter(windows: Sequence[Window], questions: int) -> Callable[[list[int]], int]:
    """The `count` of `nlpkit.engines.inference.iter_batches` for span windows: how many questions a
    batch of window indices finishes (a question counts in the batch that runs its last
    window, so the counts add up to `questions`); call it once per batch, in order."""
    remaining = [0] * questions  # windows not yet run, per question
    for w in windows:
        remaining[w.example] += 1

    def finished(indices: list[int]) -> int:
        for i in indices:
            remaining[windows[i].example] -= 1
        return len({windows[i].example for i in indices if remaining[windows[i].example] == 0})

    return finished


def _window(example: int, template: _Template, first_is_question: bool, q_ids: list[int], c_ids: list[int], c_offsets: list[tuple[int, int]], cls_id: int | None, uses_types: bool) -> Window:
    ids: list[int] = []
    types: list[int] = []
    offsets: list[tuple[int, int] | None] = []
    for item, type_id in template.items:
        if isinstance(item, int):
            ids.append(item)
            types.append(type_id)
            offsets.append(None)
            continue
        is_question = (item == "first") == first_is_question
        segment = q_ids if is_question else c_ids
        ids.extend(segment)
        types.extend([type_id] * len(segment))
        offsets.extend([None] * len(segment) if is_question else c_offsets)
    cls_index = ids.index(cls_id) if cls_id is not None and cls_id in ids else 0
    return Window(example, ids, types if uses_types else None, offsets, cls_index)
