"""The harness end to end on the scikit-learn baseline: scores, CIs, timing, resume, reports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlpkit.cli import cli

SUITE = """
[suite]
name = "demo"
bootstrap = 200
seed = 7

[[runs]]
name = "tfidf"
task = "sentiment"
model = "tfidf-logreg"
data = "{data}"
metrics = ["accuracy", "f1"]
[runs.finetune]
data = "{data}"
limits = [4, 8]

[[runs]]
name = "broken"
task = "sentiment"
model = "{missing}"
data = "{data}"
"""


@pytest.fixture
def suite_file(tmp_path: Path, sentiment_tsv: Path) -> Path:
    missing = tmp_path / "not-a-model"
    missing.mkdir()
    path = tmp_path / "demo.toml"
    path.write_text(SUITE.format(data=sentiment_tsv, missing=missing), encoding="utf-8")
    return path


def bench(*args: str):
    return CliRunner().invoke(cli, ["bench", *args], catch_exceptions=False)


def test_suite_runs_records_failures_and_writes_all_reports(tmp_path: Path, suite_file: Path) -> None:
    out = tmp_path / "out"
    result = bench(str(suite_file), "--output", str(out))
    assert result.exit_code == 1, result.output  # the broken run fails the command, after the others ran
    document = json.loads((out / "results.json").read_text())
    runs = {r["name"]: r for r in document["runs"]}
    assert runs["broken"]["status"] == "error" and "not a model folder" in runs["broken"]["error"]
    full = runs["tfidf-8"]
    assert full["status"] == "ok" and full["examples"] == 8
    accuracy = full["scores"]["accuracy"]
    assert accuracy["value"] == 1.0 and accuracy["ci95"] == [1.0, 1.0]
    low, high = runs["tfidf-4"]["scores"]["accuracy"]["ci95"]
    assert low <= runs["tfidf-4"]["scores"]["accuracy"]["value"] <= high
    assert full["inference"]["examples"] == 8 and full["inference"]["examples_per_second"] > 0
    assert full["finetune"]["examples"] == 8
    env = document["environment"]
    assert {"python", "cpu", "torch_threads", "versions", "git_revision", "seed", "date"} <= set(env)
    assert env["seed"] == 7
    for name in ("report.md", "report.html", "data_efficiency.png"):
        assert (out / name).exists(), name
    assert "| tfidf-4 |" in (out / "report.md").read_text()
    assert "data:image/png;base64" in (out / "report.html").read_text()
    printed = result.stdout  # a plain-text table at the end, not Markdown source
    assert any(line.startswith("tfidf-8 ") for line in printed.splitlines())
    assert "|" not in printed and "<br>" not in printed and "&#x27;" not in printed and "**" not in printed


def test_rerun_skips_completed_runs_and_gives_identical_scores(tmp_path: Path, suite_file: Path) -> None:
    out = tmp_path / "out"
    bench(str(suite_file), "--output", str(out), "--only", "tfidf*")
    first = json.loads((out / "results.json").read_text())
    again = bench(str(suite_file), "--output", str(out), "--only", "tfidf*")
    assert "done before, skipped" in again.output
    forced_out = tmp_path / "forced"
    bench(str(suite_file), "--output", str(forced_out), "--only", "tfidf*")
    second = json.loads((forced_out / "results.json").read_text())
    scores = lambda doc: {r["name"]: {k: (v["value"], v["ci95"]) for k, v in r["scores"].items()} for r in doc["runs"]}  # noqa: E731
    assert scores(first) == scores(second), "same seed, same scores and intervals"


def test_compare_passes_identical_results_and_fails_a_drop(tmp_path: Path, suite_file: Path) -> None:
    out = tmp_path / "out"
    bench(str(suite_file), "--output", str(out), "--only", "tfidf*")
    baseline = out / "results.json"
    same = bench("compare", str(baseline), str(baseline))
    assert same.exit_code == 0, same.output
    worse = json.loads(baseline.read_text())
    worse["runs"][1]["scores"]["accuracy"]["value"] -= 0.2
    worse_path = tmp_path / "worse.json"
    worse_path.write_text(json.dumps(worse))
    result = bench("compare", str(baseline), str(worse_path))
    assert result.exit_code == 1
    assert "REGRESSED" in result.output and "tfidf-8" in result.output


def test_missing_dataset_file_fails_before_any_run_naming_the_path(tmp_path: Path) -> None:
    suite = tmp_path / "s.toml"
    suite.write_text('[[runs]]\nname = "x"\ntask = "sentiment"\nmodel = "tfidf-logreg"\ndataset = "sst2"\nsplit = "dev"\n[runs.finetune]\nsplit = "train"\n')
    (tmp_path / "sentiment" / "sst2").mkdir(parents=True)
    (tmp_path / "sentiment" / "sst2" / "dev.tsv").write_text("sentence\tlabel\nok\t1\n")
    result = bench(str(suite), "--output", str(tmp_path / "o"), "--data-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "s.toml:1: run 'x'" in result.output and "sentiment/sst2/train.tsv" in result.output
    assert not (tmp_path / "o").exists(), "nothing ran"


def test_results_record_the_device_of_each_run_and_the_machine_accelerator(tmp_path: Path, suite_file: Path, no_accelerator: None) -> None:
    out = tmp_path / "out"
    bench(str(suite_file), "--output", str(out), "--only", "tfidf-4", "--device", "auto", "-v")
    document = json.loads((out / "results.json").read_text())
    assert document["environment"]["accelerator"] == {"kind": "none", "name": "none", "count": 0}
    run = document["runs"][0]
    assert (run["device"]["device"], run["device"]["precision"], run["config"]["device"]) == ("cpu", "fp32", "cpu")
    assert "accelerator none" in (out / "report.md").read_text()


def test_bench_device_absent_here_fails_before_any_run(tmp_path: Path, suite_file: Path, no_accelerator: None) -> None:
    out = tmp_path / "out"
    result = bench(str(suite_file), "--output", str(out), "--device", "cuda")
    assert result.exit_code == 2
    assert "demo.toml:7: run 'tfidf-4': cuda is not available here (available: cpu)" in result.output
    assert not list((out / "runs").glob("*.json"))


def test_a_gpu_asked_of_a_cpu_only_model_runs_it_on_the_cpu_and_keeps_its_results(tmp_path: Path, suite_file: Path, one_fake_gpu: None) -> None:
    out = tmp_path / "out"
    bench(str(suite_file), "--output", str(out), "--only", "tfidf-4")
    again = bench(str(suite_file), "--output", str(out), "--only", "tfidf-4", "--device", "cuda")
    assert "done before, skipped" in again.output  # the concrete device (cpu) is what the fingerprint holds


def test_gpu_n_narrows_the_visible_gpus_once_for_every_run_of_a_suite(tmp_path: Path, sentiment_tsv: Path, tiny_encoder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from nlpkit.bench.runner import BenchOptions, place_runs
    from nlpkit.bench.suite import load_suite

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1 if "CUDA_VISIBLE_DEVICES" in os.environ else 2)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Fake GPU")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    path = tmp_path / "s.toml"
    run = '[[runs]]\nname = "{name}"\ntask = "sentiment"\nmodel = "{model}"\ndata = "{data}"\n'
    path.write_text(run.format(name="scored", model=tiny_encoder, data=sentiment_tsv) + run.format(name="tuned", model=tiny_encoder, data=sentiment_tsv) + f'[runs.finetune]\ndata = "{sentiment_tsv}"\n')
    suite = load_suite(str(path))
    placements = place_runs(suite, suite.runs, BenchOptions(device="cuda:1"))
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "1"  # the fine-tuning run went first and narrowed
    assert {name: (p.device, p.requested) for name, p in placements.items()} == {"scored": ("cuda:0", "cuda:1"), "tuned": ("cuda:0", "cuda:1")}
    assert [r.device for r in suite.runs] == ["cuda:0", "cuda:0"]


def test_suite_schedule_keys_are_trained_with_and_saved_in_the_model(tmp_path: Path, sentiment_tsv: Path) -> None:
    path = tmp_path / "schedule.toml"
    keys = 'warmup_ratio = 0.2\nweight_decay = 0.0\nlr_scheduler = "constant"\ngradient_accumulation_steps = 3\n'
    path.write_text(SUITE.split("[[runs]]\nname = \"broken\"")[0].format(data=sentiment_tsv).replace("limits = [4, 8]\n", "limit = 8\n" + keys), encoding="utf-8")
    result = bench(str(path), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    training = json.loads((tmp_path / "out" / "models" / "tfidf" / "nlpkit.json").read_text())["training"]
    assert {k: training[k] for k in ("warmup_ratio", "weight_decay", "lr_scheduler", "gradient_accumulation_steps")} == {"warmup_ratio": 0.2, "weight_decay": 0.0, "lr_scheduler": "constant", "gradient_accumulation_steps": 3}


def test_a_run_scores_the_model_an_earlier_run_fine_tuned(tmp_path: Path, sentiment_tsv: Path) -> None:
    path = tmp_path / "chain.toml"
    path.write_text(f"""
