"""Typed entity markers: how an entity pair is shown to a sentence classifier.

The head and tail of a candidate pair are wrapped in marker tokens, the entity
type written inside as a word (the "typed entity marker" of Zhou & Chen 2021):

    [E1] peop : John Wilkes Booth [/E1] , who assassinated [E2] peop : Lincoln [/E2] …

The four markers are added to the tokenizer as special tokens (embeddings resized)
by `add_markers`; types stay plain words, so any entity type works at prediction
time. A sentence too long for the model is cropped around the two entities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlpkit_ner.records import Span
from nlpkit_ner.subwords import encode_words, special_ids

HEAD_OPEN, HEAD_CLOSE, TAIL_OPEN, TAIL_CLOSE = MARKERS = ("[E1]", "[/E1]", "[E2]", "[/E2]")


def add_markers(model: Any) -> bool:
    """Add the marker tokens to `model`'s tokenizer and resize its embeddings; False if already there."""
    tokenizer = model.tokenizer
    vocab = tokenizer.get_vocab()
    missing = [m for m in MARKERS if m not in vocab]
    if not missing:
        return False
    tokenizer.add_tokens(missing, special_tokens=True)
    model.network.resize_token_embeddings(len(tokenizer))
    return True


def marked_words(tokens: Sequence[str], head: Span, tail: Span) -> tuple[list[str], int, int]:
    """`tokens` with markers around `head` and `tail`; also the marked words' range covering both."""
    inserts: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for (start, end, type_), (open_, close) in ((head, (HEAD_OPEN, HEAD_CLOSE)), (tail, (TAIL_OPEN, TAIL_CLOSE))):
        inserts.setdefault(start, []).extend([open_, type_, ":"])
        closes.setdefault(end, []).append(close)
    words: list[str] = []
    first = last = None
    for i in range(len(tokens) + 1):
        for w in closes.get(i, []):
            words.append(w)
            last = len(words)
        for w in inserts.get(i, []):
            if first is None:
                first = len(words)
            words.append(w)
        if i < len(tokens):
            words.append(tokens[i])
    return words, first or 0, last or len(words)


def encode_pairs(tokenizer: Any, items: Sequence[tuple[Sequence[str], Span, Span]], max_length: int) -> list[list[int]]:
    """Input ids for each (tokens, head, tail): marked, and cropped around the pair if too long."""
    prefix, suffix = special_ids(tokenizer)
    budget = max_length - len(prefix) - len(suffix)
    marked = [marked_words(tokens, head, tail) for tokens, head, tail in items]
    out = []
    for (words, first, last), pieces in zip(marked, encode_words(tokenizer, [m[0] for m in marked])):
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
