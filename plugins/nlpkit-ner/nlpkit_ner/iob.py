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


#: Tag schemes the entity metric accepts, and the prefixes each allows besides ``O``.
SCHEME_PREFIXES = {"IOB2": "BI", "IOB1": "BI", "IOBES": "BIES"}


class SchemeError(ValueError):
    """A tag sequence that is not in the declared scheme; the message names where."""


def check_scheme(tags: Sequence[str], scheme: str, *, where: str, gold: bool) -> list[str]:
    """Check `tags` against `scheme` and return them ready to score: IOB1 converted to
    IOB2 (an `I-X` that does not continue an X entity becomes `B-X`), IOB2 and IOBES as given.

    Every tag must be ``O`` or ``P-TYPE`` with an upper-case prefix the scheme allows.
    Gold sequences (`gold=True`) must also be well formed (in IOB2 an `I-X` continues
    a `B-X`/`I-X`; in IOBES `B-`/`I-` go on with `I-`/`E-` and `I-`/`E-` follow
    `B-`/`I-` of the same type); predictions are left to the scoring mode, as seqeval
    does. Raises `SchemeError` naming `where` (e.g. ``references[3]``) and the position."""
    prefixes = SCHEME_PREFIXES[scheme]
    out: list[str] = []
    previous = ("O", "")
    for i, tag in enumerate(tags):
        if tag == "O":
            current = ("O", "")
        elif len(tag) > 2 and tag[1] == "-" and tag[0] in prefixes:
            current = (tag[0], tag[2:])
        else:
            hint = " (declare scheme='IOBES')" if len(tag) > 2 and tag[1] == "-" and tag[0] in "ES" else ""
            if tag[:1].islower() or tag == "o":
                hint = " (prefixes are upper case: O, B-TYPE, I-TYPE)"
            raise SchemeError(f"{where}, position {i}: tag {tag!r} is not {scheme}; expected O or {'/'.join(p + '-TYPE' for p in prefixes)}{hint}")
        if scheme == "IOB1" and current[0] == "I" and previous[1] != current[1]:
            current = ("B", current[1])
        elif gold and scheme != "IOB1":
            _check_transition(previous, current, scheme, where, i, tags)
        out.append("O" if current[0] == "O" else f"{current[0]}-{current[1]}")
        previous = current
    if gold and scheme == "IOBES" and previous[0] in "BI":
        _check_transition(previous, ("O", ""), scheme, where, len(tags), tags)
    return out


def _check_transition(previous: tuple[str, str], current: tuple[str, str], scheme: str, where: str, i: int, tags: Sequence[str]) -> None:
    continues = previous[0] in "BI" and previous[1] == current[1]
    if current[0] in ("I", "E") and not continues:
        after = f"after {tags[i - 1]!r}" if i else "at the start"
        hint = " (an IOB1 sequence? declare scheme='IOB1')" if scheme == "IOB2" else ""
        raise SchemeError(f"{where}, position {i}: tag {tags[i]!r} {after} is not {scheme}: an entity starts with B-{hint}")
    if scheme == "IOBES" and previous[0] in "BI" and not (current[0] in "IE" and previous[1] == current[1]):
        found = f"{tags[i]!r}" if i < len(tags) else "the end of the sentence"
        raise SchemeError(f"{where}, position {i}: {found} after {tags[i - 1]!r} is not IOBES: an entity ends with E- (or is one S- tag)")
