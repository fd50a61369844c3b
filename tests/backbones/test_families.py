"""Family conventions (`nlpkit.backends.families`), each read from config and tokenizer.

Every test here is a bug the backbone matrix found, pinned down without training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpkit.backends.families import (
    BACKBONES,
    MATRIX_TASKS,
    classify_pooled,
    ensure_pad_token,
    matrix_cells,
    pad_rows,
    question_first,
    support_markdown,
    support_table,
    words_tokenizer,
)
from nlpkit.testing.backbones import BUILDERS


def _tokenizer(folder: Path) -> Any:
    import transformers

    return transformers.AutoTokenizer.from_pretrained(folder)


def test_every_family_of_the_table_has_a_tiny_builder() -> None:
    assert set(BACKBONES) == set(BUILDERS)


@pytest.mark.parametrize("family", ["roberta", "gpt2"])
def test_byte_level_bpe_reads_pre_split_words_with_their_prefix_space(family: str, backbone: Any) -> None:
    tokenizer = _tokenizer(backbone(family))
    plain = tokenizer([["Marta", "works"]], is_split_into_words=True, add_special_tokens=False)["input_ids"][0]
    fixed = words_tokenizer(tokenizer)([["Marta", "works"]], is_split_into_words=True, add_special_tokens=False)["input_ids"][0]
    running = tokenizer("Marta works", add_special_tokens=False)["input_ids"]
    assert plain[-len(running) + 1:] != running[1:]  # the trap: "works" as if it began the text
    assert fixed[-1:] == running[-1:] and tokenizer.convert_ids_to_tokens(fixed[-1:]) == ["Ġworks"]
    assert tokenizer("Marta works", add_special_tokens=False)["input_ids"] == running  # the original is untouched


def test_the_words_tokenizer_follows_tokens_added_later(backbone: Any) -> None:
    tokenizer = _tokenizer(backbone("roberta"))
    words_tokenizer(tokenizer)
    tokenizer.add_tokens(["[E1]"], special_tokens=True)
    assert words_tokenizer(tokenizer)([["[E1]", "works"]], is_split_into_words=True, add_special_tokens=False)["input_ids"][0][0] == tokenizer.convert_tokens_to_ids("[E1]")


@pytest.mark.parametrize("family", ["bert", "xlnet", "llama"])
def test_words_tokenizer_leaves_tokenizers_without_byte_level_pre_tokenizer_alone(family: str, backbone: Any) -> None:
    tokenizer = _tokenizer(backbone(family))
    assert words_tokenizer(tokenizer) is tokenizer


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_a_tokenizer_without_pad_token_pads_with_its_end_token_and_the_config_knows(family: str, backbone: Any) -> None:
    import transformers

    tokenizer = _tokenizer(backbone(family))
    network = transformers.AutoModelForSequenceClassification.from_pretrained(backbone(family), num_labels=2)
    assert tokenizer.pad_token_id is None and network.config.pad_token_id is None
    ensure_pad_token(tokenizer, network)
    assert tokenizer.pad_token_id == tokenizer.eos_token_id == network.config.pad_token_id
    batch = tokenizer(["the cat", "the cat sleeps"], padding=True, return_tensors="pt")
    assert network(**batch).logits.shape == (2, 2)  # refused without a pad token


def test_xlnet_classifies_the_same_batched_as_alone(backbone: Any) -> None:
    """XLNet's classifier reads the last position: right padding made it read a pad token."""
    import nlpkit
    from nlpkit.backends.transformers import TransformersBackend

    task = nlpkit.get_task("sentiment")
    model = TransformersBackend().load(str(backbone("xlnet")), task, labels=["negative", "positive"])
    texts = ["the cat", "Marta works for Tide Labs in Lisbon ."]
    batched = model.classify(texts, batch_size=2)
    alone = [model.classify([t], batch_size=1)[0] for t in texts]
    for a, b in zip(batched, alone):
        assert a == pytest.approx(b, abs=1e-5)


def test_question_goes_first_unless_the_classifier_token_comes_last(backbone: Any) -> None:
    assert question_first(_tokenizer(backbone("bert")))
    assert not question_first(_tokenizer(backbone("xlnet")))  # <cls> last, context first (run_qa.py)
    llama = _tokenizer(backbone("llama"))
    assert llama.padding_side == "left" and question_first(llama)  # no <cls>: position 0 must be a question token


@pytest.mark.parametrize("family", ["bert", "distilbert", "roberta", "deberta-v2", "xlnet", "gpt2"])
def test_a_pooled_vector_goes_through_the_familys_own_classifier(family: str, backbone: Any) -> None:
    import torch
    import transformers

    network = transformers.AutoModelForSequenceClassification.from_pretrained(backbone(family), num_labels=3).eval()
    pooled = torch.randn(4, network.config.get_text_config().hidden_size)
    assert classify_pooled(network, pooled).shape == (4, 3)


def test_pad_rows_pads_on_the_side_asked() -> None:
    assert pad_rows([[1, 2], [3]], 0, 3, left=True) == [[0, 1, 2], [0, 0, 3]]
    assert pad_rows([[1, 2], [3]], 0, 3, left=False) == [[1, 2, 0], [3, 0, 0]]


def test_support_table_and_markdown_are_the_matrix_cells() -> None:
    rows = support_table()
    tested = {(r["family"], t) for r in rows for t, cell in r["tasks"].items() if cell == "tested"}
    assert tested == set(matrix_cells())
    markdown = support_markdown()
    assert markdown.count("✓") == len(matrix_cells())
    assert all(BACKBONES[f].title in markdown for f in BACKBONES)
    assert all(task in markdown for task in MATRIX_TASKS)


def test_docs_table_is_the_generated_one() -> None:
    """docs/backbones.md holds the generated table verbatim (regenerate: see the page)."""
    doc = (Path(__file__).parents[2] / "docs" / "backbones.md").read_text(encoding="utf-8")
    assert support_markdown() in doc


def test_nlpkit_backbones_prints_the_table_and_its_json() -> None:
    import json

    from click.testing import CliRunner

    from nlpkit.cli import cli

    text = CliRunner().invoke(cli, ["backbones"], env={"COLUMNS": "160"})
    assert text.exit_code == 0, text.output
    assert all(family in text.output for family in BACKBONES)
    assert "marian × qa" in text.output  # a not-applicable cell, with its reason
    as_json = CliRunner().invoke(cli, ["backbones", "--json"])
    assert json.loads(as_json.output) == support_table()
    models = CliRunner().invoke(cli, ["models", "--json"])
    assert json.loads(models.output)["backbones"] == support_table()
