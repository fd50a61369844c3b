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
