"""The `ner` task: typed entity spans with character offsets, from a token classifier."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import READ, TRAIN, TRAIN_PREDICT, Option
from nlpkit.contracts.tasks import Head, Task, _require_text
from nlpkit_ner.records import Entities, NerExample
from nlpkit_ner.tags import SCHEMES

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats

SUBWORD_LABELS = ("first", "all")


class NerTask(Task):
    """Named-entity recognition with IOB2 tags on words.

    Reads CoNLL column files (`scheme="iob1"` converts CoNLL-2003), JSON lines with
    character-offset spans and the CoNLL04 / ADE JSON. Training labels the first
    sub-word of each word (``-O subword_labels=all`` labels the rest too, `B-` → `I-`);
    long sentences become overlapping windows (``-O window_overlap=N`` sub-words)."""

    name = "ner"
    head = Head.TOKEN_CLASSIFICATION
    sample = "samples/ner.conll"  # tiny labelled file for nlpkit.testing.check_plugin
    description = "named entities: typed spans with character offsets (CoNLL-2003, WNUT-17, …)"
    default_metrics: ClassVar[tuple[str, ...]] = ("seqeval",)
    default_dataset = "conll2003"
    formats: ClassVar[tuple[str, ...]] = ("CoNLL columns (IOB1/IOB2)", "JSON lines with character spans", "CoNLL04/ADE JSON", "plain text (predict)")
    options: ClassVar[tuple[Option, ...]] = (
        Option("scheme", str, None, "tag scheme of CoNLL files (default: guessed; CoNLL-2003 is iob1)", choices=SCHEMES, stages=READ),
        Option("subword_labels", str, "first", "label the first sub-word of each word, or all of them (B- becomes I-)", choices=SUBWORD_LABELS, stages=TRAIN),
        Option("window_overlap", int, None, "sub-words shared by consecutive windows of a long sentence (default: a quarter of the window)", stages=TRAIN_PREDICT, minimum=0),
    )

    # data --------------------------------------------------------------------
    def read(self, path: str | Path, *, scheme: str | None = None, types: Sequence[str] | None = None, require_labels: bool = True, **_: Any) -> list[NerExample]:
        """CoNLL columns (any suffix), `.jsonl` with character spans, or CoNLL04/ADE `.json`."""
        from nlpkit_ner.jsonformats import is_span_json, ner_examples, read_span_json, read_span_jsonl

        suffix = Path(path).suffix.lower()
        if suffix in {".jsonl", ".ndjson"}:
            return ner_examples(read_span_jsonl(path, require_labels=require_labels))
        if is_span_json(path):
            return ner_examples(read_span_json(path, require_labels=require_labels))
        from nlpkit_ner.conll import read_conll

        return read_conll(path, scheme=scheme, types=types, require_labels=require_labels)

    def read_inputs(self, path: str | Path) -> list[NerExample]:
        """Plain text (`.txt`, one text per line), JSON lines, or a CoNLL file (pre-tokenised)."""
        if Path(path).suffix.lower() == ".txt":
            from nlpkit.engines.readers import read_text
            from nlpkit_ner.words import example_from_text

            lines = read_text(path).splitlines()
            return [example_from_text(line, source=f"{path}:{i}") for i, line in enumerate(lines, start=1) if line.strip()]
        return self.read(path, require_labels=False)

    def parse_inputs(self, texts: Sequence[str]) -> list[NerExample]:
        from nlpkit_ner.words import example_from_text

        return [example_from_text(_require_text(t, f"argument {i + 1}"), source=f"argument {i + 1}") for i, t in enumerate(texts)]

    def label_set(self, examples: Sequence[NerExample]) -> list[str]:
        """``O`` then ``B-X``, ``I-X`` for each entity type seen, sorted by type."""
        types = sorted({tag[2:] for ex in examples for tag in ex.tags or () if tag != "O"})
        return ["O"] + [f"{p}-{t}" for t in types for p in "BI"]

    def check_example_for_scoring(self, example: NerExample) -> None:
        if example.tags is None:
            raise DataError(example.source, "no gold tags to score against", field="tags")

    # inference -----------------------------------------------------------------
    def predict(self, model: Model, inputs: Sequence[NerExample], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False, **options: Any) -> list[Entities]:
        options = self.resolve_options("predict", options, model)
        from nlpkit_ner.tags import decode_spans

        if model.head is not Head.TOKEN_CLASSIFICATION:
            raise NlpkitError(f"{model.source} has a {model.head} head; the ner task needs a token-classification model")
        distributions = model.tag_words([ex.tokens for ex in inputs], window_overlap=options["window_overlap"], batch_size=batch_size, stats=stats, progress=progress)
        labels = list(model.labels or [])
        out = []
        for example, words in zip(inputs, distributions):
            best = [max(range(len(row)), key=row.__getitem__) for row in words]
            tags = [labels[k] for k in best]
            probs = [row[k] for row, k in zip(words, best)]
            entities = [example.entity(s, e, t, sum(probs[s:e]) / (e - s)) for s, e, t in decode_spans(tags)]
            out.append(Entities(entities=entities))
        return out

    # scoring --------------------------------------------------------------------
    def metric_inputs(self, metric: str, predictions: Sequence[Entities], examples: Sequence[NerExample]) -> tuple[list[Any], list[Any], dict[str, Any]]:
        """Predicted and gold IOB2 tag sequences, one pair per sentence."""
        return [entity_tags(p, ex) for p, ex in zip(predictions, examples)], [list(ex.tags or ()) for ex in examples], {}

    # training --------------------------------------------------------------------
    def training_features(self, examples: Sequence[NerExample], tokenizer: Any, label2id: dict[str, int] | None, max_length: int, **options: Any) -> list[dict[str, Any]]:
        options = self.resolve_options("train", options)
        from nlpkit.engines.heads.words import encode_words, special_ids, window_ids, windows

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
                        rest = label2id.get("I-" + tag[2:], label2id[tag]) if tag != "O" else label2id[tag]
                        for q in range(position + 1, min(position + len(pieces[w]), last)):
                            labels[q] = rest
                features.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels})
        return features

    def data_collator(self, tokenizer: Any) -> Any:
        from transformers import DataCollatorForTokenClassification

        return DataCollatorForTokenClassification(tokenizer)


def entity_tags(prediction: Entities, example: NerExample) -> list[str]:
    """IOB2 tags of `example`'s words for predicted entities (by character offsets)."""
    from nlpkit_ner.tags import tags_from_spans

    starts = {s: i for i, (s, _) in enumerate(example.offsets)}
    ends = {e: i + 1 for i, (_, e) in enumerate(example.offsets)}
    spans = []
    for entity in prediction.entities:
        if entity.start not in starts or entity.end not in ends:
            raise NlpkitError(f"{example.source}: predicted entity {entity.text!r} [{entity.start}, {entity.end}) does not align with the words")
        spans.append((starts[entity.start], ends[entity.end], entity.type))
    return tags_from_spans(len(example.tokens), spans)
