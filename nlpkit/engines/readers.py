"""Readers for the plain file formats tasks share: TSV, CSV and JSON lines.

Each yields ``(line_number, row_dict)`` so tasks can report errors by file, line
and field. Bad bytes, an empty file, a ragged row or malformed JSON raise a
`DataError` that says where.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nlpkit.contracts.errors import DataError

FORMATS = ("tsv", "csv", "jsonl")
#: The csv module refuses fields over 131,072 characters by default; long documents are fine.
FIELD_SIZE_LIMIT = 2**31 - 1


def read_text(path: str | Path) -> str:
    """The whole file as UTF-8 text (a BOM is dropped); clear errors for missing, empty or non-UTF-8 files."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "no such file")
    if path.is_dir():
        raise DataError(path, "is a folder, expected a file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})", line=line) from None
    if not text.strip():
        raise DataError(path, "file is empty")
    return text


def guess_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in {"tsv", "tab", "txt"}:
        return "tsv"
    if suffix == "csv":
        return "csv"
    if suffix in {"jsonl", "json", "ndjson"}:
        return "jsonl"
    raise DataError(path, f"cannot tell the format from the extension {suffix!r}; give format= one of {', '.join(FORMATS)}")


def iter_rows(
    path: str | Path,
    *,
    format: str | None = None,
    header: bool | list[str] = True,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a TSV/CSV/JSONL file as dicts, with 1-based line numbers.

    `header=True` takes column names from the first line; a list names the columns
    of a header-less file (e.g. ``["sentence", "label"]``). JSONL ignores `header`.
    """
    fmt = format or guess_format(path)
    text = read_text(path)
    if fmt == "jsonl":
        yield from iter_jsonl(path, text)
    elif fmt in {"tsv", "csv"}:
        yield from _iter_delimited(path, text, "\t" if fmt == "tsv" else ",", header)
    else:
        raise DataError(path, f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def iter_jsonl(path: str | Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Objects of JSON-lines `text` (read from `path`) with 1-based line numbers; blank lines skipped."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", line=number) from None
        if not isinstance(row, dict):
            raise DataError(path, f"expected a JSON object per line, got {type(row).__name__}", line=number)
        yield number, row


def _iter_delimited(path: str | Path, text: str, delimiter: str, header: bool | list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    # QUOTE_NONE for TSV: SST-2 sentences contain bare quote characters.
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    columns: list[str] | None = list(header) if isinstance(header, list) else None
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(path, f"malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}", line=reader.line_num) from None
        number = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if columns is None:
            columns = [cell.strip() for cell in row]
            continue
        if len(row) != len(columns):
            # a trailing empty cell from a trailing delimiter is harmless
            while len(row) > len(columns) and row[-1] == "":
                row = row[:-1]
            if len(row) != len(columns):
                raise DataError(path, f"expected {len(columns)} columns ({', '.join(columns)}), found {len(row)}", line=number)
        yield number, dict(zip(columns, row))
    if columns is None:
        raise DataError(path, "file has a header but no rows")


def require_column(path: str | Path, line: int, row: dict[str, Any], column: str) -> Any:
    """`row[column]`, or a `DataError` that lists the columns the file does have."""
    if column not in row:
        raise DataError(path, f"missing column {column!r}; the row has {', '.join(map(repr, row)) or 'no columns'}", line=line)
    return row[column]
