"""The core seq2seq path: generation settings, model conventions, batched generation,
warm-started encoder-decoders and training features (tiny models built from configs)."""

from __future__ import annotations

import pytest

from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.tasks import Head
from nlpkit.engines.backends.seq2seq import prepare_for_training, wants_warm_start
from nlpkit.engines.generation import GenerationRequest, GenerationSettings, Seq2SeqExample, Seq2SeqTask, generation_defaults, language_token, t5_translation_prefix
from nlpkit.engines.inference import InferenceStats

WORDS = ["the cat sat on the mat", "a dog ran in the park", "birds sing", "summarize"]
INPUTS = ["the cat sat on the mat .", "birds sing", "a dog ran in the park and the cat sat on the mat", "a dog", "the park"]


pytestmark = pytest.mark.usefixtures("torch_single_thread")


class EchoTask(Seq2SeqTask):
    name = "echo"
    params_key = "summarization"


@pytest.fixture(scope="module")
def t5_model(tmp_path_factory):
    from nlpkit.engines.backends.transformers import TransformersBackend
    from nlpkit.testing import tiny_t5

    folder = tiny_t5(tmp_path_factory.mktemp("t5"), WORDS, task_specific_params={"summarization": {"prefix": "summarize: ", "num_beams": 2, "max_length": 7}})
    return TransformersBackend().load(str(folder), EchoTask())


@pytest.fixture(scope="module")
def gpt2_model(tmp_path_factory):
    from nlpkit.engines.backends.transformers import TransformersBackend
    from nlpkit.testing import tiny_gpt2

    folder = tiny_gpt2(tmp_path_factory.mktemp("gpt2"), WORDS)
    return TransformersBackend().load(str(folder), EchoTask())


# settings ------------------------------------------------------------------------------
def test_strategy_beam_means_four_beams_and_explicit_options_win():
    settings, rest = GenerationSettings.from_options({"strategy": "beam", "length_penalty": "0.8", "prefix": "x"})
    assert settings.num_beams == 4 and settings.do_sample is False and settings.length_penalty == 0.8
    assert rest == {"prefix": "x"}
    assert GenerationSettings.from_options({"strategy": "beam", "num_beams": 2})[0].num_beams == 2


def test_model_defaults_fill_only_unset_settings_and_greedy_drops_beam_defaults():
    defaults = generation_defaults({"num_beams": 4, "max_length": 60, "no_repeat_ngram_size": 3, "prefix": "summarize: "})
    assert defaults == {"num_beams": 4, "no_repeat_ngram_size": 3, "max_new_tokens": 60}
    settings, _ = GenerationSettings.from_options({"max_new_tokens": 10}, defaults)
    assert (settings.num_beams, settings.max_new_tokens) == (4, 10)
    greedy, _ = GenerationSettings.from_options({"strategy": "greedy"}, defaults)
    assert greedy.num_beams == 1


@pytest.mark.parametrize("options", [{"num_beams": "two"}, {"strategy": "fastest"}, {"num_return_sequences": 3}, {"max_new_tokens": 0}])
def test_bad_generation_options_are_clear_errors(options):
    with pytest.raises(NlpkitError):
        GenerationSettings.from_options(options)


# conventions -----------------------------------------------------------------------------
@pytest.mark.parametrize("tokens, code, expected", [
    (["en_XX", "de_DE", "fr_XX"], "de", "de_DE"),
    (["eng_Latn", "deu_Latn"], "de", "deu_Latn"),
    (["__en__", "__de__"], "de", "__de__"),
    (["en_XX", "de_DE"], "en_XX", "en_XX"),
    ([], "de", None),
])
def test_language_codes_map_to_the_models_language_tokens(tokens, code, expected):
    assert language_token(tokens, code) == expected


def test_unknown_language_codes_are_refused_naming_the_known_ones():
    with pytest.raises(NlpkitError, match="unknown language code 'xx'.*en_XX"):
        language_token(["en_XX", "de_DE"], "xx")
    with pytest.raises(NlpkitError, match="unknown language code 'qq'"):
        language_token([], "qq")


def test_t5_gets_its_translation_prefix_and_other_models_none(t5_model):
    assert t5_translation_prefix(t5_model.model_family, "en", "de") == "translate English to German: "
    assert t5_translation_prefix(t5_model.model_family, "en", "zz") is None


