"""The CLI: thin over the API, JSON lines out, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nlpkit.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_finetune_then_predict_and_evaluate_from_the_folder_alone(tmp_path: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "m"
    result = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(out))
    assert result.exit_code == 0, result.output
    result = invoke("predict", "sentiment", "--model", str(out), "i love this film", "awful , boring plot")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["label"] for row in rows] == ["positive", "negative"]
    result = invoke("evaluate", "sentiment", "--model", str(out), "--data", str(sentiment_tsv), "--json")
    assert json.loads(result.stdout)["metrics"]["accuracy"]["accuracy"] == 1.0


def test_finetune_freeze_embeddings_flag_is_recorded_in_the_folder(tmp_path: Path, sentiment_tsv: Path, tiny_encoder: Path) -> None:
    out = tmp_path / "m"
    result = invoke("finetune", "sentiment", "--model", str(tiny_encoder), "--train", str(sentiment_tsv), "--output", str(out), "--max-steps", "1", "--freeze-embeddings", "-q")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "nlpkit.json").read_text())["training"]["freeze_embeddings"] is True


def test_predict_reads_an_input_file_and_writes_an_output_file(tmp_path: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "m"
    invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(out))
    inputs = tmp_path / "in.txt"
    inputs.write_text("great fun\n\ni hate this\n", encoding="utf-8")
    target = tmp_path / "preds.jsonl"
    result = invoke("predict", "sentiment", "--model", str(out), "--input", str(inputs), "--output", str(target))
    assert result.exit_code == 0
    assert len(target.read_text().splitlines()) == 2


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("text\tlabel\n\t1\n", encoding="utf-8")
    result = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(bad), "--output", str(tmp_path / "m"))
    assert result.exit_code == 2
    assert "bad.tsv:2: field 'text': empty text" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "m").exists()


def test_unknown_task_and_empty_text_are_clear_errors() -> None:
    result = invoke("predict", "sentimnt", "hello")
    assert result.exit_code == 2 and "did you mean 'sentiment'" in result.output
    result = invoke("predict", "sentiment", "--model", "tfidf-logreg", "   ")
    assert result.exit_code == 2 and "argument 1: empty text" in result.output


def test_unknown_task_option_is_rejected_by_name(tmp_path: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "m"
    invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(out))
    result = invoke("predict", "sentiment", "--model", str(out), "-O", "top_k=3", "good")
    assert result.exit_code == 2 and "has no option 'top_k'" in result.output


def test_plugins_json_describes_the_sentiment_plugin() -> None:
    rows = {row["name"]: row for row in json.loads(invoke("plugins", "--json").stdout)}
    assert rows["sentiment"]["distribution"] == "nlpkit-sentiment"
    assert "sentiment" in rows["sentiment"]["registered"]["tasks"]


# -- --device / --precision / -v ------------------------------------------------
def test_device_flags_give_the_predictions_of_no_flag_and_verbose_names_the_device(tiny_classifier: Path, no_accelerator: None) -> None:
    texts = ["i love this movie", "awful plot and an awful actor", "fine"]
    plain = invoke("predict", "sentiment", "--model", str(tiny_classifier), *texts)
    flagged = invoke("predict", "sentiment", "--model", str(tiny_classifier), "--device", "cpu", "--precision", "fp32", "-v", *texts)
    assert plain.exit_code == 0 and flagged.exit_code == 0, flagged.output
    assert flagged.stdout == plain.stdout
    assert "on cpu (fp32)" in flagged.stderr and "on cpu" not in plain.stderr


def test_absent_device_is_a_one_line_error(tiny_classifier: Path, no_accelerator: None) -> None:
    result = invoke("predict", "sentiment", "--model", str(tiny_classifier), "--device", "cuda:1", "good")
    assert result.exit_code == 2
    assert result.output.strip() == "Error: cuda:1 is not available here (available: cpu)"


def test_misspelt_device_and_precision_are_usage_errors() -> None:
    result = invoke("predict", "sentiment", "--device", "gpu", "good")
    assert result.exit_code == 2 and "expected auto, cpu, cuda, cuda:N or mps" in result.output
    result = invoke("evaluate", "sentiment", "--data", "x.tsv", "--precision", "half")
    assert result.exit_code == 2 and "expected auto, fp32, fp16, bf16" in result.output


def test_half_precision_on_the_cpu_is_refused_before_loading(no_accelerator: None) -> None:
    result = invoke("predict", "sentiment", "--model", "no-such-model-needed", "--device", "cpu", "--precision", "fp16", "good")
    assert result.exit_code == 2 and "fp16 is not supported on the CPU" in result.output


def test_evaluate_json_records_the_device(tiny_classifier: Path, sentiment_tsv: Path, no_accelerator: None) -> None:
    result = invoke("evaluate", "sentiment", "--model", str(tiny_classifier), "--data", str(sentiment_tsv), "--json", "--device", "auto")
    assert result.exit_code == 0, result.output
    recorded = json.loads(result.stdout)["device"]
    assert (recorded["device"], recorded["precision"], recorded["requested"]) == ("cpu", "fp32", "auto")


def test_finetune_verbose_prints_the_device_and_the_card_records_it(tmp_path: Path, sentiment_tsv: Path, no_accelerator: None) -> None:
    out = tmp_path / "m"
    result = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(out), "--device", "cpu", "-v")
    assert result.exit_code == 0, result.output
    assert "fine-tuning on cpu (fp32)" in result.stderr
    assert json.loads((out / "nlpkit.json").read_text())["device"]["device"] == "cpu"


def test_cpu_only_backend_asked_for_a_gpu_trains_on_the_cpu_and_says_so(tmp_path: Path, sentiment_tsv: Path, one_fake_gpu: None) -> None:
    out = tmp_path / "m"
    result = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(out), "--device", "cuda")
    assert result.exit_code == 0, result.output
    assert "sklearn backend runs on the CPU at fp32 only; using cpu (fp32) instead of cuda" in result.stderr
    card = json.loads((out / "nlpkit.json").read_text())["device"]
    assert (card["device"], card["requested"]) == ("cpu", "cuda") and "sklearn" in card["note"]
    assert "trained on: cpu (fp32); the sklearn backend runs on the CPU" in (out / "README.md").read_text()


def test_finetune_schedule_flags_reach_the_training_config(tmp_path: Path, sentiment_tsv: Path, monkeypatch) -> None:
    from nlpkit import api

    seen = []
    monkeypatch.setattr(api, "finetune", lambda task, **kwargs: seen.append(kwargs["config"]) or api.FinetuneResult(tmp_path, {}, 0.0, 0))
    flags = ["--warmup-ratio", "0.1", "--weight-decay", "0", "--lr-scheduler", "cosine", "--grad-accum", "4"]
    result = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(tmp_path / "m"), *flags)
    assert result.exit_code == 0, result.output
    [config] = seen
    assert (config.warmup_ratio, config.weight_decay, config.lr_scheduler, config.gradient_accumulation_steps) == (0.1, 0.0, "cosine", 4)
