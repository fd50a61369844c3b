import json

import pytest

from nlpkit.contracts.errors import DataError
from nlpkit_ner.jsonformats import ner_examples, read_span_json, read_span_jsonl


def test_relation_json_links_relations_to_entity_indices(relations_json):
    examples = read_span_json(relations_json)
    assert examples[0].relations == [(0, 1, "Work_For"), (1, 2, "OrgBased_In")]
    assert len(examples[0].candidate_pairs()) == 6
    assert ner_examples(examples)[0].tags == ["B-Peop", "O", "O", "B-Org", "O", "B-Loc", "O"]


def test_relation_to_a_span_that_is_no_entity_is_an_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"tokens": ["a", "b", "c"], "entities": [[0, 1, "X"]], "relations": [[0, 1, 1, 3, "R"]]}]))
    with pytest.raises(DataError, match=r"bad.json record 1: field 'relations': .*span \[1, 3\] which is not an entity"):
        read_span_json(path)


def test_entity_outside_the_tokens_is_an_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"tokens": ["a"], "entities": [[0, 2, "X"]], "relations": []}]))
    with pytest.raises(DataError, match="outside the 1 tokens"):
        read_span_json(path)


def test_jsonl_character_spans_split_words_at_entity_boundaries(tmp_path):
    path = tmp_path / "ents.jsonl"
    path.write_text(json.dumps({"text": "Visit AcmeCorp in Rome.", "entities": [{"start": 6, "end": 10, "type": "ORG"}, [18, 22, "LOC"]]}) + "\n")
    [example] = ner_examples(read_span_jsonl(path))
    assert example.tokens == ["Visit", "Acme", "Corp", "in", "Rome", "."]
    assert example.tags == ["O", "B-ORG", "O", "O", "B-LOC", "O"]


def test_jsonl_offsets_outside_the_text_name_the_line(tmp_path):
    path = tmp_path / "ents.jsonl"
    path.write_text('{"text": "ok", "entities": []}\n' + json.dumps({"text": "short", "entities": [[2, 40, "X"]]}) + "\n")
    with pytest.raises(DataError, match=r"ents.jsonl:2: field 'entities': entity offsets \[2, 40\) outside the text"):
        read_span_jsonl(path)
