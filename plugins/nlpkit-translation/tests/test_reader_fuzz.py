"""Any bytes in parallel text or JSON lines yield examples or a DataError, never another exception."""

from __future__ import annotations

import json
from pathlib import Path

from nlpkit.testing import check_reader_never_crashes
from nlpkit_translation.task import TranslationTask

LINES = json.dumps({"en": "a dog runs", "de": "ein Hund rennt"}) + "\n" + json.dumps({"translation": {"en": "hi", "de": "hallo"}}) + "\n"


def test_parallel_text_reader_gives_examples_or_data_error_on_any_bytes() -> None:
    def read_pair(path: Path) -> list:
        (path.parent / "data.de").write_bytes(path.read_bytes()[::-1])  # a target half of any shape
        return TranslationTask().read(path)

    check_reader_never_crashes(read_pair, ".en", ["a dog runs\nthe cat\n", "one line"], alphabet="\r\n")


def test_translation_json_lines_reader_gives_examples_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(lambda p: TranslationTask().read(p, source="en", target="de"), ".jsonl", [LINES], alphabet='{}":,')
