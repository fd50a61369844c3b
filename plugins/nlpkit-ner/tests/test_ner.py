import json
from types import SimpleNamespace

import pytest

from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.tasks import Head
from nlpkit_ner.ner import NerTask, entity_tags
from nlpkit_ner.records import NerExample

LABELS = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]


class FixedTagger:
    """A stand-in network: each sub-word id gets the label its table says (default O)."""

    def __new__(cls, tokenizer, table):
        import torch

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.logits = torch.zeros(len(tokenizer), len(LABELS))
                self.logits[:, 0] = 5.0
                for piece, label in table.items():
                    row = tokenizer.convert_tokens_to_ids(piece)
                    self.logits[row] = 0.0
                    self.logits[row, LABELS.index(label)] = 5.0
                self.weight = torch.nn.Parameter(torch.zeros(1))
                self.config = SimpleNamespace(max_position_embeddings=128)

            def forward(self, input_ids, attention_mask=None):
                return SimpleNamespace(logits=self.logits[input_ids])

        return Net()


@pytest.fixture
def tagger(tiny_encoder):
    import transformers

    from nlpkit.engines.backends.transformers import TransformersModel

    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_encoder)
    network = FixedTagger(tokenizer, {"paris": "B-LOC", "berlin": "I-LOC", "q": "B-PER", "##x": "I-PER"})
    return TransformersModel(network, tokenizer, head=Head.TOKEN_CLASSIFICATION, labels=LABELS, source="fixed")


def test_raw_text_gives_whole_entities_at_character_offsets(tagger):
    text = "I saw  Qx in Paris, Berlin!"
    [found] = NerTask().predict(tagger, NerTask().parse_inputs([text]))
    assert [(e.type, e.text) for e in found.entities] == [("PER", "Qx"), ("LOC", "Paris"), ("LOC", "Berlin")]
    assert all(text[e.start : e.end] == e.text for e in found.entities)
    assert all(0 < e.score <= 1 for e in found.entities)


def test_an_i_tag_after_o_starts_a_new_entity(tagger):
    [found] = NerTask().predict(tagger, [NerExample.from_tokens(["met", "Berlin", "people"])])
    assert [(e.type, e.text, e.start) for e in found.entities] == [("LOC", "Berlin", 4)]


def test_sentences_longer_than_the_model_are_windowed_not_truncated(tagger):
    words = ["the"] * 300 + ["Paris"]
    [found] = NerTask().predict(tagger, [NerExample.from_tokens(words)])
    assert [(e.text, e.start) for e in found.entities] == [("Paris", 4 * 300)]


def test_predictions_come_back_in_input_order(tagger):
    inputs = NerTask().parse_inputs(["Paris", "the the the the the Qx", "nothing here"])
    found = NerTask().predict(tagger, inputs, batch_size=2)
    assert [[e.text for e in f.entities] for f in found] == [["Paris"], ["Qx"], []]


def test_lowercase_words_trims_or_drops_what_the_capitals_rule_out(tagger):
    inputs = [NerExample.from_tokens(["near", "paris", "Berlin", "now"]), NerExample.from_tokens(["in", "paris", "berlin"]), NerExample.from_tokens(["in", "Paris", "berlin"])]
    found = {mode: [[e.text for e in f.entities] for f in NerTask().predict(tagger, inputs, lowercase_words=mode)] for mode in ("keep", "drop", "trim")}
    assert found["keep"] == [["paris Berlin"], ["paris berlin"], ["Paris berlin"]]  # the uncased model's spans
    assert found["drop"] == [["paris Berlin"], [], ["Paris berlin"]]
    assert found["trim"] == [["Berlin"], [], ["Paris"]]
    [scored] = NerTask().predict(tagger, inputs[:1], lowercase_words="trim")
    assert scored.entities[0].start == len("near paris ") and 0 < scored.entities[0].score <= 1


def test_words_without_case_are_never_lowercase_words():
    from nlpkit_ner.tags import cased_spans, is_lowercase_word

    assert [is_lowercase_word(w) for w in ["of", "Yangon", "1996", "-", "東京", "mid-Mississippi", "van"]] == [True, False, False, False, False, False, True]
    assert cased_spans(["東京", "1996"], [(0, 2, "LOC")], "drop") == [(0, 2, "LOC")]
    with pytest.raises(ValueError, match="lowercase_words must be one of"):
        cased_spans(["x"], [], "lower")


