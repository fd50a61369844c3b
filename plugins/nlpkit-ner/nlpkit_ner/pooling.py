"""Entity-marker pooling: classify a pair from the encoder states at its two start markers.

A sequence-classification model reads the `[CLS]` state by default, which learns a
pair's relation slowly (it must first learn where the markers are). Reading the
states of `[E1]` and `[E2]` instead (the "entity start" representation of Soares et
al. 2019 / Zhou & Chen 2021) learns far faster. The pooled vector (the mean of the
two states) has the encoder's width, so the model's own classifier layer takes it
and the saved folder stays a plain `AutoModelForSequenceClassification` checkpoint.
"""

from __future__ import annotations

from typing import Any

from nlpkit_ner.markers import HEAD_OPEN, TAIL_OPEN


def marker_ids(tokenizer: Any) -> tuple[int, int]:
    return tuple(tokenizer.convert_tokens_to_ids([HEAD_OPEN, TAIL_OPEN]))  # type: ignore[return-value]


def marker_logits(network: Any, input_ids: Any, attention_mask: Any, markers: tuple[int, int]) -> Any:
    """Logits from the mean of the encoder states at the first `[E1]` and `[E2]` of each row
    (a row without a marker falls back to position 0)."""
    import torch

    out = network.base_model(input_ids=input_ids, attention_mask=attention_mask)
    hidden = out.last_hidden_state if hasattr(out, "last_hidden_state") else out[0]
    rows = torch.arange(hidden.size(0), device=hidden.device)
    head = (input_ids == markers[0]).int().argmax(-1)
    tail = (input_ids == markers[1]).int().argmax(-1)
    pooled = (hidden[rows, head] + hidden[rows, tail]) / 2
    from nlpkit.backends.families import classify_pooled

    return classify_pooled(network, pooled)  # the family's own head layers, whatever their layout


def use_marker_pooling(model: Any) -> None:
    """Make `model.network`'s forward (what the Trainer calls) pool at the markers."""
    import torch
    from transformers.modeling_outputs import SequenceClassifierOutput

    network, markers = model.network, marker_ids(model.tokenizer)

    def forward(input_ids: Any = None, attention_mask: Any = None, labels: Any = None, **_: Any) -> Any:
        logits = marker_logits(network, input_ids, attention_mask, markers)
        loss = torch.nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)

    network.forward = forward
