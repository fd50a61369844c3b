"""Any byte string given to a core reader yields rows or a DataError, never another exception."""

from __future__ import annotations

from nlpkit.engines.classification import TextClassificationTask
from nlpkit.engines.readers import iter_rows
from nlpkit.testing import check_reader_never_crashes

TSV = "sentence\tlabel\na good film\t1\na bad film\t0\n"
CSV = 'text,label\n"a good, fun film",positive\nbad,negative\n'
JSONL = '{"text": "a good film", "label": "positive"}\n{"text": "bad", "label": 0}\n'


def test_tsv_reader_gives_rows_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(lambda p: list(iter_rows(p)), ".tsv", [TSV], alphabet="\t")


def test_csv_reader_gives_rows_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(lambda p: list(iter_rows(p)), ".csv", [CSV], alphabet=',"')


def test_jsonl_reader_gives_rows_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(lambda p: list(iter_rows(p)), ".jsonl", [JSONL], alphabet='{}":,')


def test_text_classification_reader_gives_examples_or_data_error_on_any_bytes() -> None:
    task = TextClassificationTask()
    for suffix, seed in ((".tsv", TSV), (".csv", CSV), (".jsonl", JSONL)):
        check_reader_never_crashes(task.read, suffix, [seed], max_examples=40)