def test_task_prefix_and_generation_defaults_come_from_the_model_config(t5_model):
    prefix, defaults, _ = EchoTask().conventions(t5_model, {})
    assert prefix == "summarize: " and defaults == {"num_beams": 2, "max_new_tokens": 7}
    assert EchoTask().conventions(t5_model, {"prefix": ""})[0] == ""


def test_warm_start_is_chosen_for_encoder_only_checkpoints():
    from transformers import BertConfig, GPT2Config, T5Config

    assert wants_warm_start(BertConfig(architectures=["BertModel"]))
    assert not wants_warm_start(BertConfig(architectures=["BertLMHeadModel"]))
    assert not wants_warm_start(GPT2Config())
    assert not wants_warm_start(T5Config())
    assert not wants_warm_start(BertConfig(), option=False)


# generation ------------------------------------------------------------------------------
def test_batched_greedy_generation_matches_one_by_one_and_keeps_input_order(t5_model):
    request = GenerationRequest(GenerationSettings(max_new_tokens=6, num_beams=1))
    stats = InferenceStats()
    batched = t5_model.generate(INPUTS, request, batch_size=3, stats=stats)
    single = [t5_model.generate([text], request, batch_size=1)[0] for text in INPUTS]
    assert [o.texts for o in batched] == [o.texts for o in single]
    assert stats.batch_examples == [3, 2]


def test_beam_search_returns_the_requested_number_of_sequences(t5_model):
    records = EchoTask().predict(t5_model, [Seq2SeqExample(text=t) for t in INPUTS[:2]], num_beams=3, num_return_sequences=2, max_new_tokens=4, scores=True)
    assert all(len(r.candidates) == 2 and r.text == r.candidates[0] for r in records)
    assert all(isinstance(r.score, float) and r.score <= 0 for r in records)


def test_scores_are_computed_only_when_asked_for(t5_model):
    inputs = [Seq2SeqExample(text=t) for t in INPUTS[:2]]
    assert [r.score for r in EchoTask().predict(t5_model, inputs, max_new_tokens=3)] == [None, None]
    assert all(isinstance(r.score, float) and r.score <= 0 for r in EchoTask().predict(t5_model, inputs, max_new_tokens=3, num_beams=1, scores=True))


def test_sampling_with_a_seed_is_reproducible(t5_model):
    inputs = [Seq2SeqExample(text=t) for t in INPUTS]
    first = EchoTask().predict(t5_model, inputs, do_sample=True, seed=3, max_new_tokens=6, num_beams=1)
    again = EchoTask().predict(t5_model, inputs, do_sample=True, seed=3, max_new_tokens=6, num_beams=1)
    assert [r.text for r in first] == [r.text for r in again]


def test_long_inputs_are_truncated_and_marked(t5_model, capsys):
    records = EchoTask().predict(t5_model, [Seq2SeqExample(text=INPUTS[2]), Seq2SeqExample(text="birds")], max_source_length=5, max_new_tokens=3)
    assert records[0].truncated is True and records[1].truncated is None
    assert "1 of 2 inputs were longer than 5 tokens" in capsys.readouterr().err


def test_decoder_only_models_need_a_prompt_format(gpt2_model):
    inputs = [Seq2SeqExample(text=t) for t in INPUTS]
    with pytest.raises(NlpkitError, match="decoder-only.*prompt"):
        EchoTask().predict(gpt2_model, inputs)
    records = EchoTask().predict(gpt2_model, inputs, prompt="{source} TL;DR:", max_new_tokens=4, batch_size=2)
    single = [EchoTask().predict(gpt2_model, [ex], prompt="{source} TL;DR:", max_new_tokens=4)[0] for ex in inputs]
    assert [r.text for r in records] == [r.text for r in single]


def test_empty_inputs_and_unknown_options_are_refused(t5_model):
    with pytest.raises(NlpkitError, match="empty source text"):
        EchoTask().predict(t5_model, [Seq2SeqExample(text="  ", source="in.txt:3")])
    with pytest.raises(NlpkitError, match="no option 'beams'"):
        EchoTask().predict(t5_model, [Seq2SeqExample(text="birds")], beams=3)


