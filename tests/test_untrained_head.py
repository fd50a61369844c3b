"""A model whose head for the task is freshly initialised is refused for predict/evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import nlpkit
from nlpkit.cli import cli
from nlpkit.errors import NlpkitError
from nlpkit.models import untrained_head
from nlpkit.tasks import Head


def test_architectures_decide_whether_a_head_is_trained() -> None:
    assert untrained_head(["BertModel"], Head.SEQUENCE_CLASSIFICATION)
    assert not untrained_head(["BertForSequenceClassification"], Head.SEQUENCE_CLASSIFICATION)
    assert untrained_head(["BertForSequenceClassification"], Head.SPAN_EXTRACTION)
    assert not untrained_head(["T5ForConditionalGeneration"], Head.SEQ2SEQ)
    assert not untrained_head(None, Head.TOKEN_CLASSIFICATION), "unknown architecture: not judged"


def test_predict_with_a_bare_encoder_says_to_fine_tune_first(tiny_encoder: Path) -> None:
    with pytest.raises(NlpkitError) as caught:
        nlpkit.predict("sentiment", ["a good film"], model=str(tiny_encoder))
    message = str(caught.value)
    assert "no trained sequence-classification head" in message
    assert "nlpkit finetune sentiment --model" in message and "--allow-untrained-head" in message


def test_the_override_flag_runs_the_untrained_head(tiny_encoder: Path) -> None:
    refused = CliRunner().invoke(cli, ["predict", "sentiment", "--model", str(tiny_encoder), "a good film"])
    assert refused.exit_code == 2
    allowed = CliRunner().invoke(cli, ["predict", "sentiment", "--model", str(tiny_encoder), "--allow-untrained-head", "a good film"])
    assert allowed.exit_code == 0, allowed.output
    assert "label" in json.loads(allowed.stdout.splitlines()[-1])


def test_evaluate_refuses_an_untrained_head_too(tiny_encoder: Path, sentiment_tsv: Path) -> None:
    result = CliRunner().invoke(cli, ["evaluate", "sentiment", "--model", str(tiny_encoder), "--data", str(sentiment_tsv)])
    assert result.exit_code == 2
    assert "fine-tune it first" in result.output
