"""Any byte string given to an NER/relations reader yields records or a DataError, never another exception."""

from __future__ import annotations

import json

from nlpkit.testing import check_reader_never_crashes
from nlpkit_ner.conll import read_conll
from nlpkit_ner.jsonformats import read_span_json, read_span_jsonl
from nlpkit_ner.semeval import read_semeval

CONLL = "-DOCSTART- -X- -X- O\n\nAlice NNP I-NP I-PER\nvisited VBD I-VP O\n\nBob NNP I-NP B-PER\n"
WNUT = "Carol\tB-person\nloves\tO\n\nDan\tB-person\nDoe\tI-person\n"
CONLL04 = json.dumps([{"tokens": ["Ann", "works", "at", "Acme"], "entities": [[0, 1, "Peop"], [3, 4, "Org"]], "relations": [[0, 1, 3, 4, "Work_For"]]}])
SPANS = json.dumps({"text": "Ann works at Acme", "entities": [[0, 3, "PER"], {"start": 13, "end": 17, "type": "ORG"}], "relations": [[0, 1, "Work_For"]]}) + "\n"
SEMEVAL = '1\t"The <e1>smoke</e1> came from a <e2>fire</e2>."\nCause-Effect(e2,e1)\nComment:\n\n2\t"A <e1>b</e1> c <e2>d</e2>."\nOther\nComment:\n'


def test_conll_reader_gives_sentences_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(read_conll, ".conll", [CONLL, WNUT], alphabet="\t -IOB-PER")


def test_conll_reader_with_explicit_scheme_gives_sentences_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(lambda p: read_conll(p, scheme="iob1"), ".txt", [CONLL], alphabet=" IOB-", max_examples=30)


def test_conll04_json_reader_gives_records_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(read_span_json, ".json", [CONLL04], alphabet='{}[]":,')


def test_span_jsonl_reader_gives_records_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(read_span_jsonl, ".jsonl", [SPANS], alphabet='{}[]":,')


def test_semeval_reader_gives_records_or_data_error_on_any_bytes() -> None:
    check_reader_never_crashes(read_semeval, ".TXT", [SEMEVAL], alphabet='<>/e12"\t()')
