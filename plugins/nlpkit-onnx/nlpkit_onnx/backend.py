"""The `onnx` backend: an exported encoder run by ONNX Runtime on the CPU.

A folder written by `nlpkit export … --to onnx` holds the graph (``model.onnx``;
``marked.onnx`` too for a marker-pooled relations classifier), the tokenizer and an
``nlpkit.json`` whose ``backend`` is ``onnx`` and whose ``onnx`` section says what the
graph expects. Inputs are prepared by the same core helpers as the transformers
backend (`nlpkit.engines.heads`), batched by the one inference loop (`nlpkit.engines.inference`),
and only the per-batch step differs: numpy arrays into an `InferenceSession`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.errors import ModelLoadError, NlpkitError
from nlpkit.contracts.models import DEFAULT_MAX_LENGTH, Backend, Model
from nlpkit.contracts.tasks import Head
from nlpkit.engines.inference import iter_batches, run_batches

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task
    from nlpkit.engines.heads.spans import SpanBatch
    from nlpkit.engines.heads.words import WordWindow
    from nlpkit.engines.inference import InferenceStats

__all__ = ["GRAPH_FILE", "MARKED_GRAPH_FILE", "INSTALL_HINT", "OnnxBackend", "OnnxModel", "import_onnxruntime", "new_session", "softmax"]

#: The exported graph for the head's plain forward.
GRAPH_FILE = "model.onnx"
#: The marker-pooled classifier (relations): inputs, then the two pooled positions per row.
MARKED_GRAPH_FILE = "marked.onnx"
INSTALL_HINT = "pip install nlpkit-onnx (or: pip install 'onnxruntime>=1.32,<1.33')"
HEADS = frozenset({Head.SEQUENCE_CLASSIFICATION, Head.TOKEN_CLASSIFICATION, Head.SPAN_EXTRACTION})


def import_onnxruntime() -> Any:
    """`onnxruntime`, or a one-line error saying how to install it."""
    try:
        import onnxruntime
    except ImportError:
        raise NlpkitError(f"the onnx backend needs ONNX Runtime, which is not installed: {INSTALL_HINT}") from None
    return onnxruntime


def new_session(path: Path) -> Any:
    """An ONNX Runtime CPU session for the graph at `path`. Its thread count follows
    ``OMP_NUM_THREADS`` when set (as torch's does), else ONNX Runtime's default."""
    ort = import_onnxruntime()
    options = ort.SessionOptions()
    threads = os.environ.get("OMP_NUM_THREADS", "")
    if threads.isdigit() and int(threads) > 0:
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelLoadError(f"{path}: ONNX Runtime cannot load this graph ({first})") from None


def softmax(logits: Any) -> Any:
    """Row-wise softmax of a numpy array over its last axis (what the transformers backend applies to logits)."""
    import numpy as np

    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class OnnxModel(Model):
    """An exported encoder with its tokenizer: classify, classify_marked, tag_words, span_scores."""

    backend = "onnx"

    def __init__(self, session: Any, tokenizer: Any, *, marked: Any = None, length_limit: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.session = session
        self.marked = marked
        self.tokenizer = tokenizer
        self.length_limit = length_limit
        self.input_names = [i.name for i in session.get_inputs()]

    @property
    def max_length(self) -> int:
        limits = [self.length_limit or DEFAULT_MAX_LENGTH]
        tok_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and tok_max < 100_000:
            limits.append(tok_max)
        return min(limits)

    @property
    def pad_id(self) -> int:
        return self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0

    def _feed(self, rows: Sequence[dict[str, list[int]]], names: Sequence[str]) -> dict[str, Any]:
        """Right-pad a batch of encoded rows into the int64 arrays the graph takes (only the inputs it declares)."""
        import numpy as np

        width = max(len(row["input_ids"]) for row in rows)
        arrays = {"input_ids": np.full((len(rows), width), self.pad_id, dtype=np.int64), "attention_mask": np.zeros((len(rows), width), dtype=np.int64), "token_type_ids": np.zeros((len(rows), width), dtype=np.int64)}
        for b, row in enumerate(rows):
            n = len(row["input_ids"])
            arrays["input_ids"][b, :n] = row["input_ids"]
            arrays["attention_mask"][b, :n] = 1
            if "token_type_ids" in row:
                arrays["token_type_ids"][b, :n] = row["token_type_ids"]
        return {name: arrays[name] for name in names if name in arrays}

    def save(self, folder: Path) -> list[str]:
        raise NlpkitError(f"an exported ONNX model is saved by `nlpkit export`; copy the folder {self.source} instead")

    # sequence classification ------------------------------------------------------------
    def classify(self, texts: Sequence[str], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        self._require(Head.SEQUENCE_CLASSIFICATION)
        encodings = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
        keys = [k for k in ("input_ids", "token_type_ids") if k in encodings]
        rows = [{k: encodings[k][i] for k in keys} for i in range(len(texts))]

        def step(batch: list[dict[str, list[int]]]) -> list[list[float]]:
            (logits,) = self.session.run(None, self._feed(batch, self.input_names))
            return softmax(logits.astype("float64")).tolist()

        return run_batches(rows, step, batch_size=batch_size, length=lambda r: len(r["input_ids"]), stats=stats, progress=progress)

    def classify_marked(self, items: Sequence[tuple[Sequence[str], int, int]], markers: tuple[str, str], *, logit_bias: Sequence[float] | None = None, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        import numpy as np

        from nlpkit.engines.heads.words import encode_focused
        from nlpkit.engines.pooling import marker_positions

        self._require(Head.SEQUENCE_CLASSIFICATION)
        if self.marked is None:
            raise NlpkitError(f"{self.source} was exported without a marker-pooled graph ({MARKED_GRAPH_FILE}); export a model fine-tuned for relations (its marker tokens are what the export looks for)")
        if not items:
            return []
        rows = [{"input_ids": ids} for ids in encode_focused(self.tokenizer, items, self.max_length)]
        marker_ids = tuple(self.tokenizer.convert_tokens_to_ids(list(markers)))
        bias = np.asarray(list(logit_bias), dtype=np.float64) if logit_bias is not None and any(logit_bias) else None
        names = [i.name for i in self.marked.get_inputs()]

        def step(batch: list[dict[str, list[int]]]) -> list[list[float]]:
            feed = self._feed(batch, names)
            feed["head"], feed["tail"] = marker_positions(feed["input_ids"], marker_ids)  # type: ignore[arg-type]
            (logits,) = self.marked.run(None, {name: feed[name] for name in names})
            logits = logits.astype("float64")
            if bias is not None:
                logits = logits + bias
            return softmax(logits).tolist()

        return run_batches(rows, step, batch_size=batch_size, length=lambda r: len(r["input_ids"]), stats=stats, progress=progress, desc="relations")

    def knows_tokens(self, tokens: Sequence[str]) -> bool:
        vocab = self.tokenizer.get_vocab()
        return all(token in vocab for token in tokens)

    def add_marker_tokens(self, tokens: Sequence[str]) -> bool:
        if self.knows_tokens(tokens):
            return False
        raise NlpkitError(f"{self.source} is an exported ONNX model: it cannot be fine-tuned; fine-tune the transformers model, then export it")

    def use_marker_pooling(self, markers: tuple[str, str]) -> None:
        raise NlpkitError(f"{self.source} is an exported ONNX model: it cannot be fine-tuned; fine-tune the transformers model, then export it")

    # token classification ----------------------------------------------------------------
    def tag_words(self, sentences: Sequence[Sequence[str]], *, window_overlap: int | None = None, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[list[float]]]:
        from nlpkit.engines.heads.words import collect_words, word_windows

        self._require(Head.TOKEN_CLASSIFICATION)
        rows, sizes = word_windows(self.tokenizer, sentences, self.max_length, window_overlap)

        def step(batch: list[WordWindow]) -> list[list[list[float]]]:
            (logits,) = self.session.run(None, self._feed([{"input_ids": row.input_ids} for row in batch], self.input_names))
            probs = softmax(logits.astype("float64"))
            return [[probs[b, position].tolist() for _, position in row.words] for b, row in enumerate(batch)]

        return collect_words(rows, sizes, iter_batches(rows, step, batch_size=batch_size, length=lambda r: len(r.input_ids), stats=stats, progress=progress, desc="predict (windows)"))

    # span extraction ----------------------------------------------------------------------
    def span_scores(self, questions: Sequence[str], contexts: Sequence[str], *, max_length: int, doc_stride: int, max_question_length: int, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> Iterator[SpanBatch]:
        import numpy as np

        from nlpkit.engines.heads.spans import SpanBatch, build_windows, question_counter

        self._require(Head.SPAN_EXTRACTION)
        windows = build_windows(self.tokenizer, questions, contexts, max_length=min(max_length, self.max_length), doc_stride=doc_stride, max_question_length=max_question_length)

        def step(batch: list[Any]) -> list[tuple[Any, Any]]:
            rows = [{"input_ids": w.input_ids, **({"token_type_ids": w.token_type_ids} if w.token_type_ids is not None else {})} for w in batch]
            start, end = self.session.run(None, self._feed(rows, self.input_names))
            return list(zip(start, end))

        for indices, results in iter_batches(windows, step, batch_size=batch_size, length=lambda w: len(w.input_ids), stats=stats, progress=progress, desc="answer", count=question_counter(windows, len(questions)), total=len(questions)):
            yield SpanBatch(
                pairs=[windows[i].example for i in indices],
                offsets=[windows[i].offsets for i in indices],
                cls_index=[windows[i].cls_index for i in indices],
                start_logits=np.stack([s for s, _ in results]).astype(np.float32),
                end_logits=np.stack([e for _, e in results]).astype(np.float32),
            )


class OnnxBackend(Backend):
    """Loads folders written by `nlpkit export --to onnx`; predicts on the CPU with ONNX Runtime."""

    name = "onnx"
    heads = HEADS

    def load(self, source: str, task: Task, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> OnnxModel:
        import transformers

        folder = Path(source)
        section = (meta or {}).get("onnx")
        if not folder.is_dir() or not isinstance(section, dict):
            raise ModelLoadError(f"{source}: not an ONNX model folder (write one with `nlpkit export FOLDER --to onnx --output OUT`)")
        if task.head not in HEADS:
            raise NlpkitError(f"the onnx backend has no {task.head} head, which task {task.name!r} needs")
        session = new_session(folder / section.get("file", GRAPH_FILE))
        marked = new_session(folder / section["marked_file"]) if section.get("marked_file") else None
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder), trust_remote_code=False)  # never run a folder's own code
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{source}: cannot load the tokenizer saved beside the graph ({(str(exc).splitlines() or [''])[0]})") from None
        return OnnxModel(session, tokenizer, marked=marked, length_limit=section.get("max_length"), head=Head(meta["head"]) if meta else task.head, labels=labels, source=source, task=task.name, meta=meta)
