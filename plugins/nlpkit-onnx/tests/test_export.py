"""`nlpkit export`: what it writes, how it reports, and the one-line errors."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner
from nlpkit_onnx.export import export_onnx

from nlpkit.cli import cli
from nlpkit.contracts.errors import NlpkitError


def invoke(*args: str):
    """Run the nlpkit CLI with plugin commands added, as `nlpkit.cli.main` does."""
    from nlpkit.plugins import get_manager

    if "export" not in cli.commands:
        get_manager().add_commands(cli)
    return CliRunner().invoke(cli, list(args))


def test_export_command_writes_a_folder_that_predict_and_evaluate_load_with_no_other_flags(models, tmp_path):
    out = tmp_path / "onnx"
    result = invoke("export", str(models["sentiment"]), "--to", "onnx", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "model.onnx fp32" in result.output and "max |Δ| vs torch" in result.output
    card = json.loads((out / "nlpkit.json").read_text())
    assert card["backend"] == "onnx" and card["task"] == "sentiment" and card["labels"] == ["negative", "positive"]
    assert card["onnx"]["precision"] == "fp32" and card["onnx"]["max_abs_diff"]["model.onnx fp32"] < 1e-3
    assert {"model.onnx", "tokenizer.json"} <= set(card["files"])
    predicted = invoke("predict", "sentiment", "--model", str(out), "a good film", "a bad film")
    assert predicted.exit_code == 0, predicted.output
    assert [json.loads(line)["label"] in ("negative", "positive") for line in predicted.stdout.splitlines()] == [True, True]
    data = tmp_path / "data.tsv"
    data.write_text("text\tlabel\na good film\tpositive\na bad film\tnegative\n")
    evaluated = invoke("evaluate", "sentiment", "--model", str(out), "--data", str(data), "--json")
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["examples"] == 2


def test_int8_export_reports_both_precisions_and_is_smaller(models, tmp_path):
    result = invoke("export", str(models["ner"]), "--to", "onnx", "--int8", "--output", str(tmp_path / "int8"), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["precision"] == "int8" and set(report["max_abs_diff"]) == {"model.onnx fp32", "model.onnx int8"}


def test_a_folder_without_a_card_is_refused_in_one_line(tmp_path):
    from nlpkit.testing import tiny_bert

    folder = tiny_bert(tmp_path / "plain")
    result = invoke("export", str(folder), "--to", "onnx", "--output", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "not a fine-tuned nlpkit folder (no nlpkit.json)" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_an_existing_output_is_refused_before_anything_is_loaded(models, tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(NlpkitError, match="already exists"):
        export_onnx(models["sentiment"], tmp_path / "out")


def card(folder, **values):
    folder.mkdir()
    (folder / "nlpkit.json").write_text(json.dumps({"backend": "transformers", "task": "summarization", "head": "seq2seq", **values}))
    return folder


def test_a_generation_model_is_refused_as_an_unsupported_head(tmp_path):
    with pytest.raises(NlpkitError, match="seq2seq head is not supported by the ONNX export"):
        export_onnx(card(tmp_path / "t5"), tmp_path / "out")


def test_a_model_of_another_backend_is_refused(tmp_path):
    with pytest.raises(NlpkitError, match="a sklearn model; only transformers models export"):
        export_onnx(card(tmp_path / "tfidf", backend="sklearn", task="sentiment", head="sequence-classification"), tmp_path / "out")


def test_missing_onnxruntime_says_how_to_install_it(models, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    with pytest.raises(NlpkitError, match="pip install nlpkit-onnx"):
        export_onnx(models["sentiment"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_plugin_module_imports_without_torch_or_onnxruntime():
    from nlpkit.testing.conformance import check_import_is_light

    assert check_import_is_light("nlpkit_onnx.plugin", ("torch", "transformers", "onnxruntime", "onnx")) == []


def test_nlpkit_bench_runs_an_exported_folder_like_any_model(exports, tmp_path):
    data = tmp_path / "data.tsv"
    data.write_text("text\tlabel\na good film\tpositive\na bad film\tnegative\ngreat story\tpositive\n")
    suite = tmp_path / "suite.toml"
    suite.write_text(f'[suite]\nname = "onnx"\nbootstrap = 10\n\n[[runs]]\nname = "int8"\ntask = "sentiment"\nmodel = "{exports["sentiment", "int8"]}"\ndata = "{data}"\nmetrics = ["accuracy"]\n')
    result = invoke("bench", str(suite), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    (run,) = results["runs"]
    assert run["status"] == "ok" and run["examples"] == 3 and "accuracy" in run["scores"]
