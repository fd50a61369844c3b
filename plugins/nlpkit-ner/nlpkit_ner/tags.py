"""IOB tag schemes: checking, IOB1 → IOB2, tags ↔ spans.

The tasks work in IOB2 (every entity starts with `B-`). CoNLL-2003 ships IOB1
(`B-` only between two adjacent same-type entities) and is converted on load.
Two span readers: `decode_spans` reads tagger output leniently (an `I-` after `O`
or after another type starts a new entity, as taggers do emit it), and
`strict_spans` reads IOB2 as seqeval's strict mode does (a stray `I-` is no entity).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlpkit_ner.iob import strict_iob2_spans

from nlpkit_ner.records import Span

SCHEMES = ("iob1", "iob2")
#: What the `lowercase_words` predict option does with words written in lower case (`cased_spans`).
LOWERCASE_WORDS = ("keep", "drop", "trim")
TAG_PATTERN = re.compile(r"^(?:O|([BI])-(.+))$")


class TagError(ValueError):
    """A tag that is malformed or breaks the scheme; `index` is the offending position."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


def split_tag(tag: str) -> tuple[str, str | None]:
    """``"B-PER"`` → ``("B", "PER")``; ``"O"`` → ``("O", None)``; anything else raises ValueError."""
    match = TAG_PATTERN.match(tag)
    if not match:
        raise ValueError(f"unknown tag {tag!r} (expected O, B-TYPE or I-TYPE)")
    return (match.group(1), match.group(2)) if match.group(1) else ("O", None)


def to_iob2(tags: Sequence[str], scheme: str = "iob2", types: Sequence[str] | None = None) -> list[str]:
    """Check `tags` against `scheme` (and the allowed entity `types`) and return them in IOB2.

    Raises `TagError` at the first bad tag: malformed, of an unknown type, or an `I-`
    that IOB2 forbids (not after `B-`/`I-` of the same type)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r}; schemes: {', '.join(SCHEMES)}")
    allowed = set(types) if types is not None else None
    out: list[str] = []
    previous: str | None = None  # type of the previous tag, None after O
    for i, tag in enumerate(tags):
        try:
            prefix, type_ = split_tag(tag)
        except ValueError as exc:
            raise TagError(i, str(exc)) from None
        if type_ is not None and allowed is not None and type_ not in allowed:
            raise TagError(i, f"unknown entity type in tag {tag!r}; types: {', '.join(sorted(allowed))}")
        if prefix == "I" and previous != type_:
            if scheme == "iob2":
                after = f"after {out[-1]!r}" if out else "at the start of a sentence"
                raise TagError(i, f"tag {tag!r} {after} is not allowed in IOB2 (an entity starts with B-)")
            tag = f"B-{type_}"
        out.append(tag)
        previous = type_
    return out


def decode_spans(tags: Sequence[str]) -> list[Span]:
    """Entity spans from tagger output, leniently: `I-X` continues an entity of type X and
    otherwise starts a new one; `B-X` always starts one."""
    spans: list[Span] = []
    start, current = 0, None
    for i, tag in enumerate(tags):
        prefix, type_ = ("O", None) if tag == "O" else (tag[0], tag[2:])
        if prefix == "I" and type_ == current:
            continue
        if current is not None:
            spans.append((start, i, current))
        start, current = i, type_
    if current is not None:
        spans.append((start, len(tags), current))
    return spans


def is_lowercase_word(word: str) -> bool:
    """A word with lower-case letters and no capital (``of``, ``coast``); digits, punctuation
    and scripts without case are not."""
    return word != word.upper() and word == word.lower()


def cased_spans(words: Sequence[str], spans: Sequence[Span], mode: str = "keep") -> list[Span]:
    """`spans` checked against the words' capitals, which an uncased model cannot see:
    ``keep`` leaves them; ``drop`` removes entities made only of lower-case words
    (``south coast``); ``trim`` also cuts lower-case words off an entity's ends
    (``of Yangon`` → ``Yangon``)."""
    if mode not in LOWERCASE_WORDS:
        raise ValueError(f"lowercase_words must be one of {', '.join(LOWERCASE_WORDS)}, not {mode!r}")
    if mode == "keep":
        return list(spans)
    out = []
    for start, end, type_ in spans:
        cased = [i for i in range(start, end) if not is_lowercase_word(words[i])]
        if not cased:
            continue
        out.append((cased[0], cased[-1] + 1, type_) if mode == "trim" else (start, end, type_))
    return out


def strict_spans(tags: Sequence[str]) -> list[Span]:
    """Entity spans of strict IOB2 (seqeval ``mode="strict", scheme=IOB2``): `B-X I-X*`;
    an `I-` that does not continue a same-type entity belongs to none."""
    return strict_iob2_spans(tags)


def tags_from_spans(length: int, spans: Sequence[Span]) -> list[str]:
    """IOB2 tags for `length` words with entities `spans` (non-overlapping)."""
    tags = ["O"] * length
    for start, end, type_ in spans:
        tags[start] = f"B-{type_}"
        for i in range(start + 1, end):
            tags[i] = f"I-{type_}"
    return tags


def entity_types(tags: Sequence[str]) -> set[str]:
    return {tag[2:] for tag in tags if tag != "O"}
