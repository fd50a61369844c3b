"""Translation from an encoder-only model: a fresh decoder with its own target tokenizer."""

from __future__ import annotations

import json

import pytest

import nlpkit

PAIRS = [
    ("a man walks on the street", "Ein Mann läuft über die Straße."),
    ("two dogs play in the snow", "Zwei Hunde spielen im Schnee."),
    ("a woman with a green hat", "Eine Frau mit einem grünen Hut."),
    ("the children eat ice cream", "Die Kinder essen Eis."),
    ("a man rides a bicycle", "Ein Mann fährt Fahrrad."),
    ("two women talk on the street", "Zwei Frauen unterhalten sich auf der Straße."),
] * 3


@pytest.fixture()
def parallel(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps({"translation": {"en": en, "de": de}}, ensure_ascii=False) + "\n" for en, de in PAIRS), encoding="utf-8")
    return path


@pytest.fixture()
def tiny_encoder(tmp_path):
    from nlpkit.testing import tiny_bert

    return tiny_bert(tmp_path / "bert", [w for en, _ in PAIRS for w in en.split()])


def test_the_target_tokenizer_writes_german_capitals_and_umlauts_and_reloads_the_same(tmp_path):
    from nlpkit.engines.backends.target_vocab import TARGET_TOKENIZER_DIR, load_target_tokenizer, train_target_tokenizer

    tokenizer = train_target_tokenizer([de for _, de in PAIRS], 300)
    sentence = "Zwei Frauen fährt über die Straße."
    ids = tokenizer(sentence)["input_ids"]
    assert ids[-1] == tokenizer.eos_token_id and tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids, skip_special_tokens=True) == sentence
    assert tokenizer.decode(tokenizer("ÄÖÜ äöü ß")["input_ids"], skip_special_tokens=True) == "ÄÖÜ äöü ß"  # letters never seen in training
    tokenizer.save_pretrained(tmp_path / TARGET_TOKENIZER_DIR)
    reloaded = load_target_tokenizer(tmp_path)
    assert reloaded(sentence)["input_ids"] == ids
    assert reloaded.decode(ids, skip_special_tokens=True) == sentence
    assert load_target_tokenizer(tmp_path / "elsewhere") is None


def test_sources_encode_with_the_encoder_tokenizer_and_targets_with_the_decoder_one(tiny_encoder):
    from transformers import AutoTokenizer

    from nlpkit.engines.backends.target_vocab import SourceTargetTokenizer, train_target_tokenizer

    source, target = AutoTokenizer.from_pretrained(str(tiny_encoder)), train_target_tokenizer([de for _, de in PAIRS], 300)
    paired = SourceTargetTokenizer(source, target)
    encoded = paired(["a man walks"], text_target=["Ein Mann läuft."])
    assert encoded["input_ids"] == source(["a man walks"])["input_ids"]
    assert encoded["labels"] == target(["Ein Mann läuft."])["input_ids"]
    assert paired(text_target=["Ein Mann"])["input_ids"] == target(["Ein Mann"])["input_ids"]
    assert paired.batch_decode(encoded["labels"], skip_special_tokens=True) == ["Ein Mann läuft."]
    assert paired.pad_token_id == source.pad_token_id and len(paired) == len(source)


def test_fine_tuning_an_encoder_builds_a_fresh_decoder_over_its_own_vocabulary_and_reloads_to_the_same_translations(tmp_path, parallel, tiny_encoder):
    from nlpkit.contracts.models import MODEL_CARD_FILE

    config = nlpkit.TrainConfig(epochs=1, max_steps=3, batch_size=4, max_length=32, progress=False, save_steps=100, task_options={"target_vocab_size": 300, "decoder_layers": 1, "decoder_learning_rate": 1e-3, "max_new_tokens": 6})
    result = nlpkit.finetune("translation", model=str(tiny_encoder), train=str(parallel), output=tmp_path / "out", config=config)
    folder = result.output
    card = json.loads((folder / MODEL_CARD_FILE).read_text())
    assert card["decoder"]["init"] == "fresh" and card["decoder"]["layers"] == 1
    assert 0 < card["decoder"]["target_vocab_size"] <= 300
    assert "target_tokenizer/tokenizer.json" in card["files"]

    model = nlpkit.load_model(str(folder), nlpkit.get_task("translation"))
    network = model.network
    assert type(network).__name__ == "EncoderDecoderModel"
    assert network.config.decoder.vocab_size == len(model.tokenizer.target)
    assert network.generation_config.decoder_start_token_id == model.tokenizer.target.bos_token_id
    inputs = ["a man walks on the street", "two dogs play"]
    first = nlpkit.predict("translation", inputs, model=str(folder))
    again = nlpkit.predict("translation", inputs, model=str(folder))
    assert [r.text for r in first] == [r.text for r in again]
    assert all(len(model.tokenizer.target(r.text, add_special_tokens=False)["input_ids"]) <= 6 for r in first)  # the saved max_new_tokens


