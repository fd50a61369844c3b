"""Raw text → words with character offsets (the unit NER labels).

Words are runs of letters/digits or single other non-space characters, the way
BERT's basic tokenizer splits text, so sub-word tokenizers see familiar pieces
and every entity maps back to exact character offsets of the original string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlpkit_ner.records import NerExample

WORD = re.compile(r"\w+|[^\w\s]")


def split_words(text: str, cuts: Iterable[int] = ()) -> tuple[list[str], list[tuple[int, int]]]:
    """Words of `text` and their (start, end) offsets; a word is also split at each
    character offset in `cuts` (entity boundaries that fall inside a word)."""
    cut_set = sorted(set(cuts))
    words, offsets = [], []
    for match in WORD.finditer(text):
        start, end = match.span()
        inner = [c for c in cut_set if start < c < end]
        for a, b in zip([start, *inner], [*inner, end]):
            words.append(text[a:b])
            offsets.append((a, b))
    return words, offsets


def example_from_text(text: str, *, cuts: Iterable[int] = (), **kwargs) -> NerExample:  # type: ignore[no-untyped-def]
    words, offsets = split_words(text, cuts)
    return NerExample(tokens=words, text=text, offsets=offsets, **kwargs)