# warm start and training -------------------------------------------------------------------
def test_an_encoder_checkpoint_loads_as_a_warm_started_encoder_decoder(tmp_path):
    from nlpkit.engines.backends.transformers import TransformersBackend
    from nlpkit.testing import tiny_bert

    folder = tiny_bert(tmp_path / "bert", WORDS)
    model = TransformersBackend().load(str(folder), EchoTask())
    network = model.network
    assert type(network).__name__ == "EncoderDecoderModel"
    assert network.config.decoder_start_token_id == model.tokenizer.cls_token_id
    assert network.generation_config.eos_token_id == model.tokenizer.sep_token_id
    assert network.config.decoder.is_decoder and network.config.decoder.add_cross_attention
    assert len(model.generate(INPUTS[:2], GenerationRequest(GenerationSettings(max_new_tokens=3)))) == 2


def test_a_decoder_gets_its_own_vocabulary_only_where_the_task_or_the_options_ask():
    from nlpkit.engines.backends.transformers import _decoder_options
    from nlpkit.engines.training import TrainConfig

    examples = [Seq2SeqExample(text="the cat", targets=["Die Katze"])]
    assert "target_tokenizer" not in _decoder_options(EchoTask(), examples, TrainConfig())  # same-language tasks share the encoder's
    asked = _decoder_options(EchoTask(), examples, TrainConfig(task_options={"target_vocab_size": 50, "decoder_layers": 2}))
    assert asked["decoder_layers"] == 2
    assert asked["target_tokenizer"]().decode([*asked["target_tokenizer"]()("Die Katze")["input_ids"]], skip_special_tokens=True) == "Die Katze"


def test_training_features_put_targets_in_labels_and_the_collator_pads_them_with_ignore(t5_model):
    task = EchoTask()
    task.prepare_model(t5_model, t5_model.tokenizer)
    examples = [Seq2SeqExample(text="the cat sat", targets=["cat", "a cat sat"]), Seq2SeqExample(text="birds sing", targets=["birds sing on the mat"])]
    features = task.training_features(examples, t5_model.tokenizer, None, 32)
    assert len(features) == 2
    prefixed = t5_model.tokenizer("summarize: the cat sat")["input_ids"]
    assert features[0]["input_ids"] == prefixed
    assert features[0]["labels"] == t5_model.tokenizer(text_target="cat")["input_ids"]
    assert len(task.training_features(examples, t5_model.tokenizer, None, 32, all_targets=True)) == 3
    batch = task.data_collator(t5_model.tokenizer)(features)
    assert (batch["labels"][0] == -100).sum() == len(features[1]["labels"]) - len(features[0]["labels"])


def test_decoder_only_training_features_mask_the_prompt_out_of_the_loss(gpt2_model):
    task = EchoTask()
    prepare_for_training(gpt2_model)  # what the transformers backend does before fine-tuning
    task.prepare_model(gpt2_model, gpt2_model.tokenizer)
    assert gpt2_model.tokenizer.pad_token is not None
    [feature] = task.training_features([Seq2SeqExample(text="birds sing", targets=["birds"])], gpt2_model.tokenizer, None, 32, prompt="{source} TL;DR:")
    prompt_len = len(gpt2_model.tokenizer("birds sing TL;DR:")["input_ids"])
    assert feature["labels"][:prompt_len] == [-100] * prompt_len
    assert feature["labels"][prompt_len:] == feature["input_ids"][prompt_len:]


def test_the_seq2seq_head_is_declared():
    assert EchoTask.head is Head.SEQ2SEQ


def test_a_fine_tuned_decoder_only_model_keeps_its_prompt_format(tmp_path):
    import nlpkit
    from nlpkit.testing import tiny_gpt2

    base = tiny_gpt2(tmp_path / "gpt2", WORDS)
    train = [Seq2SeqExample(text=t, targets=[t.split()[0]]) for t in INPUTS]
    config = nlpkit.TrainConfig(max_steps=2, batch_size=2, max_length=32, progress=False, task_options={"prompt": "{source} TL;DR:", "max_new_tokens": 3})
    result = nlpkit.finetune(EchoTask(), model=str(base), train=train, output=tmp_path / "out", config=config)
    records = nlpkit.predict(EchoTask(), [Seq2SeqExample(text="birds sing")], model=str(result.output))
    assert len(records) == 1 and isinstance(records[0].text, str)
