"""The `ner` task: typed entity spans with character offsets, from a token classifier."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.options import PREDICT, READ, Option
from nlpkit.contracts.tasks import _require_text
from nlpkit.engines.token_classification import TOKEN_OPTIONS, TokenClassificationTask
from nlpkit_ner.records import Entities, NerExample
from nlpkit_ner.tags import LOWERCASE_WORDS, SCHEMES


class NerTask(TokenClassificationTask):
    """Named-entity recognition with IOB2 tags on words.

    Reads CoNLL column files (`scheme="iob1"` converts CoNLL-2003), JSON lines with
    character-offset spans and the CoNLL04 / ADE JSON. Training labels the first
    sub-word of each word (``-O subword_labels=all`` labels the rest too, `B-` → `I-`);
    long sentences become overlapping windows (``-O window_overlap=N`` sub-words)."""

    name = "ner"
    sample = "samples/ner.conll"  # tiny labelled file for nlpkit.testing.check_plugin
    description = "named entities: typed spans with character offsets (CoNLL-2003, WNUT-17, …)"
    default_dataset = "conll2003"
    formats: ClassVar[tuple[str, ...]] = ("CoNLL columns (IOB1/IOB2)", "JSON lines with character spans", "CoNLL04/ADE JSON", "plain text (predict)")
    options: ClassVar[tuple[Option, ...]] = (
        Option("scheme", str, None, "tag scheme of CoNLL files (default: guessed; CoNLL-2003 is iob1)", choices=SCHEMES, stages=READ),
        Option(
            "lowercase_words", str, "keep",
            "predicted entities' words written in lower case, which an uncased model cannot tell from capitalised ones: keep them, drop entities made only of them, or trim them off an entity's ends",
            choices=LOWERCASE_WORDS, stages=PREDICT,
        ),
        *TOKEN_OPTIONS,
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

    # records ------------------------------------------------------------------------
    def decode(self, example: NerExample, tags: list[str], scores: list[float], *, lowercase_words: str = "keep", **_: Any) -> Entities:
        """Entities from the words' IOB2 tags, each scored by its words' mean probability
        (`lowercase_words`: `cased_spans`)."""
        from nlpkit_ner.tags import cased_spans, decode_spans

        spans = cased_spans(example.tokens, decode_spans(tags), lowercase_words)
        return Entities(entities=[example.entity(s, e, t, sum(scores[s:e]) / (e - s)) for s, e, t in spans])

    def tags_of(self, prediction: Entities, example: NerExample) -> list[str]:
        """IOB2 tags of the predicted entities (scored against the gold tags)."""
        return entity_tags(prediction, example)


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
