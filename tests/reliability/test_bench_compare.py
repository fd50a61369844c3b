"""`bench compare` as a CI gate: a baseline run missing from the new results is a failure."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nlpkit.bench.compare import compare
from nlpkit.cli import cli


def results(*runs: tuple[str, float]) -> dict:
    return {"runs": [{"name": name, "status": "ok", "scores": {"accuracy": {"main": "accuracy", "value": value, "ci95": None}}} for name, value in runs]}


def test_baseline_run_missing_from_the_new_results_is_a_regression() -> None:
    differences = compare(results(("a", 0.9), ("b", 0.8)), results(("a", 0.9)))
    missing = [d for d in differences if d.run == "b"]
    assert missing and missing[0].measure == "missing" and missing[0].regressed


def test_cli_compare_exits_non_zero_when_a_baseline_run_is_missing(tmp_path: Path) -> None:
    base, new = tmp_path / "base.json", tmp_path / "new.json"
    base.write_text(json.dumps(results(("a", 0.9), ("b", 0.8))))
    new.write_text(json.dumps(results(("a", 0.9))))
    result = CliRunner().invoke(cli, ["bench", "compare", str(base), str(new)])
    assert result.exit_code == 1 and "| b | missing |" in result.output and "REGRESSED" in result.output


def test_new_run_absent_from_the_baseline_is_not_a_regression() -> None:
    assert not any(d.regressed for d in compare(results(("a", 0.9)), results(("a", 0.9), ("c", 0.1))))


def test_failed_new_run_is_a_regression() -> None:
    new = results(("a", 0.9))
    new["runs"][0]["status"] = "error"
    assert [d.measure for d in compare(results(("a", 0.9)), new) if d.regressed] == ["status"]
