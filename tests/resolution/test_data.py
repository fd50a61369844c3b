"""Registered datasets: files shipped inside a plugin's package load without a data dir."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nlpkit import DataError, DatasetSpec, NlpkitError, TextClassificationTask
from nlpkit.resolution.data import load_registered


class Topic(TextClassificationTask):
    name = "topic"


def shipped(root: Path, monkeypatch: pytest.MonkeyPatch) -> DatasetSpec:
    package = root / "fakedata_pkg"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "data" / "train.tsv").write_text("text\tlabel\nthe keeper saved it\tsports\nbake the bread\tcooking\n")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delitem(sys.modules, "fakedata_pkg", raising=False)  # each test imports its own copy
    return DatasetSpec(name="topics", task="topic", package="fakedata_pkg", folder="data", files={"train": "train.tsv", "dev": "dev.tsv"})


def test_dataset_in_a_package_loads_without_a_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = load_registered(Topic(), shipped(tmp_path, monkeypatch), "train", data_dir=None)
    assert [(e.text, e.label) for e in examples] == [("the keeper saved it", "sports"), ("bake the bread", "cooking")]
    assert examples[0].source.endswith("fakedata_pkg/data/train.tsv:2")


def test_missing_file_in_a_package_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DataError, match=r"dev\.tsv: dataset 'topics' split 'dev': file not found in package 'fakedata_pkg'"):
        load_registered(Topic(), shipped(tmp_path, monkeypatch), "dev", data_dir=None)


def test_package_that_is_not_installed_is_a_clear_error() -> None:
    spec = DatasetSpec(name="gone", task="topic", package="no_such_pkg_anywhere", folder="data", files={"train": "train.tsv"})
    with pytest.raises(NlpkitError, match="ships in package 'no_such_pkg_anywhere', which is not installed"):
        load_registered(Topic(), spec, "train", data_dir=None)


def test_combined_splits_read_each_split_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = shipped(tmp_path, monkeypatch)
    (tmp_path / "fakedata_pkg" / "data" / "dev.tsv").write_text("text\tlabel\nthe striker scored\tsports\n")
    examples = load_registered(Topic(), spec, "train+dev", data_dir=None)
    assert [e.text for e in examples] == ["the keeper saved it", "bake the bread", "the striker scored"]
    assert examples[-1].source.endswith("fakedata_pkg/data/dev.tsv:2")


@pytest.mark.parametrize(("split", "message"), [("train+test", "has no split 'test'; splits: train, dev"), ("train+", "empty part"), ("train+train", "names 'train' twice")])
def test_bad_combined_split_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split: str, message: str) -> None:
    with pytest.raises(NlpkitError, match=message):
        load_registered(Topic(), shipped(tmp_path, monkeypatch), split, data_dir=None)
