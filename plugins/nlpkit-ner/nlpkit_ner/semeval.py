"""SemEval-2010 Task 8: ``id<TAB>"… <e1>x</e1> … <e2>y</e2> …"``, a label line, a comment, a blank.

Labels are directional (``Cause-Effect(e2,e1)``) or ``Other``. Each sentence
becomes a relation example with two nominals (type ``Nominal``) and the single
pair (e1, e2) to classify, labelled with the raw directional label.
"""

from __future__ import annotations

import re
from pathlib import Path

from nlpkit.contracts.errors import DataError
from nlpkit_ner.records import RelationExample
from nlpkit_ner.words import example_from_text

NOMINAL = "Nominal"
LABEL = re.compile(r"^(Other|[A-Z][A-Za-z]*-[A-Z][A-Za-z]*\((e1,e2|e2,e1)\))$")
MARKUP = re.compile(r"</?e[12]>")


def parse_marked(sentence: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """Strip ``<e1>…</e1>``/``<e2>…</e2>``; return the text and each tag's character span."""
    text, spans, opened, position = [], {}, {}, 0
    last = 0
    for match in MARKUP.finditer(sentence):
        text.append(sentence[last : match.start()])
        position += match.start() - last
        last = match.end()
        tag = match.group()
        name = tag.strip("</>")
        if tag.startswith("</"):
            if name not in opened:
                raise ValueError(f"{tag} without <{name}>")
            spans[name] = (opened.pop(name), position)
        else:
            if name in opened or name in spans:
                raise ValueError(f"<{name}> twice")
            opened[name] = position
    text.append(sentence[last:])
    if opened or set(spans) != {"e1", "e2"}:
        raise ValueError("needs exactly one <e1>…</e1> and one <e2>…</e2>")
    return "".join(text), spans


def read_semeval(path: str | Path, *, require_labels: bool = True) -> list[RelationExample]:
    """Read a SemEval-2010 Task 8 file (TRAIN_FILE.TXT, TEST_FILE_FULL.TXT or an unlabelled TEST_FILE.txt)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, str(exc)) from None
    examples = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        number = i + 1
        id_, sep, quoted = line.partition("\t")
        if not sep or not id_.strip().isdigit():
            raise DataError(path, f"expected 'id<TAB>\"sentence\"', got {line[:40]!r}", line=number)
        sentence = quoted.strip()
        if len(sentence) >= 2 and sentence[0] == sentence[-1] == '"':
            sentence = sentence[1:-1]
        try:
            text, spans = parse_marked(sentence)
        except ValueError as exc:
            raise DataError(path, str(exc), line=number, field="sentence") from None
        label = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if label and not LABEL.match(label):
            if label.startswith("Comment") or not require_labels:
                label = ""
            else:
                raise DataError(path, f"unknown label {label!r} (expected Other or Relation(e1,e2) / Relation(e2,e1))", line=number + 1, field="label")
        if not label and require_labels:
            raise DataError(path, "missing label line", line=number + 1, field="label")
        i += 1
        while i < len(lines) and lines[i].strip():
            i += 1
        source = f"{path}:{number}"
        example = example_from_text(text, cuts=[c for s in spans.values() for c in s], id=id_.strip(), source=source)
        entities = []
        for name in ("e1", "e2"):
            start, end = spans[name]
            words = [k for k, (s, e) in enumerate(example.offsets) if s < end and e > start]
            if not words:
                raise DataError(path, f"<{name}> is empty", line=number, field="sentence")
            entities.append((words[0], words[-1] + 1, NOMINAL))
        relations = [(0, 1, label)] if label else []
        examples.append(RelationExample(sentence=example, entities=entities, relations=relations, pairs=[(0, 1)], id=id_.strip(), source=source))
    return examples
