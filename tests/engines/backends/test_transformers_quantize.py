"""The transformers backend's `quantize` option: torch dynamic int8 quantization at predict time."""

from __future__ import annotations

import pytest

import nlpkit
from nlpkit.contracts.errors import NlpkitError
from nlpkit.testing import SENTIMENT_FIXTURE, tiny_bert

TEXTS = [text for text, _ in SENTIMENT_FIXTURE]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    return tiny_bert(tmp_path_factory.mktemp("q") / "bert", TEXTS, head="sequence-classification", labels=["negative", "positive"], seed=1)


def test_quantize_int8_makes_the_encoder_linear_layers_int8_and_keeps_scores_close(classifier):
    import torch

    task = nlpkit.get_task("sentiment")
    fp32 = nlpkit.predict(task, TEXTS, model=str(classifier), device="cpu", allow_untrained_head=True)
    int8 = nlpkit.predict(task, TEXTS, model=str(classifier), device="cpu", options={"quantize": "int8"}, allow_untrained_head=True)
    assert max(abs(a.scores["positive"] - b.scores["positive"]) for a, b in zip(fp32, int8)) < 0.01  # measured: below 1e-3 here
    model = nlpkit.load_model(str(classifier), task, device="cpu", backend_options={"quantize": "int8"})
    layer = model.network.base_model.encoder.layer[0].attention.self.query
    from nlpkit.engines.backends.quantization import full_range_supported

    assert isinstance(layer, torch.ao.nn.quantized.dynamic.Linear)
    assert isinstance(model.network.classifier, torch.nn.Linear)  # the head stays fp32
    assert model.meta["quantize"] == "int8"
    assert model.meta["activation_bits"] == (8 if full_range_supported() else 7)


def test_a_misspelt_backend_option_gets_a_did_you_mean(classifier):
    with pytest.raises(NlpkitError, match="no option 'quantise'; did you mean 'quantize'"):
        nlpkit.predict("sentiment", TEXTS, model=str(classifier), options={"quantise": "int8"})


def test_an_unknown_quantization_is_refused_with_the_choices(classifier):
    with pytest.raises(NlpkitError, match="must be one of int8"):
        nlpkit.predict("sentiment", TEXTS, model=str(classifier), options={"quantize": "int4"})


def test_a_quantized_model_refuses_half_precision(classifier):
    with pytest.raises(NlpkitError, match="CPU with fp32 activations only"):
        nlpkit.predict("sentiment", TEXTS, model=str(classifier), device="cpu", precision="bf16", options={"quantize": "int8"}, allow_untrained_head=True)


def test_fine_tuning_refuses_quantize_and_says_when_it_applies(classifier, tmp_path):
    config = nlpkit.TrainConfig(max_steps=1, progress=False, backend_options={"quantize": "int8"})
    with pytest.raises(NlpkitError, match="quantize applies to predict and evaluate"):
        nlpkit.finetune("sentiment", model=str(classifier), train=[nlpkit.contracts.tasks.TextExample(t, l) for t, l in SENTIMENT_FIXTURE], output=tmp_path / "out", config=config)