def test_the_decoder_learning_rate_applies_to_decoder_parameters_only(tmp_path, parallel, tiny_encoder):
    import transformers

    from nlpkit.engines.backends.transformers import TransformersBackend
    from nlpkit.engines.training import _per_prefix_learning_rates
    from nlpkit_translation.task import TranslationTask

    config = nlpkit.TrainConfig(task_options={"target_vocab_size": 300, "decoder_layers": 1})
    from nlpkit.engines.backends.transformers import _decoder_options

    task = TranslationTask()
    model = TransformersBackend().load(str(tiny_encoder), task, options=_decoder_options(task, task.read(parallel), config))
    trainer = transformers.Seq2SeqTrainer(model=model.network, args=transformers.Seq2SeqTrainingArguments(output_dir=str(tmp_path / "t"), learning_rate=1e-4, use_cpu=True, report_to="none"))
    _per_prefix_learning_rates(trainer, model.network, {"decoder.": 1e-3})
    optimizer = trainer.create_optimizer()
    lr_of = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    for name, param in model.network.named_parameters():
        assert lr_of[id(param)] == (1e-3 if name.startswith("decoder.") else 1e-4), name


def test_a_pretrained_marian_model_is_fine_tuned_as_it_is_with_no_decoder_of_its_own(tmp_path, parallel):
    from nlpkit.contracts.models import MODEL_CARD_FILE
    from nlpkit.engines.backends.target_vocab import TARGET_TOKENIZER_DIR
    from nlpkit.testing.backbones import tiny_backbone

    base = tiny_backbone("marian", tmp_path / "marian", [s for pair in PAIRS for s in pair])
    config = nlpkit.TrainConfig(epochs=1, max_steps=1, batch_size=4, max_length=32, progress=False, save_steps=100, task_options={"max_new_tokens": 4})
    folder = nlpkit.finetune("translation", model=str(base), train=str(parallel), output=tmp_path / "out", config=config).output
    assert not (folder / TARGET_TOKENIZER_DIR).exists()
    assert "decoder" not in json.loads((folder / MODEL_CARD_FILE).read_text())
    model = nlpkit.load_model(str(folder), nlpkit.get_task("translation"))
    assert type(model.network).__name__ == "MarianMTModel" and type(model.tokenizer).__name__ == "MarianTokenizer"


def test_fine_tuning_further_keeps_the_own_decoder_and_records_it(tmp_path, parallel, tiny_encoder):
    from nlpkit.contracts.models import MODEL_CARD_FILE

    options = {"target_vocab_size": 300, "decoder_layers": 1, "max_new_tokens": 4}
    first = nlpkit.finetune("translation", model=str(tiny_encoder), train=str(parallel), output=tmp_path / "first", config=nlpkit.TrainConfig(max_steps=1, batch_size=4, max_length=32, progress=False, save_steps=100, task_options=options)).output
    config = nlpkit.TrainConfig(max_steps=1, batch_size=4, max_length=32, progress=False, save_steps=100, task_options={"decoder_learning_rate": 1e-3})
    second = nlpkit.finetune("translation", model=str(first), train=str(parallel), output=tmp_path / "second", config=config).output
    card = json.loads((second / MODEL_CARD_FILE).read_text())
    assert card["decoder"]["init"] == f"from {first}" and card["decoder"]["layers"] == 1
    assert (second / "target_tokenizer" / "tokenizer.json").read_text() == (first / "target_tokenizer" / "tokenizer.json").read_text()
    assert nlpkit.predict("translation", ["a man walks"], model=str(second))[0].text is not None
