"""The backbone matrix: every family of `BACKBONES` on every task head it supports.

Each cell builds a tiny model of the family (its real config and tokenizer classes,
random weights, `nlpkit.testing.backbones`), fine-tunes it a few steps on the task's
shipped sample, predicts, checks what the family's traps would break, saves, loads
and predicts again. The cells are the table's, so the published table is what runs;
cells that do not apply are checked to carry a reason (`test_every_cell_is_tested_or_says_why_not`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import nlpkit
from nlpkit.backends.families import BACKBONES, MATRIX_TASKS, matrix_cells, na_cells
from nlpkit.testing.backbones import TRAP_TEXTS
from nlpkit.testing.conformance import same_record, sample_path

#: A prompt for decoder-only models (their seq2seq cells).
PROMPT = "{source} =>"
GENERATION = {"max_new_tokens": 6}
STEPS = 3


def _decoder_only(folder: Path) -> bool:
    import json

    config = json.loads((folder / "config.json").read_text())
    return not config.get("is_encoder_decoder", False)


def _options(task: str, base: Path) -> dict[str, Any]:
    if MATRIX_TASKS[task] == "seq2seq":
        return {**GENERATION, **({"prompt": PROMPT} if _decoder_only(base) else {})}
    return {}


def _finetune(task: str, base: Path, out: Path, options: dict[str, Any]) -> Any:
    t = nlpkit.get_task(task)
    examples = t.read(sample_path(t))
    config = nlpkit.TrainConfig(epochs=1, max_steps=STEPS, batch_size=4, max_length=96, progress=False, save_steps=10_000, seed=0, task_options=dict(options))
    nlpkit.finetune(t, model=str(base), train=examples, output=out, config=config, overwrite=True)
    return t, examples


def _inputs(task: Any, examples: list[Any]) -> list[Any]:
    if task.name == "ner":
        return [*examples, *task.parse_inputs(TRAP_TEXTS)]
    return list(examples)


@pytest.mark.parametrize(("family", "task_name"), matrix_cells(), ids=[f"{f}-{t}" for f, t in matrix_cells()])
def test_family_fine_tunes_predicts_and_reloads_the_same(family: str, task_name: str, backbone: Any, tmp_path: Path) -> None:
    """Fine-tune, predict (batched = one by one), head checks, save, reload: same records."""
    base = backbone(family)
    options = _options(task_name, base)
    task, examples = _finetune(task_name, base, tmp_path / "model", options)
    model = nlpkit.load_model(str(tmp_path / "model"), task)
    inputs = _inputs(task, examples)
    batched = nlpkit.predict(task, inputs, model=model, batch_size=len(inputs), options=dict(options))
    assert len(batched) == len(inputs)
    one_by_one = nlpkit.predict(task, inputs, model=model, batch_size=1, options=dict(options))
    _assert_same(batched, one_by_one, "batched and one-by-one predictions differ (padding side / pad token)")
    HEAD_CHECKS[task_name](model, task, inputs, batched)

    from nlpkit.models import write_model_card

    again = tmp_path / "resaved"
    files = model.save(again)
    write_model_card(again, task=task, model=model, base_model=str(tmp_path / "model"), files=list(files), extra={"training": {"task_options": {}}})
    reloaded = nlpkit.predict(task, inputs, model=nlpkit.load_model(str(again), task), batch_size=len(inputs), options=dict(options))
    _assert_same(batched, reloaded, "predictions changed after save and reload")


def _assert_same(a: list[Any], b: list[Any], what: str) -> None:
    assert len(a) == len(b)
    for i, (x, y) in enumerate(zip(a, b)):
        assert same_record(x, y, rel_tol=1e-3), f"{what}: input {i + 1}: {x} vs {y}"


# -- head checks ------------------------------------------------------------------------------
def _check_sentiment(model: Any, task: Any, inputs: list[Any], records: list[Any]) -> None:
    for record in records:
        assert record.label in model.labels
        assert math.isclose(sum(record.scores.values()), 1.0, rel_tol=1e-4)


def _forced_logits(network: Any, change: Any) -> Any:
    """A forward hook that rewrites the model's output (`change(kwargs, output)`)."""
    return network.register_forward_hook(lambda module, args, kwargs, output: change(kwargs, output), with_kwargs=True)


