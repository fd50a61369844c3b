"""Typed entity markers: how an entity pair is shown to a sentence classifier.

The head and tail of a candidate pair are wrapped in marker tokens, the entity
type written inside as a word (the "typed entity marker" of Zhou & Chen 2021):

    [E1] peop : John Wilkes Booth [/E1] , who assassinated [E2] peop : Lincoln [/E2] …

The four markers become special tokens of the model (`Model.add_marker_tokens`,
embeddings resized) and the classifier reads the states at the two start markers
(`Model.use_marker_pooling` / `Model.classify_marked`); types stay plain words, so
any entity type works at prediction time. A sentence too long for the model is
cropped around the two entities (by the backend: `marked_words` says where they are).
"""

from __future__ import annotations

from collections.abc import Sequence

from nlpkit_ner.records import Span

HEAD_OPEN, HEAD_CLOSE, TAIL_OPEN, TAIL_CLOSE = MARKERS = ("[E1]", "[/E1]", "[E2]", "[/E2]")
#: The tokens the classifier reads a pair from.
POOL_AT = (HEAD_OPEN, TAIL_OPEN)


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


def marked_window(tokens: Sequence[str], head: Span, tail: Span, reach: int) -> tuple[list[str], int, int]:
    """`marked_words` of the words within `reach` of the pair only: a model reading at most
    `reach` tokens crops there anyway (each word is at least one token), and marking a copy
    of a whole long text for each of its pairs would cost time quadratic in its length."""
    lo = max(0, min(head[0], tail[0]) - reach)
    hi = min(len(tokens), max(head[1], tail[1]) + reach)
    shift = lambda span: (span[0] - lo, span[1] - lo, span[2])  # noqa: E731
    return marked_words(tokens[lo:hi], shift(head), shift(tail))
