"""A small rule-based sentence splitter (ROUGE-Lsum, lead baselines, chunking).

`rouge-score`'s own splitter needs NLTK data that is not installed offline; this
one splits after ``.``, ``!`` or ``?`` (and closing quotes/brackets) followed by
whitespace and an upper-case letter, digit or opening quote, and at line breaks,
without splitting after common abbreviations (``e.g.``, ``Fig.``, ``Dr.``…).
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    "e.g i.e etc vs al fig figs eq eqs ref refs sec no dr mr mrs ms prof st jr sr inc ltd co approx cf resp".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, stripped, empty ones dropped."""
    out: list[str] = []
    for block in re.split(r"\s*\n\s*", text.strip()):
        start = 0
        for match in _BOUNDARY.finditer(block):
            before = block[start : match.start()].rstrip("\"')]")
            last = before.rsplit(None, 1)[-1] if before.split() else ""
            if last.strip("\"'([").rstrip(".").lower() in ABBREVIATIONS:
                continue
            out.append(block[start : match.start()].strip() + block[match.start() : match.end()].strip())
            start = match.end()
        out.append(block[start:].strip())
    return [s for s in out if s]
