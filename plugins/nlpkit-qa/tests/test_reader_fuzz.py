"""Any byte string given to the QA reader yields examples or a DataError, never another exception."""

from __future__ import annotations

import json

from nlpkit.testing import check_reader_never_crashes
from nlpkit_qa.readers import read_qa_file

SQUAD = json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "Ann lives in Rome.", "qas": [{"id": "q1", "question": "Where?", "answers": [{"text": "Rome", "answer_start": 13}]}, {"id": "q2", "question": "Who?", "is_impossible": True, "answers": []}]}]}]})
LINES = json.dumps({"id": "q1", "question": "Where?", "context": "Ann lives in Rome.", "answers": {"text": ["Rome"], "answer_start": [13]}}) + "\n"


def test_squad_json_reader_gives_examples_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(read_qa_file, ".json", [SQUAD], alphabet='{}[]":,')


def test_squad_json_reader_fixing_bad_answers_gives_examples_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(lambda p: read_qa_file(p, on_bad_answer="fix"), ".json", [SQUAD], alphabet='{}[]":,', max_examples=30)


def test_qa_json_lines_reader_gives_examples_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(read_qa_file, ".jsonl", [LINES], alphabet='{}[]":,')
