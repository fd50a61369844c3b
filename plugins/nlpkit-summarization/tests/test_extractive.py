"""Extractive summarization: oracle labels, sentence selection, and the model end to end on a tiny BERT."""

from __future__ import annotations

import json

import pytest
from nlpkit_summarization.extractive import (
    INSIDE,
    OUTSIDE,
    document_sentences,
    oracle_sentences,
    select_sentences,
    tag_document,
    trigrams,
)
from nlpkit_summarization.task import SummarizationTask

import nlpkit
from nlpkit.contracts.errors import DataError, NlpkitError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TOY = [
    "The weather was cold that morning.",
    "We propose a fast parser for trees.",
    "The parser beats strong baselines on trees.",
    "Lunch was served at noon.",
]

# Training documents whose summary is always the sentence with "propose", wherever it stands.
FILLER = ["The room was quiet.", "Rain fell all day.", "A bird sang outside.", "The lamp was dim.", "Tea was served late."]
CLAIMS = ["We propose a new parser.", "We propose a small model.", "We propose a fast method.", "We propose a new metric."]


def _training_docs() -> list[dict]:
    docs = []
    for n, claim in enumerate(CLAIMS * 3):
        sentences = FILLER[n % 5 :] + FILLER[: n % 5]
        sentences = sentences[:3]
        sentences.insert(n % 4, claim)
        docs.append({"source": sentences, "target": claim})
    return docs


# -- oracle -------------------------------------------------------------------------------
def test_oracle_adds_sentences_while_rouge_rises_and_returns_document_order():
    reference = "We propose a fast parser that beats strong baselines on trees."
    assert oracle_sentences(TOY, [reference]) == [1, 2]
    assert oracle_sentences(TOY, [reference], limit=1) == [1]


def test_oracle_stops_when_no_sentence_raises_rouge():
    assert oracle_sentences(TOY, [TOY[3]]) == [3]
    assert oracle_sentences(TOY, ["zebras quarrel loudly"]) == []


def test_oracle_scores_each_selection_against_its_best_reference():
    assert oracle_sentences(TOY, ["zebras quarrel loudly", "Lunch was served at noon."]) == [3]


def test_tagged_document_tags_every_word_with_its_sentences_oracle_label():
    example = SummarizationTask().read_rows([{"source": TOY, "summary": TOY[1]}], "toy")[0]
    tagged = tag_document(example)
    assert tagged.tokens == " ".join(TOY).split()
    assert tagged.summary == [1]
    assert tagged.tags == [OUTSIDE] * 6 + [INSIDE] * 7 + [OUTSIDE] * 7 + [OUTSIDE] * 5


def test_tagging_a_document_without_references_is_a_located_data_error():
    example = SummarizationTask().read_rows([{"source": TOY, "summary": TOY[1]}], "toy")[0]
    example.targets = None
    with pytest.raises(DataError, match="toy:1.*no reference summary"):
        tag_document(example)


# -- selection ----------------------------------------------------------------------------
def test_k_best_sentences_come_back_in_document_order():
    assert select_sentences([0.1, 0.9, 0.5, 0.7], TOY, 2) == [1, 3]
    assert select_sentences([0.1, 0.9, 0.5, 0.7], TOY, 1) == [1]
    assert select_sentences([0.1, 0.9, 0.5, 0.7], TOY, 9) == [0, 1, 2, 3]


def test_trigram_blocking_skips_a_sentence_repeating_a_chosen_trigram():
    sentences = ["We propose a fast parser.", "We propose a fast parser for trees.", "It is tested on trees."]
    scores = [0.9, 0.8, 0.1]
    assert select_sentences(scores, sentences, 2, block_trigrams=True) == [0, 2]
    assert select_sentences(scores, sentences, 2, block_trigrams=False) == [0, 1]
    assert ("we", "propose", "a") in trigrams("We propose a parser.")


def test_equal_scores_prefer_the_earlier_sentence():
    assert select_sentences([0.5, 0.5, 0.5], TOY[:3], 1) == [0]


def test_document_sentences_split_with_the_plugins_splitter():
    assert document_sentences(" ".join(TOY)) == TOY


# -- the model end to end -------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """An extractive model fine-tuned from a tiny BERT on documents whose summary is the "propose" sentence."""
    from nlpkit.testing import tiny_bert

    root = tmp_path_factory.mktemp("extractive")
    docs = _training_docs()
    train = root / "train.jsonl"
    train.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    words = {w for d in docs for s in d["source"] for w in s.split()} | set(" ".join(TOY).split())
    base = tiny_bert(root / "bert", sorted(words))
    config = nlpkit.TrainConfig(
        epochs=30, learning_rate=3e-3, batch_size=4, max_length=64, progress=False, save_steps=10_000, warmup_ratio=0.0,
        task_options={"encoder": str(base), "sentences": 2, "oracle_sentences": 1},
    )
    result = nlpkit.finetune("summarization", model="extractive", train=str(train), eval=str(train), output=root / "model", config=config)
    return result, train


def test_fine_tuned_folder_names_the_extractive_backend_and_keeps_its_options(trained):
    result, _ = trained
    card = json.loads((result.output / "nlpkit.json").read_text())
    assert card["backend"] == "extractive" and card["task"] == "summarization"
    assert card["training"]["task_options"]["sentences"] == 2
    assert (result.output / "extractive.json").exists()
    assert result.metrics["rouge"]["rouge1"] > 0


def test_saved_model_predicts_its_saved_number_of_sentences_with_no_flags(trained):
    result, _ = trained
    text = "The lamp was dim. We propose a small parser. Rain fell all day. The room was quiet."
    [two] = nlpkit.predict("summarization", [text], model=str(result.output))
    assert len(document_sentences(two.text)) == 2
    assert all(s in document_sentences(text) for s in document_sentences(two.text))
    [one] = nlpkit.predict("summarization", [text], model=str(result.output), options={"sentences": 1})
    assert one.text == "We propose a small parser."


def test_trained_scorer_picks_the_learned_sentence_wherever_it_stands(trained):
    result, _ = trained
    texts = [
        "We propose a new metric. The room was quiet. Tea was served late.",
        "A bird sang outside. The lamp was dim. Rain fell all day. We propose a fast parser.",
    ]
    records = nlpkit.predict("summarization", texts, model=str(result.output), options={"sentences": 1})
    assert [r.text for r in records] == ["We propose a new metric.", "We propose a fast parser."]
    assert all(0.5 < r.score <= 1.0 for r in records)


def test_evaluate_scores_the_extracts_with_rouge_and_reloads_to_the_same_predictions(trained):
    result, train = trained
    first = nlpkit.evaluate("summarization", model=str(result.output), data=str(train), options={"sentences": 1})
    again = nlpkit.evaluate("summarization", model=str(result.output), data=str(train), options={"sentences": 1})
    assert [p.text for p in first.predictions] == [p.text for p in again.predictions]
    assert first.metrics["rouge"]["rouge1"] == pytest.approx(1.0)


def test_untrained_extractive_model_is_refused_with_the_finetune_command():
    with pytest.raises(NlpkitError, match="nlpkit finetune summarization --model extractive"):
        nlpkit.predict("summarization", ["A document. Two sentences."], model="extractive")


def test_sentences_option_is_refused_for_an_abstractive_model():
    with pytest.raises(NlpkitError, match="sentences applies to extractive models"):
        nlpkit.predict("summarization", ["A document. Two sentences."], model="lead-1", options={"sentences": 2})
