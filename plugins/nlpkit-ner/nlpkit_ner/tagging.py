"""Token-classification inference: words in, one (tag, probability) per word out.

Sentences are encoded once, cut into windows when longer than the model input,
sorted by length and padded per batch. Each word is read from its first
sub-word, in the window where it has the most context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nlpkit.inference import length_sorted_batches, maybe_batch, progress_bar

from nlpkit_ner.records import NerExample
from nlpkit_ner.subwords import best_window, encode_words, special_ids, window_ids, windows

if TYPE_CHECKING:
    from nlpkit.inference import InferenceStats


def tag_words(model: Any, sentences: Sequence[NerExample], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False, overlap: int | None = None) -> list[list[tuple[str, float]]]:
    """The most probable tag of each word of each sentence, with its probability."""
    import torch

    tokenizer, network = model.tokenizer, model.network
    prefix, suffix = special_ids(tokenizer)
    budget = model.max_length - len(prefix) - len(suffix)
    pieces = encode_words(tokenizer, [s.tokens for s in sentences])
    rows: list[tuple[int, int, list[int], list[int]]] = []  # sentence, window number, ids, first sub-word positions
    picks: list[list[int]] = []
    starts: list[list[int]] = []
    for i, words in enumerate(pieces):
        ranges = windows(words, budget, overlap) if words else []
        picks.append(best_window(ranges) if ranges else [])
        starts.append([start for start, _ in ranges])
        for k, (start, end) in enumerate(ranges):
            ids, firsts = window_ids(words, start, end, budget, prefix, suffix)
            rows.append((i, k, ids, firsts))
    labels = list(model.labels or [])
    out: list[list[tuple[str, float]]] = [[("O", 1.0)] * len(words) for words in pieces]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(network.parameters()).device
    network.eval()
    with torch.inference_mode(), progress_bar(len(rows), progress, "predict (windows)") as bar:
        for batch in length_sorted_batches(rows, batch_size, key=lambda r: len(r[2])):
            width = max(len(rows[j][2]) for j in batch)
            ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for b, j in enumerate(batch):
                row = rows[j][2]
                ids[b, : len(row)] = torch.tensor(row)
                mask[b, : len(row)] = 1
            with maybe_batch(stats, len(batch), int(mask.sum())):
                logits = network(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
                best_p, best_i = logits.float().softmax(-1).max(-1)
            best_p, best_i = best_p.cpu().tolist(), best_i.cpu().tolist()
            for b, j in enumerate(batch):
                i, k, _, firsts = rows[j]
                first_word = starts[i][k]
                for offset, position in enumerate(firsts):
                    w = first_word + offset
                    if picks[i][w] == k:
                        out[i][w] = (labels[best_i[b][position]], best_p[b][position])
            bar.update(len(batch))
    return out
