"""CoNLL column files: one token per line, blank lines between sentences.

Covers CoNLL-2003 (`word POS chunk NER`, space separated, `-DOCSTART-` lines, IOB1)
and WNUT-17 (`token<TAB>tag`, IOB2). The column count is fixed by the first token
line; the tag is the last column. Tags are checked against the scheme and converted
to IOB2 on load; every problem is reported with file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nlpkit.contracts.errors import DataError
from nlpkit.engines.readers import read_text
from nlpkit_ner.records import NerExample
from nlpkit_ner.tags import TagError, to_iob2

DOCSTART = "-DOCSTART-"


def read_conll(path: str | Path, *, scheme: str | None = None, types: Sequence[str] | None = None, require_labels: bool = True, tag_column: int = -1) -> list[NerExample]:
    """Read a CoNLL column file into sentences with IOB2 tags (`scheme`: the file's scheme).

    `scheme=None` guesses: IOB1 for the CoNLL-2003 layout (`-DOCSTART-` lines and four
    columns), IOB2 otherwise. With `require_labels=False` a one-column file (words
    only) is accepted as input."""
    lines = read_text(path).splitlines()  # checks UTF-8 and drops a BOM (it would glue onto the first token)
    if scheme is None:
        scheme = guess_scheme(lines)
    examples: list[NerExample] = []
    columns: int | None = None
    rows: list[tuple[int, list[str]]] = []

    def flush() -> None:
        if not rows:
            return
        first_line = rows[0][0]
        tokens = [cols[0] for _, cols in rows]
        tags = None
        if columns and columns > 1:
            raw = [cols[tag_column] for _, cols in rows]
            try:
                tags = to_iob2(raw, scheme, types)
            except TagError as exc:
                hint = " (an IOB1 file? read it with scheme=iob1)" if scheme == "iob2" and "not allowed in IOB2" in str(exc) else ""
                raise DataError(path, str(exc) + hint, line=rows[exc.index][0], field="tag") from None
        elif require_labels:
            raise DataError(path, "no tag column (a CoNLL file for training or scoring needs token and tag columns)", line=first_line)
        examples.append(NerExample.from_tokens(tokens, tags, id=str(len(examples)), source=f"{path}:{first_line}"))
        rows.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            flush()
            continue
        cols = line.split("\t") if "\t" in line else line.split()
        if cols[0] == DOCSTART:
            flush()
            continue
        if columns is None:
            columns = len(cols)
        elif len(cols) != columns:
            raise DataError(path, f"{len(cols)} columns where the file has {columns} ({line.strip()!r})", line=number)
        if not cols[0].strip():
            raise DataError(path, "empty token", line=number, field="token")
        rows.append((number, cols))
    flush()
    return examples


def guess_scheme(lines: list[str]) -> str:
    """IOB1 for the CoNLL-2003 layout (`-DOCSTART-` and four columns), else IOB2."""
    docstart = any(line.startswith(DOCSTART) for line in lines[:50])
    first = next((line.split() for line in lines if line.strip() and not line.startswith(DOCSTART)), [])
    return "iob1" if docstart and len(first) == 4 else "iob2"