[[runs]]
name = "train"
task = "sentiment"
model = "tfidf-logreg"
data = "{sentiment_tsv}"
[runs.finetune]
data = "{sentiment_tsv}"

[[runs]]
name = "reuse"
task = "sentiment"
model = "run:train"
data = "{sentiment_tsv}"
""", encoding="utf-8")
    out = tmp_path / "out"
    result = bench(str(path), "--output", str(out))
    assert result.exit_code == 0, result.output
    runs = {r["name"]: r for r in json.loads((out / "results.json").read_text())["runs"]}
    assert runs["reuse"]["status"] == "ok" and "finetune" not in runs["reuse"]
    assert runs["reuse"]["scores"]["accuracy"]["value"] == runs["train"]["scores"]["accuracy"]["value"]
    result = bench(str(path), "--output", str(tmp_path / "alone"), "--only", "reuse")
    assert result.exit_code == 1 and "run 'train' has no fine-tuned model" in result.output


def test_runs_with_the_same_finetune_share_one_trained_model(tmp_path: Path, sentiment_tsv: Path) -> None:
    run = '[[runs]]\nname = "{name}"\ntask = "sentiment"\nmodel = "tfidf-logreg"\ndata = "{data}"\nlimit = {limit}\n[runs.finetune]\ndata = "{data}"\nseed = {seed}\n'
    path = tmp_path / "shared.toml"
    path.write_text(
        run.format(name="first", data=sentiment_tsv, limit=8, seed=1) + run.format(name="second", data=sentiment_tsv, limit=4, seed=1)
        + run.format(name="other-seed", data=sentiment_tsv, limit=4, seed=2),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    bench(str(path), "--output", str(out))
    runs = {r["name"]: r for r in json.loads((out / "results.json").read_text())["runs"]}
    assert runs["second"]["finetune"]["shared_with"] == "first" and runs["second"]["examples"] == 4
    assert not (out / "models" / "second").exists()
    assert "shared_with" not in runs["other-seed"]["finetune"] and (out / "models" / "other-seed" / "nlpkit.json").exists()


def test_freeze_embeddings_in_a_suite_reaches_the_fine_tune(tmp_path: Path, sentiment_tsv: Path, tiny_encoder: Path) -> None:
    path = tmp_path / "frozen.toml"
    path.write_text(f'[[runs]]\nname = "frozen"\ntask = "sentiment"\nmodel = "{tiny_encoder}"\ndata = "{sentiment_tsv}"\n[runs.finetune]\ndata = "{sentiment_tsv}"\nmax_steps = 1\nbatch_size = 4\nfreeze_embeddings = true\n')
    out = tmp_path / "out"
    assert bench(str(path), "--output", str(out)).exit_code == 0
    assert json.loads((out / "models" / "frozen" / "nlpkit.json").read_text())["training"]["freeze_embeddings"] is True
