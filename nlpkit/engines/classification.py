"""Text classification, the sequence-classification head's building block.

`TextClassificationTask` reads TSV/CSV/JSONL with configurable text and label
columns, predicts with any backend whose model can `classify` (transformers or
scikit-learn), and scores accuracy / F1. Task plugins subclass it and set a
name, defaults and datasets (the sentiment plugin does).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError
from nlpkit.contracts.tasks import Classification, Head, Task, TextExample, require_text
from nlpkit.engines.readers import iter_rows

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats

TEXT_COLUMNS = ("text", "sentence", "review", "content", "document")
LABEL_COLUMNS = ("label", "labels", "sentiment", "class", "target")


class TextClassificationTask(Task):
    """One label per text, from a fixed label set learned from the training data."""

    head = Head.SEQUENCE_CLASSIFICATION
    default_metrics: ClassVar[tuple[str, ...]] = ("accuracy", "f1")
    formats: ClassVar[tuple[str, ...]] = ("TSV/CSV/JSONL with text and label columns", "plain text, one input per line (predict)")

    def read(
        self,
        path: str | Path,
        *,
        text_column: str | None = None,
        label_column: str | None = None,
        format: str | None = None,
        header: bool | list[str] = True,
        label_names: dict[str, str] | None = None,
        require_labels: bool = True,
        **_: Any,
    ) -> list[TextExample]:
        """Read a TSV/CSV/JSONL file. Columns default to the first of `TEXT_COLUMNS` /
        `LABEL_COLUMNS` present; `label_names` renames raw labels (``{"0": "negative"}``)."""
        rows = iter_rows(path, format=format, header=header)
        return self._examples(rows, str(path), text_column, label_column, label_names, require_labels)

    def read_inputs(self, path: str | Path) -> list[TextExample]:
        """Inputs for prediction: a table with a text column, or plain text one per line."""
        if Path(path).suffix.lower() in {".tsv", ".csv", ".jsonl", ".json", ".ndjson"}:
            return self.read(path, require_labels=False)
        from nlpkit.engines.readers import read_text

        lines = read_text(path).splitlines()
        return [TextExample(text=line, source=f"{path}:{i}") for i, line in enumerate(lines, start=1) if line.strip()]

    def read_rows(self, rows: Iterable[dict[str, Any]], source: str, **options: Any) -> list[TextExample]:
        options.pop("header", None)
        options.pop("format", None)
        return self._examples(((i, dict(r)) for i, r in enumerate(rows, start=1)), source, **options)

    def _examples(self, rows: Iterable[tuple[int, dict[str, Any]]], source: str, text_column: str | None = None, label_column: str | None = None, label_names: dict[str, str] | None = None, require_labels: bool = True, **_: Any) -> list[TextExample]:
        examples = []
        for line, row in rows:
            text_col = text_column or _first_present(row, TEXT_COLUMNS)
            if text_col is None or text_col not in row:
                wanted = repr(text_column) if text_column else "a text column (" + ", ".join(TEXT_COLUMNS) + ")"
                raise DataError(source, f"missing {wanted}; the row has {', '.join(map(repr, row))}", line=line)
            text = require_text(row[text_col], source, line, text_col)
            label_col = label_column or _first_present(row, LABEL_COLUMNS)
            raw = row.get(label_col) if label_col else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if require_labels:
                    raise DataError(source, f"missing label (column {label_column or ' / '.join(LABEL_COLUMNS)})", line=line)
                label = None
            else:
                label = str(raw).strip()
                if label_names is not None:
                    if label not in label_names:
                        raise DataError(source, f"unknown label {label!r}; expected one of {', '.join(map(repr, label_names))}", line=line, field=label_col)
                    label = label_names[label]
            examples.append(TextExample(text=text, label=label, source=f"{source}:{line}"))
        return examples

    def label_set(self, examples: Sequence[TextExample]) -> list[str]:
        return sorted({ex.label for ex in examples if ex.label is not None})

    def check_example_for_scoring(self, example: TextExample) -> None:
        if example.label is None:
            raise DataError(example.source, "no gold label to score against", field="label")

    def predict(self, model: Model, inputs: Sequence[TextExample], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False, **options: Any) -> list[Classification]:
        self.resolve_options("predict", options, model)  # none declared: rejects any
        probs = model.classify([ex.text for ex in inputs], batch_size=batch_size, stats=stats, progress=progress)
        labels = model.labels or []
        out = []
        for row in probs:
            best = max(range(len(row)), key=row.__getitem__)
            out.append(Classification(label=labels[best], score=row[best], scores=dict(zip(labels, row))))
        return out

    def metric_inputs(self, metric: str, predictions: Sequence[Classification], examples: Sequence[TextExample]) -> tuple[list[Any], list[Any], dict[str, Any]]:
        return [p.label for p in predictions], [ex.label for ex in examples], {}

    def training_features(self, examples: Sequence[TextExample], tokenizer: Any, label2id: dict[str, int] | None, max_length: int, **options: Any) -> list[dict[str, Any]]:
        assert label2id is not None
        encodings = tokenizer([ex.text for ex in examples], truncation=True, max_length=max_length)
        features = []
        for i, ex in enumerate(examples):
            if ex.label not in label2id:
                raise DataError(ex.source, f"label {ex.label!r} is not one of the model's labels ({', '.join(label2id)})", field="label")
            feature = {key: encodings[key][i] for key in encodings.keys()}
            feature["labels"] = label2id[ex.label]
            features.append(feature)
        return features


def _first_present(row: dict[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        if name in row:
            return name
    return None
