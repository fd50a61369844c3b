"""Token classification, the token-classification head's building block.

`TokenClassificationTask` predicts a label per pre-tokenised word through
`Model.tag_words` (any backend), builds training features (first sub-word of each
word labelled, or all of them; long sentences cut into overlapping windows) and
scores per sentence. A task plugin subclasses it and writes `read` (examples with
`tokens`, `tags` and `source`), and, when its records are not plain tags,
`decode` (tags → record) and `tags_of` (record → tags, for scoring): NER turns
IOB2 tags into entity spans.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import TRAIN, TRAIN_PREDICT, Option
from nlpkit.contracts.tasks import Head, Record, Task

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats

__all__ = ["SUBWORD_LABELS", "TOKEN_OPTIONS", "Tags", "TokenClassificationTask"]

SUBWORD_LABELS = ("first", "all")
#: Options every token-classification task has.
TOKEN_OPTIONS: tuple[Option, ...] = (
    Option("subword_labels", str, "first", "label the first sub-word of each word, or all of them (B- becomes I-)", choices=SUBWORD_LABELS, stages=TRAIN),
    Option("window_overlap", int, None, "sub-words shared by consecutive windows of a long sentence (default: a quarter of the window)", stages=TRAIN_PREDICT, minimum=0),
)


@dataclasses.dataclass
class Tags(Record):
    """One label per word, with its probability."""

    tags: list[str]
    scores: list[float]


class TokenClassificationTask(Task):
    """One label per word of pre-tokenised sentences (examples with `tokens`, `tags`, `source`)."""

    head = Head.TOKEN_CLASSIFICATION
    default_metrics: ClassVar[tuple[str, ...]] = ("seqeval",)
    options: ClassVar[tuple[Option, ...]] = TOKEN_OPTIONS

    # records: subclasses with richer records override both ------------------------------
    def decode(self, example: Any, tags: list[str], scores: list[float], **options: Any) -> Record:
        """The record for one sentence's predicted tags and their probabilities (`options`: the
        resolved predict options, for tasks whose decoding has settings)."""
        return Tags(tags=tags, scores=scores)

    def tags_of(self, prediction: Any, example: Any) -> list[str]:
        """The tags a prediction stands for (for scoring)."""
        return list(prediction.tags)

    # data -----------------------------------------------------------------------------
    def label_set(self, examples: Sequence[Any]) -> list[str]:
        """``O`` (when present) then the other tags, sorted."""
        tags = {tag for ex in examples for tag in ex.tags or ()}
        return (["O"] if "O" in tags else []) + sorted(tags - {"O"})

    def check_example_for_scoring(self, example: Any) -> None:
        if example.tags is None:
            raise DataError(example.source, "no gold tags to score against", field="tags")

    # inference ------------------------------------------------------------------------
    def predict(self, model: Model, inputs: Sequence[Any], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False, **options: Any) -> list[Record]:
        options = self.resolve_options("predict", options, model)
        if model.head is not Head.TOKEN_CLASSIFICATION:
            raise NlpkitError(f"{model.source} has a {model.head} head; the {self.name} task needs a token-classification model")
        distributions = model.tag_words([ex.tokens for ex in inputs], window_overlap=options["window_overlap"], batch_size=batch_size, stats=stats, progress=progress)
        labels = list(model.labels or [])
        out = []
        for example, words in zip(inputs, distributions):
            best = [max(range(len(row)), key=row.__getitem__) for row in words]
            out.append(self.decode(example, [labels[k] for k in best], [row[k] for row, k in zip(words, best)], **options))
        return out

    # scoring ---------------------------------------------------------------------------
    def metric_inputs(self, metric: str, predictions: Sequence[Any], examples: Sequence[Any]) -> tuple[list[Any], list[Any], dict[str, Any]]:
        """Predicted and gold tag sequences, one pair per sentence."""
        return [self.tags_of(p, ex) for p, ex in zip(predictions, examples)], [list(ex.tags or ()) for ex in examples], {}

    # training --------------------------------------------------------------------------
    def training_features(self, examples: Sequence[Any], tokenizer: Any, label2id: dict[str, int] | None, max_length: int, **options: Any) -> list[dict[str, Any]]:
        """Windows of sub-word ids labelled at each word's first sub-word (``-100`` elsewhere,
        ignored by the loss), or at all of them with ``subword_labels=all``."""
        from nlpkit.engines.heads.words import encode_words, special_ids, window_ids, windows

        options = self.resolve_options("train", options)
        assert label2id is not None
        mode = options["subword_labels"]
        prefix, suffix = special_ids(tokenizer)
        budget = max_length - len(prefix) - len(suffix)
        features = []
        for example, pieces in zip(examples, encode_words(tokenizer, [ex.tokens for ex in examples])):
            if example.tags is None:
                raise DataError(example.source, "no tags to train on", field="tags")
            for tag in example.tags:
                if tag not in label2id:
                    raise DataError(example.source, f"tag {tag!r} is not one of the model's labels ({', '.join(label2id)})", field="tags")
            for start, end in windows(pieces, budget, options["window_overlap"]):
                ids, firsts = window_ids(pieces, start, end, budget, prefix, suffix)
                labels = [-100] * len(ids)
                last = len(ids) - len(suffix)
                for w, position in zip(range(start, end), firsts):
                    tag = example.tags[w]
                    labels[position] = label2id[tag]
                    if mode == "all":
                        rest = label2id.get("I-" + tag[2:], label2id[tag]) if tag.startswith("B-") else label2id[tag]
                        for q in range(position + 1, min(position + len(pieces[w]), last)):
                            labels[q] = rest
                features.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels})
        return features

    def data_collator(self, tokenizer: Any) -> Any:
        from transformers import DataCollatorForTokenClassification

        return DataCollatorForTokenClassification(tokenizer)
