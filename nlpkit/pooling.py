"""Pool a sequence classifier the way its checkpoint (or its task) needs.

Marker pooling (relations): a pair's relation is read from the encoder states at
its two start markers (the "entity start" representation of Soares et al. 2019 /
Zhou & Chen 2021), which learns far faster than the `[CLS]` state; the pooled
vector goes through the model's own classifier, so a saved folder stays a plain
`AutoModelForSequenceClassification` checkpoint.

Mean pooling:

`AutoModelForSequenceClassification` reads the `[CLS]` state. Sentence-transformers
checkpoints (all-MiniLM-L6-v2 and friends) were trained with *mean* pooling and
say so in ``1_Pooling/config.json``; their `[CLS]` state carries little, so a
classifier on it learns slowly from small data. For such checkpoints nlpkit
classifies the attention-masked mean of the token states instead, through the
model's own classifier layer, so the saved folder stays a plain checkpoint;
``nlpkit.json`` records ``"pooling": "mean"`` and loading re-applies it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlpkit.backends.families import classify_pooled  # the family's own head layers over a pooled vector

POOLING_CONFIG = "1_Pooling/config.json"
POOLINGS = ("cls", "mean")


def checkpoint_pooling(source: str) -> str | None:
    """"mean" when the checkpoint declares sentence-transformers mean pooling, else None."""
    folder = Path(source)
    if folder.is_dir():
        path = folder / POOLING_CONFIG
    else:  # a hub id: the small config file, if the hub is reachable
        try:
            from huggingface_hub import hf_hub_download

            path = Path(hf_hub_download(source, POOLING_CONFIG))
        except Exception:
            return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return "mean" if config.get("pooling_mode_mean_tokens") else None


def mean_pooled_logits(network: Any, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
    """Logits of the model's classifier applied to the masked mean of the encoder states."""
    inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
    if token_type_ids is not None:
        inputs["token_type_ids"] = token_type_ids
    hidden = network.base_model(**inputs)[0]
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
    return classify_pooled(network, pooled)


def use_mean_pooling(network: Any) -> None:
    """Make `network`'s forward (what the Trainer and `classify` call) pool by mean."""
    import torch
    from transformers.modeling_outputs import SequenceClassifierOutput

    def forward(input_ids: Any = None, attention_mask: Any = None, token_type_ids: Any = None, labels: Any = None, **_: Any) -> Any:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        logits = mean_pooled_logits(network, input_ids, attention_mask, token_type_ids)
        loss = None
        if labels is not None:
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))
        return SequenceClassifierOutput(loss=loss, logits=logits)

    network.forward = forward


def marker_positions(input_ids: Any, markers: tuple[int, int]) -> tuple[Any, Any]:
    """Per row, the position of the first of each of the two `markers` token ids (0 when absent).
    Takes torch tensors or numpy arrays (an exported model finds them outside its graph)."""

    def first(token: int) -> Any:
        found = input_ids == token
        return (found.astype("int64") if hasattr(found, "astype") else found.int()).argmax(-1)

    return first(markers[0]), first(markers[1])


def logits_at(network: Any, input_ids: Any, attention_mask: Any, head: Any, tail: Any) -> Any:
    """Logits of the model's classifier applied to the mean of the encoder states at positions
    `head` and `tail` (one each per row): marker pooling with the positions given, the form
    an exported graph takes (`marker_logits` finds the positions itself)."""
    import torch

    out = network.base_model(input_ids=input_ids, attention_mask=attention_mask)
    hidden = out.last_hidden_state if hasattr(out, "last_hidden_state") else out[0]
    rows = torch.arange(hidden.size(0), device=hidden.device)
    return classify_pooled(network, (hidden[rows, head] + hidden[rows, tail]) / 2)


def marker_logits(network: Any, input_ids: Any, attention_mask: Any, markers: tuple[int, int]) -> Any:
    """Logits from the mean of the encoder states at the first of each of the two `markers`
    token ids in each row (a row without a marker falls back to position 0)."""
    head, tail = marker_positions(input_ids, markers)
    return logits_at(network, input_ids, attention_mask, head, tail)


def use_marker_pooling(network: Any, markers: tuple[int, int]) -> None:
    """Make `network`'s forward (what the Trainer calls) pool at the two marker token ids."""
    import torch
    from transformers.modeling_outputs import SequenceClassifierOutput

    def forward(input_ids: Any = None, attention_mask: Any = None, labels: Any = None, **_: Any) -> Any:
        logits = marker_logits(network, input_ids, attention_mask, markers)
        loss = torch.nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)

    network.forward = forward
