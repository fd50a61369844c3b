"""Reader failure modes: each gives the right rows or a one-line DataError naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpkit.contracts.errors import DataError
from nlpkit.engines.classification import TextClassificationTask
from nlpkit.engines.readers import iter_rows


def test_tsv_field_longer_than_the_csv_default_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.tsv"
    text = "word " * 40_000  # 200,000 characters: over csv's 131,072 default
    path.write_text(f"sentence\tlabel\n{text}\t1\n", encoding="utf-8")
    [(_, row)] = list(iter_rows(path))
    assert row["sentence"] == text


def test_csv_field_longer_than_the_csv_default_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    text = "x" * 200_000
    path.write_text(f'text,label\n"{text}",a\n', encoding="utf-8")
    assert TextClassificationTask().read(path)[0].text == text


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.tsv"
    path.write_bytes("\ufeffsentence\tlabel\ngood\t1\n".encode())
    [(_, row)] = list(iter_rows(path))
    assert list(row) == ["sentence", "label"]


def test_unterminated_csv_quote_is_a_data_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('text,label\n"open quote,a\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.csv"):
        list(iter_rows(path))


def test_csv_nul_byte_is_read_or_a_data_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b'text,label\n"a\x00b",x\n')
    try:
        rows = list(iter_rows(path))
    except DataError as exc:
        assert "nul.csv" in str(exc)
    else:
        assert rows[0][1]["text"] == "a\x00b"





def test_jsonl_line_that_is_not_an_object_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text('{"text": "a", "label": "x"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"list\.jsonl:2: expected a JSON object"):
        list(iter_rows(path))



def test_folder_given_as_data_file_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "data.tsv").mkdir()
    with pytest.raises(DataError, match="is a folder, expected a file"):
        list(iter_rows(tmp_path / "data.tsv"))


def test_missing_label_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "nolabel.tsv"
    path.write_text("sentence\tlabel\ngood\t\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"nolabel\.tsv:2: missing label"):
        TextClassificationTask().read(path)
