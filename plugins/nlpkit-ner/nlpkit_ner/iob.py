"""IOB2 tag sequences to entity spans, shared by the NER task and its metric (light: no imports)."""

from __future__ import annotations

from collections.abc import Sequence


def strict_iob2_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, type) of each entity in strict IOB2 (seqeval ``mode="strict"``): `B-X I-X*`;
    an `I-` that does not continue a same-type entity belongs to none. End is exclusive."""
    spans: list[tuple[int, int, str]] = []
    start, current = 0, None
    for i, tag in enumerate(tags):
        prefix, type_ = ("O", None) if tag == "O" else (tag[0], tag[2:])
        if prefix == "I" and current is not None and type_ == current:
            continue
        if current is not None:
            spans.append((start, i, current))
        start, current = i, (type_ if prefix == "B" else None)
    if current is not None:
        spans.append((start, len(tags), current))
    return spans
