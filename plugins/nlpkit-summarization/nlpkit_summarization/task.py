"""The summarization task: documents in, summaries out, ROUGE against one or more references.

Abstractive generation and training come from `nlpkit.engines.generation.Seq2SeqTask`;
this module knows the file formats and what to do with documents longer than the
model's input (truncate and count them, or summarise chunk by chunk with
``-O long_documents=chunk``). Extractive models (`nlpkit_summarization.extractive`,
``--model extractive``) choose sentences instead, as the ``sentences`` and
``trigram_blocking`` options say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import TRAIN, Option
from nlpkit.engines.generation import GenerationOutput, GenerationRequest, Seq2SeqExample, Seq2SeqTask
from nlpkit.engines.readers import iter_rows, read_text

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats

DOCUMENT_FIELDS = ("document", "source", "dialogue", "article", "text")
SUMMARY_FIELDS = ("summary", "target", "summaries", "highlights", "tldr")
LONG_DOCUMENTS = ("truncate", "chunk")


class SummarizationTask(Seq2SeqTask):
    """Summarise documents. Reads JSON lines (document and summary fields configurable;
    a list-valued document is joined, a list-valued summary — or several summary
    fields — gives several references) and plain text, one document per line."""

    name = "summarization"
    sample = "samples/summarization.jsonl"  # tiny labelled file for nlpkit.testing.check_plugin
    description = "summarize documents (JSON lines or text; ROUGE max over references)"
    default_metrics: ClassVar[tuple[str, ...]] = ("rouge",)
    default_dataset = "scitldr_a"
    params_key = "summarization"
    formats: ClassVar[tuple[str, ...]] = ("JSON lines (document and summary fields)", "plain text, one document per line")
    options: ClassVar[tuple[Option, ...]] = (
        *Seq2SeqTask.options,
        Option("long_documents", str, "truncate", "documents longer than the model input: truncate (counted on stderr) or chunk (summarise each chunk, join)", choices=LONG_DOCUMENTS),
        Option("sentences", int, None, "extractive models: sentences per summary (default 1)", minimum=1),
        Option("trigram_blocking", bool, True, "extractive models: skip a sentence that shares a word trigram with one already chosen"),
        Option("oracle_sentences", int, 3, "extractive fine-tuning: most sentences the greedy ROUGE oracle labels per document", stages=TRAIN, minimum=1),
    )

    # data -------------------------------------------------------------------------
    def read(self, path: str | Path, *, document_field: str | None = None, summary_field: str | list[str] | None = None, require_labels: bool = True, **_: Any) -> list[Seq2SeqExample]:
        path = Path(path)
        if path.suffix.lower() not in {".jsonl", ".json", ".ndjson"}:
            return self._read_text(path)
        rows = ((line, row) for line, row in iter_rows(path, format="jsonl"))
        return self._examples(rows, str(path), document_field, summary_field, require_labels)

    def read_inputs(self, path: str | Path) -> list[Seq2SeqExample]:
        return self.read(path, require_labels=False)

    def read_rows(self, rows: Any, source: str, **options: Any) -> list[Seq2SeqExample]:
        return self._examples(((i, dict(r)) for i, r in enumerate(rows, start=1)), source, options.get("document_field"), options.get("summary_field"), True)

    def _read_text(self, path: Path) -> list[Seq2SeqExample]:
        lines = read_text(path).splitlines()
        return [Seq2SeqExample(text=line.strip(), source=f"{path}:{i}") for i, line in enumerate(lines, start=1) if line.strip()]

    def _examples(self, rows: Any, source: str, document_field: str | None, summary_field: str | list[str] | None, require_labels: bool) -> list[Seq2SeqExample]:
        examples = []
        for line, row in rows:
            doc_field = document_field or next((f for f in DOCUMENT_FIELDS if f in row), None)
            if doc_field is None or doc_field not in row:
                wanted = repr(document_field) if document_field else "a document field (" + ", ".join(DOCUMENT_FIELDS) + ")"
                raise DataError(source, f"missing {wanted}; the row has {', '.join(map(repr, row))}", line=line)
            text = _join(row[doc_field])
            if not text.strip():
                raise DataError(source, "empty document", line=line, field=doc_field)
            fields = [summary_field] if isinstance(summary_field, str) else list(summary_field or [])
            if not fields:
                fields = [next((f for f in SUMMARY_FIELDS if f in row), "summary")]
            targets: list[str] = []
            for name in fields:
                value = row.get(name)
                values = value if isinstance(value, list) else [value]
                targets.extend(v.strip() for v in values if isinstance(v, str) and v.strip())
            if require_labels and not targets:
                raise DataError(source, "missing or empty summary", line=line, field=" / ".join(fields))
            ident = row.get("id", row.get("paper_id", row.get("fname")))
            examples.append(Seq2SeqExample(text=text, targets=targets or None, id=str(ident) if ident is not None else None, source=f"{source}:{line}"))
        return examples

    # inference ----------------------------------------------------------------------
    def generate(self, model: Model, texts: list[str], request: GenerationRequest, *, batch_size: int, stats: InferenceStats | None, progress: bool, options: dict[str, Any]) -> list[GenerationOutput]:
        """Truncate long documents (the default, counted on stderr) or, with
        ``long_documents=chunk``, summarise each model-sized chunk and join the summaries.
        An extractive model reads whole documents (in windows) and chooses sentences."""
        from nlpkit_summarization.extractive import ExtractiveModel

        if isinstance(model, ExtractiveModel):
            return model.extract(texts, sentences=options["sentences"] or 1, trigram_blocking=options["trigram_blocking"], batch_size=batch_size, stats=stats, progress=progress)
        if options["sentences"] is not None:
            raise NlpkitError(f"-O sentences applies to extractive models (fine-tuned from --model extractive), not to {model.source}; an abstractive model's length is set with max_new_tokens")
        if options["long_documents"] == "truncate":
            return model.generate(texts, request, batch_size=batch_size, stats=stats, progress=progress)
        limit = request.max_source_length or model.max_length
        owners: list[int] = []
        chunks: list[str] = []
        for i, text in enumerate(texts):
            for chunk in chunk_text(text, model.count_tokens, limit):
                owners.append(i)
                chunks.append(chunk)
        outputs = model.generate(chunks, request, batch_size=batch_size, stats=stats, progress=progress)
        joined: list[list[GenerationOutput]] = [[] for _ in texts]
        for owner, output in zip(owners, outputs):
            joined[owner].append(output)
        return [_join_outputs(parts) for parts in joined]


def chunk_text(text: str, count_tokens: Callable[[Sequence[str]], list[int]], limit: int) -> list[str]:
    """Consecutive groups of whole sentences of at most `limit` tokens, counted by the
    model (`Model.count_tokens`); a longer sentence is its own chunk."""
    from nlpkit_summarization.sentences import split_sentences

    budget = max(limit - 2, 1)  # room for the model's special tokens
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    sentences = split_sentences(text)
    for sentence, size in zip(sentences, count_tokens(sentences)):
        if current and used + size > budget:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(sentence)
        used += size
    if current:
        chunks.append(" ".join(current))
    return chunks or [text]


def _join_outputs(parts: Sequence[GenerationOutput]) -> GenerationOutput:
    texts = [" ".join(p.texts[k] for p in parts) for k in range(len(parts[0].texts))]
    scores = [p.scores[0] for p in parts if p.scores and p.scores[0] is not None]
    return GenerationOutput(texts, [sum(scores) / len(scores) if scores else None] * len(texts), truncated=any(p.truncated for p in parts))


def _join(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v).strip() for v in value if str(v).strip())
    return "" if value is None else str(value)
