"""Any bytes in a summarization file yield examples or a DataError, never another exception."""

from __future__ import annotations

import json

from nlpkit.testing import check_reader_never_crashes
from nlpkit_summarization.task import SummarizationTask

LINES = json.dumps({"document": "A long text. It goes on.", "summary": "A text."}) + "\n" + json.dumps({"source": ["a", "b"], "target": ["c"]}) + "\n"


def test_summarization_reader_gives_examples_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(SummarizationTask().read, ".jsonl", [LINES], alphabet='{}[]":,')
