"""Words → sub-word ids, and windows over sentences longer than the model's input.

A sentence is encoded once (a fast tokenizer, `is_split_into_words`); each word
keeps its list of sub-word ids. A sentence longer than the model window is cut
at word boundaries into overlapping windows rather than truncated; prediction
reads each word from the window where it has the most context on both sides.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("nlpkit.heads")

__all__ = ["Pieces", "WordWindow", "best_window", "collect_words", "encode_focused", "encode_words", "special_ids", "window_ids", "windows", "word_windows"]

#: Sub-word ids of each word of each sentence.
Pieces = list[list[int]]


def special_ids(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a single sequence ([CLS] … [SEP])."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    for i in range(len(full) - len(plain) + 1):
        if full[i : i + len(plain)] == plain:
            return full[:i], full[i + len(plain) :]
    return [], []


def encode_words(tokenizer: Any, sentences: Sequence[Sequence[str]]) -> list[Pieces]:
    """Sub-word ids per word per sentence.

    A word the tokenizer turns into nothing (real data has some: WNUT-17 test holds
    lone U+FE0F variation selectors) becomes [UNK], with one warning giving the count."""
    if not sentences:
        return []
    from nlpkit.backends.families import words_tokenizer

    # byte-level BPE (RoBERTa, GPT-2, BART) needs the prefix space to read words as in running text
    enc = words_tokenizer(tokenizer)([list(s) for s in sentences], is_split_into_words=True, add_special_tokens=False, verbose=False)
    unk = tokenizer.unk_token_id if tokenizer.unk_token_id is not None else 0
    out = []
    dropped: list[str] = []
    for i, words in enumerate(sentences):
        pieces: Pieces = [[] for _ in words]
        for token_id, word in zip(enc["input_ids"][i], enc.word_ids(i)):
            if word is not None:
                pieces[word].append(token_id)
        dropped.extend(words[k] for k, p in enumerate(pieces) if not p)
        out.append([p or [unk] for p in pieces])
    if dropped:
        examples = ", ".join(sorted({ascii(w) for w in dropped})[:3])
        log.warning("%d words the tokenizer reads as nothing (%s) were given the [UNK] token", len(dropped), examples)
    return out


def windows(pieces: Pieces, budget: int, overlap: int | None = None) -> list[tuple[int, int]]:
    """Word ranges [start, end) of at most `budget` sub-words each, consecutive windows
    sharing about `overlap` sub-words (default: a quarter of the budget). One window
    when the sentence fits. A single word longer than `budget` gets its own window."""
    n = len(pieces)
    if sum(len(p) for p in pieces) <= budget:
        return [(0, n)]
    overlap = budget // 4 if overlap is None else overlap
    out: list[tuple[int, int]] = []
    start = 0
    while True:
        end, size = start, 0
        while end < n and (size + len(pieces[end]) <= budget or end == start):
            size += len(pieces[end])
            end += 1
        out.append((start, end))
        if end >= n:
            return out
        # step back from `end` while the shared part stays within `overlap`
        nxt, shared = end, 0
        while nxt - 1 > start and shared + len(pieces[nxt - 1]) <= overlap:
            nxt -= 1
            shared += len(pieces[nxt])
        start = nxt


def best_window(ranges: Sequence[tuple[int, int]]) -> list[int]:
    """For each word, the index of the window where it is farthest from an edge."""
    n = ranges[-1][1]
    best, margin = [0] * n, [-1] * n
    for k, (start, end) in enumerate(ranges):
        for w in range(start, end):
            m = min(w - start, end - 1 - w)
            if m > margin[w]:
                best[w], margin[w] = k, m
    return best


def window_ids(pieces: Pieces, start: int, end: int, budget: int, prefix: list[int], suffix: list[int]) -> tuple[list[int], list[int]]:
    """Input ids of one window and the position of each word's first sub-word in them."""
    ids = list(prefix)
    firsts = []
    for word in pieces[start:end]:
        firsts.append(len(ids))
        ids.extend(word)
    del ids[len(prefix) + budget :]  # only a single over-long word can exceed the budget
    firsts = [min(f, len(ids) - 1) for f in firsts]
    return ids + list(suffix), firsts


@dataclass
class WordWindow:
    """One model input of `Model.tag_words`: a window of a sentence's sub-word ids."""

    #: Index of the sentence this window belongs to.
    sentence: int
    input_ids: list[int]
    #: (word index in the sentence, position of its first sub-word in `input_ids`) of each
    #: word this window is the best one for (each word is read from exactly one window).
    words: list[tuple[int, int]]


def word_windows(tokenizer: Any, sentences: Sequence[Sequence[str]], max_length: int, overlap: int | None = None) -> tuple[list[WordWindow], list[int]]:
    """The model inputs for tagging `sentences` word by word, and each sentence's word count.

    The tokenizer-side half of `Model.tag_words`, shared by every backend: sentences
    longer than `max_length` (special tokens included) become overlapping `windows`,
    and each word is read at its first sub-word in the window where it has the most
    context (`best_window`). A backend runs the windows and puts each window's
    per-word outputs at ``(window.sentence, word)``."""
    prefix, suffix = special_ids(tokenizer)
    budget = max_length - len(prefix) - len(suffix)
    pieces = encode_words(tokenizer, sentences)
    out: list[WordWindow] = []
    for i, words in enumerate(pieces):
        ranges = windows(words, budget, overlap) if words else []
        picks = best_window(ranges) if ranges else []
        for k, (start, end) in enumerate(ranges):
            ids, firsts = window_ids(words, start, end, budget, prefix, suffix)
            wanted = [(start + offset, position) for offset, position in enumerate(firsts) if picks[start + offset] == k]
            out.append(WordWindow(i, ids, wanted))
    return out, [len(words) for words in pieces]


def collect_words(rows: Sequence[WordWindow], sizes: Sequence[int], batches: Iterable[tuple[list[int], Sequence[Sequence[Any]]]]) -> list[list[Any]]:
    """Per sentence, per word: the output of the window that reads it, gathered from the
    ``(window indices, per-word outputs)`` batches `nlpkit.inference.iter_batches` yields."""
    out: list[list[Any]] = [[[] for _ in range(n)] for n in sizes]
    for indices, results in batches:
        for j, word_outputs in zip(indices, results):
            for (w, _), value in zip(rows[j].words, word_outputs):
                out[rows[j].sentence][w] = value
    return out


def encode_focused(tokenizer: Any, items: Sequence[tuple[Sequence[str], int, int]], max_length: int) -> list[list[int]]:
    """Input ids of each (words, first, last): the whole sequence when it fits, else
    the words [first, last) grown word by word on both sides up to `max_length`
    (relations: the marked pair and as much context as fits)."""
    prefix, suffix = special_ids(tokenizer)
    budget = max_length - len(prefix) - len(suffix)
    out = []
    for (_, first, last), pieces in zip(items, encode_words(tokenizer, [words for words, _, _ in items])):
        lo, hi = first, last
        size = sum(len(p) for p in pieces[lo:hi])
        grew = True
        while grew:
            grew = False
            if hi < len(pieces) and size + len(pieces[hi]) <= budget:
                size += len(pieces[hi])
                hi += 1
                grew = True
            if lo > 0 and size + len(pieces[lo - 1]) <= budget:
                lo -= 1
                size += len(pieces[lo])
                grew = True
        ids = [i for p in pieces[lo:hi] for i in p][:budget]
        out.append(list(prefix) + ids + list(suffix))
    return out
