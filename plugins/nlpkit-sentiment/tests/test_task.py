"""The sentiment task: readers, label names, errors, and the plugin's registrations."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlpkit
from nlpkit.contracts.errors import DataError
from nlpkit.testing import check_task
from nlpkit_sentiment import SentimentTask
from nlpkit_sentiment.plugin import BINARY


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_task_conforms_to_the_core_contract() -> None:
    assert check_task(SentimentTask()) == []


def test_sst2_layout_maps_raw_labels_to_names(tmp_path: Path) -> None:
    path = write(tmp_path / "dev.tsv", "sentence\tlabel\nit 's a charming journey . \t1\nbleak \t0\n")
    examples = SentimentTask().read(path, label_names=BINARY)
    assert [(e.text, e.label) for e in examples] == [("it 's a charming journey . ", "positive"), ("bleak ", "negative")]
    assert examples[1].source == f"{path}:3"


def test_multiclass_jsonl_with_custom_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "stars.jsonl", '{"review": "meh", "stars": 3}\n{"review": "superb", "stars": 5}\n{"review": "awful", "stars": 1}\n')
    task = SentimentTask()
    examples = task.read(path, text_column="review", label_column="stars")
    assert task.label_set(examples) == ["1", "3", "5"]


def test_unknown_raw_label_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "dev.tsv", "sentence\tlabel\nfine\t1\nodd\t7\n")
    with pytest.raises(DataError, match=r"dev\.tsv:3: field 'label': unknown label '7'; expected one of '0', '1'"):
        SentimentTask().read(path, label_names=BINARY)


def test_missing_text_column_lists_the_columns_present(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "body,label\nfine,pos\n")
    with pytest.raises(DataError, match=r"a\.csv:2: missing a text column .*the row has 'body', 'label'"):
        SentimentTask().read(path)


def test_missing_label_is_an_error_for_training_but_not_for_prediction(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "text,label\nfine,\n")
    with pytest.raises(DataError, match=r"a\.csv:2: missing label"):
        SentimentTask().read(path)
    assert SentimentTask().read(path, require_labels=False)[0].label is None


def test_plugin_registers_task_and_datasets_through_its_entry_point() -> None:
    from nlpkit.plugins import get_manager

    manager = get_manager()
    assert manager.registries["tasks"].entry("sentiment").distribution == "nlpkit-sentiment"
    assert {"sst2", "sentiment_labelled_yelp"} <= set(manager.registries["datasets"].names())


def test_plugin_ships_a_valid_suite() -> None:
    from nlpkit.bench.suite import load_suite

    suite = load_suite("sentiment")  # resolves the registered name and validates every run
    assert [run.name for run in suite.runs] == ["sst2-tfidf", "sst2-minilm"]


def test_multiclass_training_and_scoring_with_the_baseline(tmp_path: Path) -> None:
    rows = ["text\tlabel"] + [f"{w} film\t{label}" for w, label in [("great", "pos"), ("superb", "pos"), ("okay", "mid"), ("average", "mid"), ("awful", "neg"), ("dire", "neg")]]
    path = write(tmp_path / "three.tsv", "\n".join(rows) + "\n")
    out = tmp_path / "m"
    nlpkit.finetune("sentiment", model="tfidf-logreg", train=path, output=out)
    record = nlpkit.predict("sentiment", ["superb film"], model=str(out))[0]
    assert set(record.scores) == {"mid", "neg", "pos"}
    assert record.label == "pos"
