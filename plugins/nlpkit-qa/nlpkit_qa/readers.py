"""Readers: SQuAD v1.1 / v2.0 JSON, JSON lines, and Hugging Face `squad`-style rows.

Every example is checked where it is read: a non-empty question and context, and
each gold answer found at its `answer_start`. A broken record raises a `DataError`
that names the file, the line and question id, and the field. Files known to have
shifted offsets can be read with ``on_bad_answer="fix"`` (move the answer to the
nearest occurrence of its text) or ``"skip"`` (drop it); both count what they did
and log one warning per file.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpkit.contracts.errors import DataError
from nlpkit.engines.readers import iter_jsonl, read_text
from nlpkit_qa.records import GoldAnswer, QAExample

log = logging.getLogger("nlpkit.qa")

BAD_ANSWER_POLICIES = ("error", "fix", "skip")


@dataclass
class _Where:
    """Location of one record, for error messages."""

    path: str
    line: int | None
    record: str

    def error(self, message: str, field: str | None = None) -> DataError:
        located = f"{self.record}, field {field!r}: {message}" if field else f"{self.record}: {message}"
        exc = DataError(self.path, located, line=self.line)
        exc.field = field
        return exc


@dataclass
class _Counts:
    fixed: int = 0
    dropped_answers: int = 0
    dropped_questions: int = 0


def read_qa_file(path: str | Path, *, require_labels: bool = True, on_bad_answer: str = "error") -> list[QAExample]:
    """Examples from a SQuAD JSON file (``{"data": [...]}``) or JSON lines."""
    if on_bad_answer not in BAD_ANSWER_POLICIES:
        raise DataError(path, f"on_bad_answer must be one of {', '.join(BAD_ANSWER_POLICIES)}, not {on_bad_answer!r}")
    text = read_text(path)
    counts = _Counts()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if not exc.msg.startswith("Extra data"):  # "Extra data" after a first object: JSON lines
            raise DataError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None
        document = None
    if isinstance(document, dict) and "data" in document:
        examples = list(_squad_json(str(path), text, document, require_labels, on_bad_answer, counts))
    elif document is None or (isinstance(document, dict) and "question" in document):
        examples = list(_json_lines(str(path), text, require_labels, on_bad_answer, counts))
    else:
        raise DataError(path, "not SQuAD JSON (an object with a \"data\" list) nor JSON lines with question and context")
    _report(str(path), counts)
    return examples


def read_rows(rows: Iterable[dict[str, Any]], source: str, *, require_labels: bool = True, on_bad_answer: str = "error") -> list[QAExample]:
    """Examples from flat rows (a hub `squad` dataset or parsed JSON lines)."""
    counts = _Counts()
    out = []
    for number, row in enumerate(rows, start=1):
        example = _flat_row(dict(row), _Where(source, None, f"row {number}"), require_labels, on_bad_answer, counts)
        if example is not None:
            out.append(example)
    _report(source, counts)
    return out


def _squad_json(path: str, text: str, document: dict[str, Any], require_labels: bool, on_bad_answer: str, counts: _Counts) -> Iterator[QAExample]:
    data = document.get("data")
    if not isinstance(data, list):
        raise DataError(path, "not SQuAD JSON: expected an object with a \"data\" list (or JSON lines with question/context)")
    lines = _id_lines(text)
    for a, article in enumerate(data):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            raise DataError(path, f"data[{a}]: expected a \"paragraphs\" list", field="paragraphs")
        for p, paragraph in enumerate(paragraphs):
            here = f"data[{a}].paragraphs[{p}]"
            if not isinstance(paragraph, dict) or not isinstance(paragraph.get("qas"), list):
                raise DataError(path, f"{here}: expected an object with \"context\" and a \"qas\" list", field="qas")
            where = _Where(path, None, here)
            context = _text(paragraph.get("context"), where, "context")
            for q, qa in enumerate(paragraph["qas"]):
                if not isinstance(qa, dict):
                    raise DataError(path, f"{here}.qas[{q}]: expected an object", field="qas")
                qid = qa.get("id")
                where = _Where(path, lines.get(str(qid)) if qid is not None else None, f"{here}.qas[{q}]" + (f" (id {qid})" if qid is not None else ""))
                example = _example(qa.get("question"), context, qa, str(qid) if qid is not None else None, where, require_labels, on_bad_answer, counts)
                if example is not None:
                    yield example


def _json_lines(path: str, text: str, require_labels: bool, on_bad_answer: str, counts: _Counts) -> Iterator[QAExample]:
    for number, row in iter_jsonl(path, text):
        example = _flat_row(row, _Where(path, number, "record"), require_labels, on_bad_answer, counts)
        if example is not None:
            yield example


def _flat_row(row: dict[str, Any], where: _Where, require_labels: bool, on_bad_answer: str, counts: _Counts) -> QAExample | None:
    for needed in ("question", "context"):
        if needed not in row:
            raise where.error(f"missing; the record has {', '.join(map(repr, row)) or 'no fields'}", needed)
    qid = row.get("id")
    if qid is not None:
        where = _Where(where.path, where.line, f"{where.record} (id {qid})")
    context = _text(row["context"], where, "context")
    return _example(row["question"], context, row, str(qid) if qid is not None else None, where, require_labels, on_bad_answer, counts)


def _example(question: Any, context: str, record: dict[str, Any], qid: str | None, where: _Where, require_labels: bool, on_bad_answer: str, counts: _Counts) -> QAExample | None:
    question = _text(question, where, "question")
    source = f"{where.path}:{where.line}" if where.line is not None else f"{where.path} {where.record}"
    impossible = bool(record.get("is_impossible", False))
    raw = record.get("answers")
    if raw is None and not impossible:
        if require_labels:
            raise where.error("missing (give answers, or \"is_impossible\": true for an unanswerable question)", "answers")
        return QAExample(question=question, context=context, answers=None, id=qid, source=source)
    golds = [] if impossible else _answers(raw, context, where, on_bad_answer, counts)
    if not impossible and not golds:
        if raw:  # every answer was dropped by the fix/skip policy
            counts.dropped_questions += 1
            return None
        if require_labels:
            raise where.error("no answers (mark an unanswerable question with \"is_impossible\": true)", "answers")
        golds = None
    return QAExample(question=question, context=context, answers=golds, id=qid, source=source)


def _answers(raw: Any, context: str, where: _Where, on_bad_answer: str, counts: _Counts) -> list[GoldAnswer]:
    """Gold answers from SQuAD lists (``[{text, answer_start}]``), HF columns
    (``{text: [...], answer_start: [...]}``) or bare strings (located in the context)."""
    if isinstance(raw, dict) and isinstance(raw.get("text"), list):
        starts = raw.get("answer_start") or [None] * len(raw["text"])
        raw = [{"text": t, "answer_start": s} for t, s in zip(raw["text"], starts)]
    if not isinstance(raw, list):
        raise where.error(f"expected a list of answers, got {type(raw).__name__}", "answers")
    golds = []
    for i, item in enumerate(raw):
        field = f"answers[{i}]"
        if isinstance(item, str):
            item = {"text": item, "answer_start": None}
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise where.error("expected {\"text\": ..., \"answer_start\": ...}", field)
        answer = item["text"]
        if not answer.strip():
            raise where.error("empty answer text", field + ".text")
        start = item.get("answer_start")
        if start is None:
            start = context.find(answer)
            if start < 0:
                raise where.error(f"answer {_short(answer)} does not occur in the context", field + ".text")
        if not isinstance(start, int) or isinstance(start, bool):
            raise where.error(f"answer_start must be an integer, not {start!r}", field + ".answer_start")
        if context[start : start + len(answer)] != answer:
            fixed = _resolve_bad_answer(answer, start, context, where, field, on_bad_answer, counts)
            if fixed is None:
                continue
            start = fixed
        golds.append(GoldAnswer(text=answer, start=start))
    return golds


def _resolve_bad_answer(answer: str, start: int, context: str, where: _Where, field: str, policy: str, counts: _Counts) -> int | None:
    found = context[start : start + len(answer)]
    if policy == "error":
        hint = " (read with on_bad_answer=fix to move such answers to the nearest occurrence of their text)" if answer in context else ""
        raise where.error(f"answer {_short(answer)} is not at answer_start {start}: the context has {_short(found)} there{hint}", field)
    if policy == "fix":
        occurrences = [m.start() for m in re.finditer(re.escape(answer), context)]
        if occurrences:
            counts.fixed += 1
            return min(occurrences, key=lambda s: abs(s - start))
    counts.dropped_answers += 1
    return None


def _report(source: str, counts: _Counts) -> None:
    if counts.fixed or counts.dropped_answers:
        log.warning(
            "%s: %d answers were not at their answer_start: %d moved to the nearest occurrence of their text, %d dropped (%d questions left without answers and skipped)",
            source, counts.fixed + counts.dropped_answers, counts.fixed, counts.dropped_answers, counts.dropped_questions,
        )


def _text(value: Any, where: _Where, field: str) -> str:
    if value is None:
        raise where.error("missing", field)
    if not isinstance(value, str):
        raise where.error(f"expected a string, got {type(value).__name__}", field)
    if not value.strip():
        raise where.error("empty text", field)
    return value


def _id_lines(text: str) -> dict[str, int]:
    """Line number of each question id in a SQuAD JSON file, for error messages."""
    lines: dict[str, int] = {}
    line, last = 1, 0
    for match in re.finditer(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
        line += text.count("\n", last, match.start())
        last = match.start()
        lines.setdefault(match.group(1), line)
    return lines


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
