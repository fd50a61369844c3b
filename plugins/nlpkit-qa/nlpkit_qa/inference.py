"""Batched inference: windows of all questions through the model, then decoding.

Windows are sorted by length and batched across questions (dynamic padding), so
ten questions about one long context cost a few batched forward passes, not ten
separate encodings. Only the model call is timed (`maybe_batch`); span search
runs outside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nlpkit.errors import NlpkitError
from nlpkit.inference import length_sorted_batches, maybe_batch, progress_bar
from nlpkit.tasks import Answer, Head

from nlpkit_qa.decoding import Candidates, rank, window_spans
from nlpkit_qa.windows import build_windows

if TYPE_CHECKING:
    from nlpkit.inference import InferenceStats
    from nlpkit.models import Model


def answer_questions(
    model: Model,
    questions: Sequence[str],
    contexts: Sequence[str],
    *,
    batch_size: int = 32,
    stats: InferenceStats | None = None,
    progress: bool = False,
    top_k: int = 1,
    n_best: int = 20,
    max_answer_length: int = 30,
    no_answer_threshold: float | None = None,
    max_length: int = 384,
    doc_stride: int = 128,
    max_question_length: int = 64,
) -> list[list[Answer]]:
    """The `top_k` best answers of each question about its context, in input order."""
    import torch

    network, tokenizer = _span_model(model)
    max_length = min(max_length, model.max_length)  # type: ignore[attr-defined]
    windows = build_windows(tokenizer, questions, contexts, max_length=max_length, doc_stride=doc_stride, max_question_length=max_question_length)
    encodings: dict[str, list[list[int]]] = {
        "input_ids": [w.input_ids for w in windows],
        "attention_mask": [[1] * len(w.input_ids) for w in windows],
    }
    if windows and windows[0].token_type_ids is not None:
        encodings["token_type_ids"] = [w.token_type_ids or [] for w in windows]
    candidates = [Candidates() for _ in questions]
    keep = max(n_best, top_k)
    remaining = [0] * len(questions)  # windows not yet run, per question
    for w in windows:
        remaining[w.example] += 1
    network.eval()
    with torch.inference_mode(), progress_bar(len(questions), progress, "answer") as bar:
        for indices in length_sorted_batches(encodings["input_ids"], batch_size, key=len):
            batch = model.pad(encodings, indices)  # type: ignore[attr-defined]
            for i in indices:
                remaining[windows[i].example] -= 1
            # a question counts in the batch that runs its last window, so the counts add up to the questions
            finished = len({windows[i].example for i in indices if remaining[windows[i].example] == 0})
            with maybe_batch(stats, finished, int(batch["attention_mask"].sum())):
                output = network(**batch)
            width = batch["input_ids"].shape[1]
            mask = torch.tensor([[o is not None for o in windows[i].offsets] + [False] * (width - len(windows[i].offsets)) for i in indices])
            start_logits, end_logits = output.start_logits.float().cpu(), output.end_logits.float().cpu()
            spans = window_spans(start_logits, end_logits, mask, max_answer_length=max_answer_length, n_best=keep)
            for row, i in enumerate(indices):
                window = windows[i]
                found = candidates[window.example]
                for score, s, e in spans[row]:
                    found.add(window.offsets[s][0], window.offsets[e][1], score)  # type: ignore[index]
                c = window.cls_index
                found.add_null(float(start_logits[row, c] + end_logits[row, c]))
            bar.update(finished)
    return [rank(found, context, top_k=top_k, n_best=n_best, no_answer_threshold=no_answer_threshold) for found, context in zip(candidates, contexts)]


def _span_model(model: Model) -> tuple[Any, Any]:
    network = getattr(model, "network", None)
    tokenizer = getattr(model, "tokenizer", None)
    if network is None or tokenizer is None or not hasattr(model, "pad"):
        raise NlpkitError(f"question answering needs a transformers model, not the {model.backend} backend")
    if model.head is not Head.SPAN_EXTRACTION:
        raise NlpkitError(f"{model.source} has a {model.head} head, not span extraction")
    return network, tokenizer
