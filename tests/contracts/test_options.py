"""Typed task and backend options: conversion, did-you-mean, stages, saving and reloading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import nlpkit
from nlpkit.cli import cli
from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.options import PREDICT, TRAIN, Option, check_options, resolve

OPTIONS = (
    Option("top_k", int, 1, "answers", minimum=1),
    Option("bias", float, 0.0, "logit bias", keywords=("prior",)),
    Option("mode", str, "first", "which", choices=("first", "all"), stages=TRAIN),
    Option("scores", bool, False, "fill scores"),
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("raw, expected", [({"top_k": "3"}, 3), ({"top_k": 3.0}, 3), ({"top_k": 4}, 4)])
def test_command_line_strings_and_python_values_convert_to_the_declared_type(raw, expected):
    assert check_options(OPTIONS, raw, owner="task 't'")["top_k"] == expected


def test_booleans_and_keywords_convert():
    values = check_options(OPTIONS, {"scores": "yes", "bias": "prior"}, owner="task 't'")
    assert values == {"scores": True, "bias": "prior"}
    assert check_options(OPTIONS, {"bias": "-1.5"}, owner="task 't'")["bias"] == -1.5


def test_unknown_option_names_the_task_and_suggests_the_close_name():
    with pytest.raises(NlpkitError, match=r"task 't' has no option 'top_kk'; did you mean 'top_k'\?"):
        check_options(OPTIONS, {"top_kk": 2}, owner="task 't'")


@pytest.mark.parametrize("raw, message", [
    ({"top_k": "three"}, "option 'top_k' of task 't' must be an integer, not 'three'"),
    ({"top_k": 0}, "option 'top_k' of task 't' must be at least 1"),
    ({"mode": "some"}, "option 'mode' of task 't' must be one of first, all"),
    ({"scores": "maybe"}, "option 'scores' of task 't' must be true or false"),
    ({"bias": "lots"}, "must be a number or one of 'prior'"),
])
def test_a_wrong_value_names_the_option_and_the_type_expected(raw, message):
    with pytest.raises(NlpkitError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_options(OPTIONS, raw, owner="task 't'")


def test_a_training_option_is_refused_at_predict_time_and_accepted_by_finetune():
    with pytest.raises(NlpkitError, match="option 'mode' of task 't' applies to train, not to predict"):
        check_options(OPTIONS, {"mode": "all"}, owner="task 't'", command="predict")
    assert check_options(OPTIONS, {"mode": "all"}, owner="task 't'", command="finetune") == {"mode": "all"}


def test_resolve_fills_defaults_then_saved_values_then_given_ones_for_one_stage():
    values = resolve(OPTIONS, {"scores": "true"}, owner="task 't'", stage="predict", saved={"top_k": 5, "mode": "all"})
    assert values == {"top_k": 5, "bias": 0.0, "scores": True}  # `mode` is a training option: not here
    assert resolve(OPTIONS, {"top_k": 2}, owner="task 't'", stage="predict", saved={"top_k": 5})["top_k"] == 2


def test_option_types_are_limited_to_what_the_command_line_can_say():
    with pytest.raises(TypeError):
        Option("when", object, None, stages=PREDICT)


# every task and the sklearn backend, through the CLI ----------------------------------
def test_unknown_option_is_rejected_for_sentiment_at_predict_and_finetune(tmp_path: Path, sentiment_tsv: Path) -> None:
    result = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(tmp_path / "m"), "-O", "CC=2")
    assert result.exit_code == 2 and "has no option 'CC'; did you mean 'C'?" in result.output and "task 'sentiment'" in result.output
    assert not (tmp_path / "m").exists()
    result = invoke("predict", "sentiment", "--model", "tfidf-logreg", "-O", "top_k=3", "good")
    assert result.exit_code == 2 and "task 'sentiment' has no option 'top_k'" in result.output


def test_tfidf_backend_options_are_typed_and_saved_in_the_model_card(tmp_path: Path, sentiment_tsv: Path) -> None:
    bad = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(tmp_path / "bad"), "-O", "C=strong")
    assert bad.exit_code == 2 and "option 'C' of the sklearn backend must be a number, not 'strong'" in bad.output
    out = tmp_path / "m"
    result = invoke("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(sentiment_tsv), "--output", str(out), "-O", "C=0.5")
    assert result.exit_code == 0, result.output
    card = json.loads((out / "nlpkit.json").read_text())
    assert card["training"]["backend_options"] == {"C": 0.5}
    import skops.io

    assert skops.io.load(out / "model.skops").named_steps["classifier"].C == 0.5


@pytest.mark.parametrize("task", ["sentiment", "ner", "relations", "qa", "summarization", "translation"])
def test_every_task_rejects_an_unknown_option_before_loading_a_model(task: str) -> None:
    with pytest.raises(NlpkitError, match=f"task '{task}' has no option 'no_such_option'"):
        nlpkit.predict(task, ["some text"], model="/no/such/model/folder", options={"no_such_option": 1})


def test_task_command_lists_options_with_type_default_and_help() -> None:
    result = invoke("task", "qa")
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("on_bad_answer"))
    assert "error|fix|skip" in line and '"error"' in line and "read" in line
    assert "span-extraction" in result.output and "squad_v1.1" in result.output and "SQuAD v1.1/v2.0 JSON" in result.output
    assert invoke("tasks", "qa").output == result.output


def test_task_command_json_describes_head_defaults_formats_and_options() -> None:
    info = json.loads(invoke("task", "ner", "--json").output)
    assert info["head"] == "token-classification" and info["default_metrics"] == ["seqeval"] and info["formats"]
    scheme = next(o for o in info["options"] if o["name"] == "scheme")
    assert scheme["type"] == "str" and scheme["choices"] == ["iob1", "iob2"] and scheme["stages"] == ["read"] and scheme["help"]
    assert json.loads(invoke("task", "sentiment", "--json").output)["options"] == []


def test_task_command_suggests_a_close_task_name() -> None:
    result = invoke("task", "sentimnt")
    assert result.exit_code == 2 and "did you mean 'sentiment'" in result.output