def test_unknown_predict_option_is_rejected(tagger):
    with pytest.raises(NlpkitError, match="no option 'beam'"):
        NerTask().predict(tagger, NerTask().parse_inputs(["Paris"]), beam=3)


def test_predicted_entities_map_back_to_word_tags():
    example = NerExample.from_tokens(["Bob", "Smith", "in", "Rome"])
    found = SimpleNamespace(entities=[example.entity(0, 2, "PER"), example.entity(3, 4, "LOC")])
    assert entity_tags(found, example) == ["B-PER", "I-PER", "O", "B-LOC"]


def test_label_set_has_b_and_i_for_every_type(conll03):
    assert NerTask().label_set(NerTask().read(conll03)) == ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"]


def test_training_labels_first_sub_word_only_by_default(tagger):
    example = NerExample.from_tokens(["Qx", "Paris"], ["B-PER", "B-LOC"])
    label2id = {label: i for i, label in enumerate(LABELS)}
    [feature] = NerTask().training_features([example], tagger.tokenizer, label2id, 32)
    assert tagger.tokenizer.convert_ids_to_tokens(feature["input_ids"]) == ["[CLS]", "q", "##x", "paris", "[SEP]"]
    assert feature["labels"] == [-100, 3, -100, 1, -100]
    [feature] = NerTask().training_features([example], tagger.tokenizer, label2id, 32, subword_labels="all")
    assert feature["labels"] == [-100, 3, 4, 1, -100]


def test_long_training_sentences_become_several_windows(tagger):
    example = NerExample.from_tokens(["the"] * 50, ["O"] * 50)
    features = NerTask().training_features([example], tagger.tokenizer, {"O": 0}, 20)
    assert len(features) > 2 and all(len(f["input_ids"]) <= 20 for f in features)
    assert sum(label == 0 for f in features for label in f["labels"]) >= 50


def test_finetuned_folder_predicts_with_no_other_flags(tiny_ner_model, conll03):
    import nlpkit

    out = tiny_ner_model
    [found] = nlpkit.predict("ner", ["Alice visited Paris."], model=str(out))
    assert all(e.type in {"PER", "LOC", "ORG"} for e in found.entities)
    result = nlpkit.evaluate("ner", model=str(out), data=str(conll03))
    assert set(result.metrics["seqeval"]) >= {"precision", "recall", "f1", "per_type"}


def test_reader_hint_scheme_is_passable_from_the_command_line(tiny_ner_model, tmp_path):
    from click.testing import CliRunner

    from nlpkit.cli import cli

    iob1 = tmp_path / "iob1.conll"  # IOB1 without the CoNLL-2003 layout: read as IOB2 unless told
    iob1.write_text("Alice I-PER\nvisited O\nParis I-LOC\nBerlin B-LOC\n", encoding="utf-8")
    args = ["evaluate", "ner", "--model", str(tiny_ner_model), "--data", str(iob1), "--json"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "scheme=iob1" in refused.output
    told = CliRunner().invoke(cli, [*args, "-O", "scheme=iob1"])
    assert told.exit_code == 0, told.output
    assert json.loads(told.stdout)["examples"] == 1


def test_finetune_options_are_saved_typed_and_reloaded_at_predict_time(tiny_encoder, conll03, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from nlpkit.cli import cli

    out = tmp_path / "m"
    result = CliRunner().invoke(cli, ["finetune", "ner", "--model", str(tiny_encoder), "--train", str(conll03), "--output", str(out), "--max-steps", "1", "-O", "window_overlap=3", "-O", "scheme=iob1"])
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "nlpkit.json").read_text())["training"]["task_options"]
    assert saved == {"window_overlap": 3, "scheme": "iob1"}
    seen = {}
    from nlpkit.engines.backends.transformers import TransformersModel

    original = TransformersModel.tag_words
    monkeypatch.setattr(TransformersModel, "tag_words", lambda self, *a, **k: seen.update(k) or original(self, *a, **k))
    import nlpkit

    nlpkit.predict("ner", ["Alice visited Paris."], model=str(out))
    assert seen["window_overlap"] == 3
    nlpkit.predict("ner", ["Alice visited Paris."], model=str(out), options={"window_overlap": "5"})
    assert seen["window_overlap"] == 5
