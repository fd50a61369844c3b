"""Suites on Ray (`nlpkit bench --executor ray`): same scores as serial, failures recorded, reruns skip."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlpkit.bench.executors import execute
from nlpkit.cli import cli
from nlpkit.contracts.errors import NlpkitError

from .test_runner import suite_file  # noqa: F401 (fixture)

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed: pip install 'nlpkit-core[ray]'")


def bench(*args: str):
    return CliRunner().invoke(cli, ["bench", *args], catch_exceptions=False)


def scores(document: dict) -> dict:
    return {r["name"]: {k: (v["value"], v["ci95"]) for k, v in r.get("scores", {}).items()} | {"status": r["status"]} for r in document["runs"]}


@pytest.fixture(scope="module")
def local_ray():
    if importlib.util.find_spec("ray") is None:
        pytest.skip("ray not installed: pip install 'nlpkit-core[ray]'")
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@needs_ray
def test_ray_executor_gives_the_serial_scores_records_failures_and_skips_on_rerun(tmp_path: Path, suite_file: Path, local_ray) -> None:  # noqa: F811
    serial_out, ray_out = tmp_path / "serial", tmp_path / "ray"
    assert bench(str(suite_file), "--output", str(serial_out)).exit_code == 1  # the suite's broken run
    result = bench(str(suite_file), "--output", str(ray_out), "--executor", "ray", "--cpus-per-run", "1")
    assert result.exit_code == 1, result.output
    serial_doc = json.loads((serial_out / "results.json").read_text())
    ray_doc = json.loads((ray_out / "results.json").read_text())
    assert scores(ray_doc) == scores(serial_doc)
    assert [r["name"] for r in ray_doc["runs"]] == [r["name"] for r in serial_doc["runs"]]  # suite order, whatever finished first
    broken = next(r for r in ray_doc["runs"] if r["name"] == "broken")
    assert broken["status"] == "error" and "not a model folder" in broken["error"]
    assert (ray_out / "report.md").exists()
    again = bench(str(suite_file), "--output", str(ray_out), "--executor", "ray")
    assert again.output.count("done before, skipped") == 2


def test_unknown_executor_is_refused_naming_the_choices() -> None:
    with pytest.raises(NlpkitError, match="unknown executor 'dask'; choose one of serial, ray"):
        list(execute("dask", [], lambda run, placement: {}, print))


def test_ray_flags_without_the_ray_executor_are_refused(suite_file: Path, tmp_path: Path) -> None:  # noqa: F811
    result = CliRunner().invoke(cli, ["bench", str(suite_file), "--output", str(tmp_path / "o"), "--address", "auto"])
    assert result.exit_code != 0 and "go with --executor ray" in result.output


def test_ray_executor_without_ray_says_how_to_install_it(suite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    result = CliRunner().invoke(cli, ["bench", str(suite_file), "--output", str(tmp_path / "o"), "--executor", "ray"])
    assert result.exit_code != 0 and "pip install 'nlpkit-core[ray]'" in result.output
    assert not (tmp_path / "o").exists()
