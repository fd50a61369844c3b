"""Table readers: rows with line numbers, and errors that say file, line and what."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpkit.contracts.errors import DataError
from nlpkit.engines.readers import iter_rows


def test_tsv_rows_keep_quotes_and_report_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text('sentence\tlabel\nhe said "fine"\t1\n\nok\t0\n', encoding="utf-8")
    assert list(iter_rows(path)) == [(2, {"sentence": 'he said "fine"', "label": "1"}), (4, {"sentence": "ok", "label": "0"})]


def test_csv_honours_quoted_commas(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('text,label\n"good, really",pos\n', encoding="utf-8")
    assert list(iter_rows(path)) == [(2, {"text": "good, really", "label": "pos"})]


def test_headerless_file_takes_column_names_from_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("nice\t1\n", encoding="utf-8")
    assert list(iter_rows(path, header=["sentence", "label"])) == [(1, {"sentence": "nice", "label": "1"})]


def test_ragged_row_names_file_line_and_expected_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("sentence\tlabel\nfine\t1\textra\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.tsv:2: expected 2 columns \(sentence, label\), found 3"):
        list(iter_rows(path))


def test_non_utf8_bytes_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_bytes(b"sentence\tlabel\nok\t1\ncaf\xe9\t0\n")
    with pytest.raises(DataError, match=r"a\.tsv:3: not valid UTF-8 \(byte 0xe9"):
        list(iter_rows(path))


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="file is empty"):
        list(iter_rows(path))


def test_malformed_json_line_is_located(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.jsonl:2: malformed JSON"):
        list(iter_rows(path))


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        list(iter_rows(tmp_path / "nope.tsv"))
