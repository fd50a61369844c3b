"""Backbone families: the supported-backbone table, and the conventions that differ by family.

`BACKBONES` is the one table of which model family is tested on which task head.
The backbone matrix test (``tests/backbones/test_matrix.py``) is parametrised from
it, and ``nlpkit backbones`` / docs/backbones.md print it, so the published table
cannot drift from what CI runs. A cell is either tested (it runs in the matrix) or
not applicable, with the reason.

The conventions below are read from the model's config and tokenizer, never from
its name: which side to pad (XLNet and decoder-only models pad on the left; XLNet's
classifier token is last), which token pads when the tokenizer has none (GPT-2,
Llama), whether pre-split words need a prefix space (byte-level BPE: RoBERTa, GPT-2,
BART). The transformers backend and the head building blocks call them.

Cheap to import: nothing heavy at module level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The matrix columns: a task of each head (relations: sequence classification with entity markers).
MATRIX_TASKS: dict[str, str] = {
    "sentiment": "sequence-classification",
    "ner": "token-classification",
    "qa": "span-extraction",
    "relations": "sequence-classification + entity markers",
    "summarization": "seq2seq",
    "translation": "seq2seq",
}

_NO_RELATIONS_ENC_DEC = "marker pooling reads the encoder states at [E1]/[E2]; this family's classifier reads its decoder's end token"
_NO_ENCODER_HEADS = "transformers has no {what} head for this family"
_ENCODER_ONLY = "encoder-only, and not one nlpkit warm-starts an encoder-decoder (BERT2BERT) from: {families}"


@dataclass(frozen=True)
class Backbone:
    """One family of the matrix: how its tiny model is built and which tasks do not apply."""

    family: str
    #: What users call it, and the checkpoints it stands for.
    title: str
    #: ``config.model_type`` of the family (what loading dispatches on).
    model_type: str
    #: Kind of tokenizer the family ships.
    tokenizer: str
    #: Matrix task → why it does not apply. Every other matrix task is tested.
    not_applicable: dict[str, str] = field(default_factory=dict)

    def tested(self, task: str) -> bool:
        return task in MATRIX_TASKS and task not in self.not_applicable

    def cell(self, task: str) -> str:
        """"tested", or "n/a: <reason>"."""
        return "tested" if self.tested(task) else f"n/a: {self.not_applicable[task]}"


def _encoder(family: str, title: str, model_type: str, tokenizer: str) -> Backbone:
    """An encoder-only family: seq2seq applies when nlpkit warm-starts BERT2BERT from it."""
    from nlpkit.backends.seq2seq import ENCODER_FAMILIES

    reason = _ENCODER_ONLY.format(families=", ".join(sorted(ENCODER_FAMILIES)))
    na = {} if model_type in ENCODER_FAMILIES else {"summarization": reason, "translation": reason}
    return Backbone(family, title, model_type, tokenizer, na)


def _encoder_decoder(family: str, title: str, model_type: str, tokenizer: str, *, token_classification: bool) -> Backbone:
    na = {"relations": _NO_RELATIONS_ENC_DEC}
    if not token_classification:
        na["ner"] = _NO_ENCODER_HEADS.format(what="token-classification")
    return Backbone(family, title, model_type, tokenizer, na)


BACKBONES: dict[str, Backbone] = {
    b.family: b
    for b in (
        _encoder("bert", "BERT (MiniLM, bert-base…)", "bert", "WordPiece"),
        _encoder("distilbert", "DistilBERT", "distilbert", "WordPiece"),
        _encoder("electra", "ELECTRA (discriminator)", "electra", "WordPiece"),
        _encoder("albert", "ALBERT", "albert", "sentencepiece Unigram"),
        _encoder("roberta", "RoBERTa", "roberta", "byte-level BPE"),
        _encoder("xlm-roberta", "XLM-RoBERTa", "xlm-roberta", "sentencepiece Unigram"),
        _encoder("deberta-v2", "DeBERTa-v2 / v3", "deberta-v2", "sentencepiece Unigram"),
        _encoder("xlnet", "XLNet (pads left, classifier token last)", "xlnet", "sentencepiece Unigram"),
        _encoder_decoder("t5", "T5 / mT5 (no CLS token)", "t5", "sentencepiece Unigram", token_classification=True),
        _encoder_decoder("bart", "BART", "bart", "byte-level BPE", token_classification=False),
        _encoder_decoder("mbart", "mBART (language codes)", "mbart", "sentencepiece Unigram", token_classification=False),
        Backbone(
            "marian", "Marian (opus-mt)", "marian", "sentencepiece (slow tokenizer, no offsets)",
            {task: _NO_ENCODER_HEADS.format(what=head) for task, head in (("sentiment", "sequence-classification"), ("ner", "token-classification"), ("qa", "question-answering"), ("relations", "sequence-classification"))},
        ),
        Backbone("gpt2", "GPT-2 (no pad token)", "gpt2", "byte-level BPE"),
        Backbone("llama", "Llama-style decoders", "llama", "sentencepiece BPE, byte fallback"),
    )
}
"""Family → `Backbone`: the supported-backbone table (the matrix test's parameters, `nlpkit backbones`, docs/backbones.md)."""


def matrix_cells() -> list[tuple[str, str]]:
    """Every tested (family, task) cell, the matrix test's parameters."""
    return [(f, t) for f, b in BACKBONES.items() for t in MATRIX_TASKS if b.tested(t)]


def na_cells() -> list[tuple[str, str, str]]:
    """Every (family, task, reason) cell that does not apply."""
    return [(f, t, b.not_applicable[t]) for f, b in BACKBONES.items() for t in MATRIX_TASKS if not b.tested(t)]


def support_table() -> list[dict[str, Any]]:
    """The family × task table as rows (what ``nlpkit backbones --json`` prints)."""
    return [
        {"family": b.family, "title": b.title, "model_type": b.model_type, "tokenizer": b.tokenizer, "tasks": {t: b.cell(t) for t in MATRIX_TASKS}}
        for b in BACKBONES.values()
    ]


def support_markdown() -> str:
    """The table as Markdown: ✓ tested, — not applicable (reasons listed under it)."""
    lines = ["| family | tokenizer | " + " | ".join(f"{t} ({h})" for t, h in MATRIX_TASKS.items()) + " |", "|" + "---|" * (len(MATRIX_TASKS) + 2)]
    for b in BACKBONES.values():
        lines.append(f"| {b.title} | {b.tokenizer} | " + " | ".join("✓" if b.tested(t) else "—" for t in MATRIX_TASKS) + " |")
    lines += ["", "Not applicable:", ""]
    lines += [f"- {family} × {task}: {reason}" for family, task, reason in na_cells()]
    return "\n".join(lines) + "\n"


# -- conventions driven by config and tokenizer ------------------------------------------------
def padding_left(tokenizer: Any) -> bool:
    """True when the family pads on the left (XLNet, whose classifier reads the last
    position; decoder-only models): the tokenizer's own `padding_side` says so."""
    return getattr(tokenizer, "padding_side", "right") == "left"


def pad_token_id(tokenizer: Any) -> int:
    """The id that pads: the tokenizer's pad token, else its end token (GPT-2, Llama have no pad)."""
    for candidate in (tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id):
        if candidate is not None:
            return int(candidate)
    return 0


def question_first(tokenizer: Any) -> bool:
    """Whether a question goes before its context in a span-extraction window.

    `run_qa.py` puts the context first whenever the tokenizer pads on the left, for
    XLNet, whose ``<cls>`` (the no-answer position) comes last. Llama-style decoders
    also pad on the left but have no classifier token: the no-answer position is then
    the first token, which must be a question token, not a context token a span could
    start at. So: context first only for a left-padding tokenizer *with* a classifier token."""
    return not (padding_left(tokenizer) and getattr(tokenizer, "cls_token_id", None) is not None)


def pad_rows(rows: list[list[int]], fill: int, width: int, *, left: bool) -> list[list[int]]:
    """`rows` padded with `fill` to `width`, on the left or on the right."""
    return [[fill] * (width - len(r)) + r if left else r + [fill] * (width - len(r)) for r in rows]


def ensure_pad_token(tokenizer: Any, network: Any) -> None:
    """Give a tokenizer without a pad token (GPT-2, Llama) its end token as pad, and set
    ``pad_token_id`` on the config: their sequence classifiers find each row's last real
    token through it, and refuse batches of more than one row without it."""
    if tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
        tokenizer.pad_token = tokenizer.eos_token
    if getattr(network.config, "pad_token_id", None) is None and tokenizer.pad_token_id is not None:
        network.config.pad_token_id = tokenizer.pad_token_id


def words_tokenizer(tokenizer: Any) -> Any:
    """The tokenizer to encode pre-split words with (``is_split_into_words``: NER, relations).

    Byte-level BPE (RoBERTa, GPT-2, BART) reads each pre-split word as if it began
    the text: "works" becomes ``w`` + ``orks`` instead of the ``Ġworks`` it is in running
    text and in pre-training, silently (transformers 5 no longer refuses it). For such a
    tokenizer this returns a copy whose byte-level pre-tokenizer puts the space before
    each word (``add_prefix_space``); any other tokenizer is returned as it is. The copy
    is made once per tokenizer (again when tokens were added since)."""
    size = len(tokenizer)  # tokens added later (relation markers) must reach the copy too
    cached = getattr(tokenizer, "_nlpkit_words_tokenizer", None)
    if cached is not None and cached[0] == size:
        return cached[1]
    result = tokenizer
    pre = getattr(getattr(tokenizer, "backend_tokenizer", None), "pre_tokenizer", None)
    if _byte_level(pre) is not None and not _byte_level(pre).add_prefix_space:
        import copy

        result = copy.deepcopy(tokenizer)
        _byte_level(result.backend_tokenizer.pre_tokenizer).add_prefix_space = True
    try:
        tokenizer._nlpkit_words_tokenizer = (size, result)
    except AttributeError:  # a tokenizer that refuses new attributes: copy each time
        pass
    return result


def _byte_level(pre_tokenizer: Any) -> Any:
    """The ByteLevel part of a `tokenizers` pre-tokenizer (itself, or inside a Sequence), else None."""
    if pre_tokenizer is None:
        return None
    from tokenizers import pre_tokenizers

    if isinstance(pre_tokenizer, pre_tokenizers.ByteLevel):
        return pre_tokenizer
    if isinstance(pre_tokenizer, pre_tokenizers.Sequence):
        try:
            parts = [pre_tokenizer[i] for i in range(len(pre_tokenizer))]  # type: ignore[arg-type]
        except (TypeError, IndexError):
            return None
        return next((p for p in parts if isinstance(p, pre_tokenizers.ByteLevel)), None)
    return None


def classify_pooled(network: Any, pooled: Any) -> Any:
    """Logits of `network`'s own sequence-classification layers applied to one pooled vector
    per row (`pooled`: [batch, hidden]), whatever layout the family's head has:

    - a linear ``classifier`` (BERT, ALBERT; DeBERTa after its ``pooler``, DistilBERT after its ``pre_classifier``);
    - a ``classifier`` module that reads position 0 of a sequence (RoBERTa, XLM-R, ELECTRA);
    - XLNet's ``sequence_summary`` (which reads the *last* position) then ``logits_proj``;
    - a linear ``score`` (decoder-only models: GPT-2, Llama).

    Used by pooling that replaces the head's own ([CLS]) position: mean pooling,
    entity-marker pooling. The layout is read from the modules, not from a model name."""
    import torch

    summary, projection = getattr(network, "sequence_summary", None), getattr(network, "logits_proj", None)
    if summary is not None and projection is not None:  # XLNet: a one-position sequence is its own last position
        return projection(summary(pooled[:, None, :]))
    classifier = getattr(network, "classifier", None)
    score = getattr(network, "score", None)
    if classifier is None and isinstance(score, torch.nn.Linear):  # GPT-2, Llama: one linear layer
        return score(pooled)
    if classifier is None:
        from nlpkit.errors import NlpkitError

        raise NlpkitError(f"{type(network).__name__} has no classifier layer that takes a pooled vector (mean or entity-marker pooling)")
    context_pooler = getattr(network, "pooler", None)
    if context_pooler is not None and classifier is not None:  # DeBERTa: a dense pooler over position 0
        pooled = context_pooler(pooled[:, None, :])
    if isinstance(classifier, torch.nn.Linear):
        dropout = getattr(network, "dropout", None)
        pre = getattr(network, "pre_classifier", None)
        if pre is not None:  # DistilBERT: dense + ReLU before the classifier
            pooled = torch.nn.functional.relu(pre(pooled))
        return classifier(dropout(pooled) if dropout is not None else pooled)
    return classifier(pooled[:, None, :])  # RoBERTa-style heads read position 0 of a sequence


__all__ = [
    "BACKBONES",
    "MATRIX_TASKS",
    "Backbone",
    "classify_pooled",
    "ensure_pad_token",
    "matrix_cells",
    "na_cells",
    "pad_rows",
    "pad_token_id",
    "padding_left",
    "question_first",
    "support_markdown",
    "support_table",
    "words_tokenizer",
]


if __name__ == "__main__":  # regenerate the table of docs/backbones.md: python -m nlpkit.backends.families
    print(support_markdown(), end="")