def _check_ner(model: Any, task: Any, inputs: list[Any], records: list[Any]) -> None:
    """Pre-split words get the sub-words they have in running text (byte-level BPE: with their
    prefix space); with every word forced to B-<type>, each word is one entity slicing the raw text."""
    from nlpkit.heads.words import encode_words

    words = ["Marta", "works", "for", "Tide", "Labs", "in", "Lisbon"]
    text = " ".join(words)
    ends = [text.index(w) + len(w) for w in words]  # the words are distinct
    running = model.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    in_text: list[list[int]] = [[] for _ in words]
    for token_id, (start, end) in zip(running["input_ids"], running["offset_mapping"]):
        # a token belongs to the word its last character is in; an empty one (a lone 'Ġ' or '▁') to the next word
        in_text[next(w for w, e in enumerate(ends) if (end <= e if end > start else start < e))].append(token_id)
    assert encode_words(model.tokenizer, [words])[0][1:] == in_text[1:]

    b_tag = next(label for label in model.labels if label.startswith("B-"))
    column = model.labels.index(b_tag)

    def force(kwargs: Any, output: Any) -> Any:
        output.logits[...] = 0.0
        output.logits[..., column] = 10.0
        return output

    handle = _forced_logits(model.network, force)
    try:
        forced = nlpkit.predict(task, inputs, model=model, batch_size=4)
    finally:
        handle.remove()
    for example, record in zip(inputs, forced):
        assert [e.text for e in record.entities] == list(example.tokens), f"entities {record.entities} are not the words of {example.text!r}"
        for entity in record.entities:
            assert example.text[entity.start : entity.end] == entity.text


def _check_qa(model: Any, task: Any, inputs: list[Any], records: list[Any]) -> None:
    """Answers slice their context; forcing the classifier token's logits gives no answer
    (the no-answer index is where the family puts its classifier token: last for XLNet)."""
    for example, record in zip(inputs, records):
        assert record.text and example.context[record.start : record.end] == record.text
    import torch

    cls_id = model.tokenizer.cls_token_id

    def force(kwargs: Any, output: Any) -> Any:
        ids = kwargs["input_ids"]
        is_cls = (ids == cls_id) if cls_id is not None else torch.zeros_like(ids, dtype=torch.bool)
        is_cls[~is_cls.any(-1), 0] = True  # rows without a classifier token (T5, mBART, decoders): position 0
        output.start_logits[...] = is_cls.float() * 20.0
        output.end_logits[...] = is_cls.float() * 20.0
        return output
    handle = _forced_logits(model.network, force)
    try:
        forced = nlpkit.predict(task, inputs, model=model, batch_size=4, options={"no_answer_threshold": 0.0})
    finally:
        handle.remove()
    assert all(r.text == "" for r in forced), [r.text for r in forced]


def _check_relations(model: Any, task: Any, inputs: list[Any], records: list[Any]) -> None:
    """The marker tokens are in the vocabulary as single tokens and every encoded pair holds both start markers."""
    from nlpkit_ner.markers import HEAD_OPEN, MARKERS, TAIL_OPEN, marked_words

    from nlpkit.heads.words import encode_focused

    tokenizer = model.tokenizer
    for marker in MARKERS:
        assert tokenizer.tokenize(marker) == [marker]
    head, tail = tokenizer.convert_tokens_to_ids([HEAD_OPEN, TAIL_OPEN])
    example = next(ex for ex in inputs if len(ex.entities or []) >= 2)
    rows = encode_focused(tokenizer, [marked_words(example.sentence.tokens, example.entities[0], example.entities[1])], 96)
    assert rows[0].count(head) == 1 and rows[0].count(tail) == 1


def _check_generation(model: Any, task: Any, inputs: list[Any], records: list[Any]) -> None:
    for record in records:
        assert isinstance(record.text, str)


HEAD_CHECKS = {
    "sentiment": _check_sentiment,
    "ner": _check_ner,
    "qa": _check_qa,
    "relations": _check_relations,
    "summarization": _check_generation,
    "translation": _check_generation,
}


def test_every_cell_is_tested_or_says_why_not() -> None:
    """The table covers every family × task: tested cells run above, the rest give a reason."""
    tested = set(matrix_cells())
    skipped = {(f, t) for f, t, _ in na_cells()}
    assert tested.isdisjoint(skipped)
    assert tested | skipped == {(f, t) for f in BACKBONES for t in MATRIX_TASKS}
    assert all(reason.strip() for _, _, reason in na_cells())
    assert set(HEAD_CHECKS) == set(MATRIX_TASKS)
