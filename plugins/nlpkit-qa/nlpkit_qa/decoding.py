"""Span decoding: from the model's start/end scores of windows to ranked answers.

For every window the search is exhaustive, not the n-best-starts × n-best-ends
shortcut of `run_qa.py`: every pair ``start ≤ end`` of context tokens with at most
`max_answer_length` tokens is scored ``start_logit + end_logit`` (vectorised as a
band of diagonals), and the window's `n_best` spans are kept. Windows of one
question are then merged (a span seen in two overlapping windows keeps its best
score), and the answer is the highest-scoring span over all windows.

Scores are probabilities over the merged n-best list (a softmax of the span
scores, as `run_qa.py`'s postprocessing). With a `no_answer_threshold` (SQuAD
v2.0-style data), the no-answer score is the lowest ``start+end`` logit at the
[CLS] position over the windows, and the empty answer wins when it beats the best
span by more than the threshold — `run_qa.py`'s rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.tasks import Answer

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats

DEFAULT_MAX_ANSWER_LENGTH = 30
DEFAULT_N_BEST = 20


@dataclass
class Candidates:
    """Scored spans of one question, gathered over its windows."""

    spans: dict[tuple[int, int], float] = field(default_factory=dict)
    null_score: float | None = None

    def add(self, start: int, end: int, score: float) -> None:
        key = (start, end)
        if score > self.spans.get(key, -math.inf):
            self.spans[key] = score

    def add_null(self, score: float) -> None:
        self.null_score = score if self.null_score is None else min(self.null_score, score)


def window_spans(start_logits: Any, end_logits: Any, context_mask: Any, *, max_answer_length: int, n_best: int) -> list[list[tuple[float, int, int]]]:
    """The `n_best` best ``(score, start_token, end_token)`` spans of each window in a batch.

    `start_logits`, `end_logits`: float tensors [batch, length]; `context_mask`: bool
    tensor [batch, length], True on context tokens (the only tokens a span may use)."""
    import torch

    batch, length = start_logits.shape
    width = max(1, min(max_answer_length, length))
    start_logits = start_logits.float()
    end_logits = end_logits.float()
    # band[b, k, i] = start[i] + end[i + k]: the span of k + 1 tokens starting at i
    band = torch.full((batch, width, length), -math.inf)
    for k in range(width):
        valid = context_mask[:, : length - k] & context_mask[:, k:]
        scores = start_logits[:, : length - k] + end_logits[:, k:]
        band[:, k, : length - k] = torch.where(valid, scores, torch.full_like(scores, -math.inf))
    flat = band.reshape(batch, -1)
    top = torch.topk(flat, min(n_best, flat.shape[1]), dim=1)
    out: list[list[tuple[float, int, int]]] = []
    for values, positions in zip(top.values.tolist(), top.indices.tolist()):
        spans = []
        for value, position in zip(values, positions):
            if value == -math.inf:
                break
            k, i = divmod(position, length)
            spans.append((value, i, i + k))
        out.append(spans)
    return out


def rank(candidates: Candidates, context: str, *, top_k: int = 1, n_best: int = DEFAULT_N_BEST, no_answer_threshold: float | None = None) -> list[Answer]:
    """The `top_k` best answers of one question, best first.

    Without a threshold the question is taken to have an answer (SQuAD v1.1); with
    one, the empty answer (``text=""``, ``start=end=0``) comes first when
    ``null_score - best_span_score > no_answer_threshold``."""
    spans = sorted(candidates.spans.items(), key=lambda item: -item[1])[: max(n_best, top_k)]
    use_null = no_answer_threshold is not None and candidates.null_score is not None
    scores = [score for _, score in spans] + ([candidates.null_score] if use_null else [])
    probabilities = _softmax(scores)  # type: ignore[arg-type]
    answers = [_answer(context, start, end, p) for ((start, end), _), p in zip(spans, probabilities)]
    if use_null:
        null = Answer(text="", start=0, end=0, score=probabilities[-1])
        best = spans[0][1] if spans else -math.inf
        if candidates.null_score - best > no_answer_threshold:  # type: ignore[operator]
            answers.insert(0, null)
    if not answers:
        answers = [Answer(text="", start=0, end=0, score=0.0)]
    return answers[:top_k]


def _answer(context: str, start: int, end: int, score: float) -> Answer:
    """The span `context[start:end]`, trimmed of surrounding whitespace."""
    while start < end and context[start].isspace():
        start += 1
    while end > start and context[end - 1].isspace():
        end -= 1
    return Answer(text=context[start:end], start=start, end=end, score=score)


def _softmax(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def answer_questions(
    model: Model,
    questions: Sequence[str],
    contexts: Sequence[str],
    *,
    batch_size: int = 32,
    stats: InferenceStats | None = None,
    progress: bool = False,
    top_k: int = 1,
    n_best: int = DEFAULT_N_BEST,
    max_answer_length: int = DEFAULT_MAX_ANSWER_LENGTH,
    no_answer_threshold: float | None = None,
    max_length: int = 384,
    doc_stride: int = 128,
    max_question_length: int = 64,
) -> list[list[Answer]]:
    """The `top_k` best answers of each question about its context, in input order.

    The model (`Model.span_scores`) yields the windows' start/end scores batch by
    batch, all questions' windows batched together; each batch is decoded as it
    comes, so only the candidates of each question are kept."""
    import torch

    candidates = [Candidates() for _ in questions]
    keep = max(n_best, top_k)
    for batch in model.span_scores(questions, contexts, max_length=max_length, doc_stride=doc_stride, max_question_length=max_question_length, batch_size=batch_size, stats=stats, progress=progress):
        start_logits, end_logits = torch.as_tensor(batch.start_logits).float(), torch.as_tensor(batch.end_logits).float()
        width = start_logits.shape[1]
        mask = torch.tensor([[o is not None for o in offsets] + [False] * (width - len(offsets)) for offsets in batch.offsets])
        spans = window_spans(start_logits, end_logits, mask, max_answer_length=max_answer_length, n_best=keep)
        for row, (pair, offsets, c) in enumerate(zip(batch.pairs, batch.offsets, batch.cls_index)):
            found = candidates[pair]
            for score, s, e in spans[row]:
                found.add(offsets[s][0], offsets[e][1], score)  # type: ignore[index]
            found.add_null(float(start_logits[row, c] + end_logits[row, c]))
    return [rank(found, context, top_k=top_k, n_best=n_best, no_answer_threshold=no_answer_threshold) for found, context in zip(candidates, contexts)]
