"""Reading SQuAD JSON and JSON lines, and the errors for broken records."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from nlpkit.contracts.errors import DataError
from nlpkit_qa.readers import read_qa_file, read_rows
from nlpkit_qa.testing import CONTEXT, SQUAD_V1, write_json


def test_squad_v1_gives_one_example_per_question_with_all_answers(squad_v1: Path) -> None:
    examples = read_qa_file(squad_v1)
    assert [ex.id for ex in examples] == ["q1", "q2", "q3"]
    assert [a.text for a in examples[0].answers] == ["on the mat", "the mat"]
    assert examples[0].context == CONTEXT


def test_squad_v2_unanswerable_question_has_empty_answers(squad_v2: Path) -> None:
    examples = read_qa_file(squad_v2)
    assert examples[0].answers and examples[0].answers[0].text == "on the mat"
    assert examples[1].answers == []


def test_json_lines_accept_squad_lists_hf_columns_and_bare_strings(tmp_path: Path) -> None:
    rows = [
        {"question": "Where did the cat sit?", "context": CONTEXT, "answers": [{"text": "on the mat", "answer_start": 12}]},
        {"question": "Where did the cat sit?", "context": CONTEXT, "answers": {"text": ["the mat"], "answer_start": [15]}},
        {"question": "Where did the dog sleep?", "context": CONTEXT, "answers": ["in the garden"]},
        {"question": "Who flew?", "context": CONTEXT, "is_impossible": True},
    ]
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    examples = read_qa_file(path)
    assert [(a.text, a.start) for ex in examples[:3] for a in ex.answers] == [("on the mat", 12), ("the mat", 15), ("in the garden", 38)]
    assert examples[3].answers == []


def test_unlabelled_inputs_have_no_answers(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"question": "Where?", "context": CONTEXT}) + "\n", encoding="utf-8")
    assert read_qa_file(path, require_labels=False)[0].answers is None
    with pytest.raises(DataError, match="answers"):
        read_qa_file(path)


def test_answer_not_at_its_offset_names_file_line_record_and_field(tmp_path: Path) -> None:
    data = json.loads(json.dumps(SQUAD_V1))
    data["data"][0]["paragraphs"][0]["qas"][1]["answers"][0]["answer_start"] = 40
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_qa_file(path)
    message = str(info.value)
    assert str(path) in message and "id q2" in message and "answers[0]" in message and "answer_start 40" in message
    lines = path.read_text(encoding="utf-8").splitlines()
    assert info.value.line == next(n for n, line in enumerate(lines, start=1) if '"id": "q2"' in line)


def test_shifted_answers_can_be_fixed_or_skipped_with_a_counted_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = json.loads(json.dumps(SQUAD_V1))
    data["data"][0]["paragraphs"][0]["qas"][1]["answers"][0]["answer_start"] = 40
    data["data"][0]["paragraphs"][0]["qas"][0]["answers"] = [{"text": "not in there", "answer_start": 3}]
    path = write_json(tmp_path / "dirty.json", data)
    with caplog.at_level(logging.WARNING, logger="nlpkit.qa"):
        examples = read_qa_file(path, on_bad_answer="fix")
    assert [ex.id for ex in examples] == ["q2", "q3"]
    assert examples[0].answers[0].start == 38
    assert "2 answers were not at their answer_start: 1 moved" in caplog.text and "1 dropped (1 questions" in caplog.text


@pytest.mark.parametrize("field, value, expected", [("question", "  ", "empty text"), ("question", None, "missing"), ("context", "", "empty text")])
def test_empty_or_missing_question_or_context_is_a_data_error(tmp_path: Path, field: str, value: object, expected: str) -> None:
    row = {"question": "Where did the cat sit?", "context": CONTEXT, "answers": ["on the mat"]}
    row[field] = value
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"question": "Who?", "context": CONTEXT, "is_impossible": True}) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"qa.jsonl:2: record, field '{field}': {expected}"):
        read_qa_file(path)


def test_malformed_json_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"data": [\n  {"paragraphs": [}\n]}', encoding="utf-8")
    with pytest.raises(DataError, match=r"broken.json:2: malformed JSON"):
        read_qa_file(path)
    lines = tmp_path / "broken.jsonl"
    lines.write_text(json.dumps({"question": "q?", "context": CONTEXT, "is_impossible": True}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken.jsonl:2: malformed JSON"):
        read_qa_file(lines)


def test_hub_style_rows_are_read(tmp_path: Path) -> None:
    rows = [{"id": "x", "title": "t", "context": CONTEXT, "question": "Where?", "answers": {"text": ["on the mat"], "answer_start": [12]}}]
    assert read_rows(rows, "hub:squad")[0].answers[0].start == 12
