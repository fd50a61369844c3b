"""JSON readers: character-offset spans (JSON lines) and the CoNLL04 / ADE relation format.

JSON lines, one object per line: ``{"text": "...", "entities": [{"start": 0, "end": 5,
"type": "PER"}, ...]}`` (or ``[start, end, type]`` triples), optionally ``"relations":
[{"head": i, "tail": j, "type": "..."}]`` with entity indices.

CoNLL04 / ADE (SpERT's unified format): one JSON list of ``{"tokens": [...],
"entities": [[start, end, type]], "relations": [[h_start, h_end, t_start, t_end, type]]}``
with token offsets, `end` exclusive; a relation names its arguments by span.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlpkit.contracts.errors import DataError
from nlpkit.engines.readers import iter_rows
from nlpkit_ner.records import NerExample, RelationExample, Span
from nlpkit_ner.words import example_from_text


def _load_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"invalid JSON ({exc.msg})", line=exc.lineno) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, str(exc)) from None


def is_span_json(path: str | Path) -> bool:
    """True for a `.json` file in the CoNLL04 / ADE format (a list of token records)."""
    if Path(path).suffix.lower() != ".json":
        return False
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read(64).lstrip().startswith("[")


def read_span_json(path: str | Path, *, require_labels: bool = True) -> list[RelationExample]:
    """Read the CoNLL04 / ADE format; every relation argument must be one of the entities."""
    data = _load_json(path)
    if not isinstance(data, list):
        raise DataError(path, "expected a JSON list of sentences")
    examples = []
    for number, record in enumerate(data, start=1):
        where = f"{path} record {number}"
        if not isinstance(record, dict):
            raise DataError(where, "expected an object")
        tokens = record.get("tokens")
        if not isinstance(tokens, list) or not tokens or not all(isinstance(t, str) and t for t in tokens):
            raise DataError(where, "expected a non-empty list of non-empty strings", field="tokens")
        sentence = NerExample.from_tokens(tokens, id=str(number), source=where)
        entities: list[Span] = []
        for item in record.get("entities") or []:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], int) and isinstance(item[1], int)):
                raise DataError(where, f"entity {item!r} is not [start, end, type]", field="entities")
            start, end, type_ = item
            if not 0 <= start < end <= len(tokens):
                raise DataError(where, f"entity {item!r} lies outside the {len(tokens)} tokens", field="entities")
            entities.append((start, end, str(type_)))
        index = {(s, e): i for i, (s, e, _) in enumerate(entities)}
        relations = []
        for item in record.get("relations") or []:
            if not (isinstance(item, list) and len(item) == 5):
                raise DataError(where, f"relation {item!r} is not [h_start, h_end, t_start, t_end, type]", field="relations")
            head, tail = index.get((item[0], item[1])), index.get((item[2], item[3]))
            if head is None or tail is None:
                bad = item[0:2] if head is None else item[2:4]
                raise DataError(where, f"relation {item!r} points at span {bad} which is not an entity", field="relations")
            relations.append((head, tail, str(item[4])))
        if require_labels and "entities" not in record:
            raise DataError(where, "missing", field="entities")
        examples.append(RelationExample(sentence=sentence, entities=entities, relations=relations, id=str(number), source=where))
    return examples


def read_span_jsonl(path: str | Path, *, require_labels: bool = True) -> list[RelationExample]:
    """Read JSON lines with text and character-offset entities (and relations by index)."""
    examples = []
    for number, record in iter_rows(path, format="jsonl"):
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DataError(path, "missing or empty", line=number, field="text")
        raw = record.get("entities")
        if raw is None:
            if require_labels:
                raise DataError(path, "missing", line=number, field="entities")
            examples.append(RelationExample(sentence=example_from_text(text, source=f"{path}:{number}"), source=f"{path}:{number}"))
            continue
        chars: list[tuple[int, int, str]] = []
        for item in raw:
            if isinstance(item, dict):
                start, end, type_ = item.get("start"), item.get("end"), item.get("type", item.get("label"))
            elif isinstance(item, list) and len(item) == 3:
                start, end, type_ = item
            else:
                raise DataError(path, f"entity {item!r} is neither {{start, end, type}} nor [start, end, type]", line=number, field="entities")
            if not isinstance(start, int) or not isinstance(end, int) or not type_:
                raise DataError(path, f"entity {item!r} needs integer start/end and a type", line=number, field="entities")
            if not 0 <= start < end <= len(text):
                raise DataError(path, f"entity offsets [{start}, {end}) outside the text (length {len(text)})", line=number, field="entities")
            if not text[start:end].strip():
                raise DataError(path, f"entity [{start}, {end}) covers only white space", line=number, field="entities")
            chars.append((start, end, str(type_)))
        sentence = example_from_text(text, cuts=[c for s, e, _ in chars for c in (s, e)], id=str(number), source=f"{path}:{number}")
        entities: list[Span] = []
        for start, end, type_ in chars:
            # words were cut at entity boundaries, so the words inside cover the entity
            first = next(i for i, (s, e) in enumerate(sentence.offsets) if e > start)
            last = max(i for i, (s, e) in enumerate(sentence.offsets) if s < end) + 1
            entities.append((first, last, type_))
        ordered = sorted(entities)
        for a, b in zip(ordered, ordered[1:]):
            if b[0] < a[1]:
                raise DataError(path, f"entities overlap ({a[2]} and {b[2]}); NER needs flat entities", line=number, field="entities")
        relations = []
        for item in record.get("relations") or []:
            head, tail, type_ = (item.get("head"), item.get("tail"), item.get("type")) if isinstance(item, dict) else (item + [None, None, None])[:3]
            if not all(isinstance(x, int) and 0 <= x < len(entities) for x in (head, tail)):
                raise DataError(path, f"relation {item!r} points at an entity that does not exist ({len(entities)} entities)", line=number, field="relations")
            relations.append((head, tail, str(type_)))
        examples.append(RelationExample(sentence=sentence, entities=entities, relations=relations, id=str(number), source=f"{path}:{number}"))
    return examples


def ner_examples(examples: list[RelationExample]) -> list[NerExample]:
    """The NER view of relation examples: IOB2 tags from the entity spans (flat only)."""
    from nlpkit_ner.tags import tags_from_spans

    out = []
    for ex in examples:
        sentence = ex.sentence
        if ex.entities is not None:
            ordered = sorted(ex.entities)
            for a, b in zip(ordered, ordered[1:]):
                if b[0] < a[1]:
                    raise DataError(ex.source, f"entities {a} and {b} overlap; NER needs flat entities", field="entities")
            sentence = NerExample(tokens=sentence.tokens, text=sentence.text, offsets=sentence.offsets, tags=tags_from_spans(len(sentence.tokens), ex.entities), id=sentence.id, source=sentence.source)
        out.append(sentence)
    return out
