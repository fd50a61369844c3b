"""Label alignment at evaluation: exact, an unambiguous mapping (reported), or an error listing both sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import nlpkit
from nlpkit.cli import cli
from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.labels import label_mapping
from nlpkit.testing import SENTIMENT_FIXTURE

from .conftest import write_tsv

NAMED = SENTIMENT_FIXTURE
AS_IDS = [(text, "1" if label == "positive" else "0") for text, label in SENTIMENT_FIXTURE]


def test_integer_gold_labels_map_to_the_models_named_labels_and_score_the_same(tmp_path: Path, named_classifier: Path) -> None:
    named = nlpkit.evaluate("sentiment", model=str(named_classifier), data=str(write_tsv(tmp_path / "named.tsv", NAMED)))
    ids = nlpkit.evaluate("sentiment", model=str(named_classifier), data=str(write_tsv(tmp_path / "ids.tsv", AS_IDS)))
    assert ids.label_mapping == {"0": "negative", "1": "positive"}
    assert ids.metrics["accuracy"] == named.metrics["accuracy"]
    assert ids.to_dict()["label_mapping"] == {"0": "negative", "1": "positive"}


def test_gold_labels_in_another_case_map_case_insensitively(tmp_path: Path, named_classifier: Path) -> None:
    capitalised = [(text, label.capitalize()) for text, label in NAMED]
    result = nlpkit.evaluate("sentiment", model=str(named_classifier), data=str(write_tsv(tmp_path / "caps.tsv", capitalised)))
    assert result.label_mapping == {"Negative": "negative", "Positive": "positive"}


def test_exact_labels_need_no_mapping(tmp_path: Path, named_classifier: Path) -> None:
    result = nlpkit.evaluate("sentiment", model=str(named_classifier), data=str(write_tsv(tmp_path / "named.tsv", NAMED)))
    assert result.label_mapping == {} and "label_mapping" not in result.to_dict()


def test_labels_the_model_does_not_know_are_an_error_listing_both_sets(tmp_path: Path, named_classifier: Path) -> None:
    data = write_tsv(tmp_path / "other.tsv", [(text, "neutral" if i % 2 else "negative") for i, (text, _) in enumerate(NAMED)])
    with pytest.raises(NlpkitError, match=r"labels of .*other\.tsv \(negative, neutral\) do not match those of .* \(negative, positive\)"):
        nlpkit.evaluate("sentiment", model=str(named_classifier), data=str(data))


def test_named_gold_labels_against_a_numbered_model_are_an_error(tmp_path: Path, numbered_classifier: Path) -> None:
    with pytest.raises(NlpkitError, match=r"\(negative, positive\) do not match those of .* \(0, 1\)"):
        nlpkit.evaluate("sentiment", model=str(numbered_classifier), data=str(write_tsv(tmp_path / "named.tsv", NAMED)))


def test_integer_ids_out_of_range_of_the_models_labels_are_an_error() -> None:
    with pytest.raises(NlpkitError, match="'2' cannot be mapped"):
        label_mapping({"0", "1", "2"}, ["negative", "positive"])


def test_names_equal_only_ignoring_case_to_two_model_labels_are_an_error() -> None:
    with pytest.raises(NlpkitError, match="cannot be mapped"):
        label_mapping({"pos"}, ["POS", "Pos"])


def test_cli_evaluate_prints_the_mapping_on_stderr(tmp_path: Path, named_classifier: Path) -> None:
    data = write_tsv(tmp_path / "ids.tsv", AS_IDS)
    result = CliRunner().invoke(cli, ["evaluate", "sentiment", "--model", str(named_classifier), "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert "mapped gold labels to the model's: 0 → negative, 1 → positive" in result.stderr
    assert json.loads(result.stdout)["label_mapping"] == {"0": "negative", "1": "positive"}


def test_cli_evaluate_with_unmappable_labels_exits_non_zero_in_one_line(tmp_path: Path, numbered_classifier: Path) -> None:
    result = CliRunner().invoke(cli, ["evaluate", "sentiment", "--model", str(numbered_classifier), "--data", str(write_tsv(tmp_path / "n.tsv", NAMED))])
    assert result.exit_code == 2
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert "do not match" in error and "Traceback" not in result.output


def test_bench_run_with_unmappable_labels_is_recorded_as_a_failed_run(tmp_path: Path, numbered_classifier: Path) -> None:
    from nlpkit.bench.runner import BenchOptions, run_suite
    from nlpkit.bench.suite import load_suite

    data = write_tsv(tmp_path / "named.tsv", NAMED)
    suite = tmp_path / "suite.toml"
    suite.write_text(f'[suite]\nname = "labels"\nbootstrap = 10\n\n[[runs]]\nname = "numbered"\ntask = "sentiment"\nmodel = "{numbered_classifier}"\ndata = "{data}"\n', encoding="utf-8")
    document = run_suite(load_suite(str(suite)), BenchOptions(output=tmp_path / "out", progress=False), echo=lambda line: None)
    [run] = document["runs"]
    assert run["status"] == "error" and "do not match" in run["error"] and "scores" not in run


def test_bench_run_records_the_label_mapping_it_used(tmp_path: Path, named_classifier: Path) -> None:
    from nlpkit.bench.runner import BenchOptions, run_suite
    from nlpkit.bench.suite import load_suite

    data = write_tsv(tmp_path / "ids.tsv", AS_IDS)
    suite = tmp_path / "suite.toml"
    suite.write_text(f'[suite]\nname = "labels"\nbootstrap = 10\n\n[[runs]]\nname = "ids"\ntask = "sentiment"\nmodel = "{named_classifier}"\ndata = "{data}"\n', encoding="utf-8")
    [run] = run_suite(load_suite(str(suite)), BenchOptions(output=tmp_path / "out", progress=False), echo=lambda line: None)["runs"]
    assert run["status"] == "ok" and run["label_mapping"] == {"0": "negative", "1": "positive"}
