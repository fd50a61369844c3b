"""The `qa` task: extractive question answering with a span-extraction head.

Transformers 5 has no question-answering pipeline, so this task does what it did
(and what `run_qa.py` does for training): the model scores windows over long
contexts (`Model.span_scores`; windows in `nlpkit.engines.heads.spans`), all questions'
windows in length-sorted batches, so many questions about one context are answered
together; this plugin labels training windows (`nlpkit_qa.features`) and decodes
spans (`nlpkit_qa.decoding`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import READ, TRAIN, TRAIN_PREDICT, Option
from nlpkit.contracts.tasks import Answer, Head, Record, Task
from nlpkit.engines.heads.spans import DEFAULT_DOC_STRIDE, DEFAULT_MAX_LENGTH, DEFAULT_MAX_QUESTION_LENGTH
from nlpkit_qa.decoding import DEFAULT_MAX_ANSWER_LENGTH, DEFAULT_N_BEST
from nlpkit_qa.readers import BAD_ANSWER_POLICIES
from nlpkit_qa.records import QAExample, RankedAnswers

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats



class QuestionAnsweringTask(Task):
    """Answer a question with a span of its context (SQuAD v1.1 and v2.0)."""

    name = "qa"
    head = Head.SPAN_EXTRACTION
    sample = "samples/qa.json"  # tiny labelled file for nlpkit.testing.check_plugin
    description = "extractive question answering: a span of the context answers the question (SQuAD v1.1/v2.0)"
    default_model = "distilbert/distilbert-base-cased-distilled-squad"
    default_metrics: ClassVar[tuple[str, ...]] = ("squad",)
    default_dataset = "squad_v1.1"
    formats: ClassVar[tuple[str, ...]] = ("SQuAD v1.1/v2.0 JSON", "JSON lines {question, context, answers?}", "plain text, one question per line (predict, with -O context)")
    options: ClassVar[tuple[Option, ...]] = (
        Option("on_bad_answer", str, "error", "a gold answer whose text is not at its offset: error, fix (move it to the nearest occurrence) or skip", choices=BAD_ANSWER_POLICIES, stages=READ),
        Option("context", str, None, "context for questions given without one"),
        Option("context_file", str, None, "file holding the context for questions given without one"),
        Option("top_k", int, 1, "answers per question (more than 1: ranked answers)", minimum=1),
        Option("max_answer_length", int, DEFAULT_MAX_ANSWER_LENGTH, "longest answer, in tokens", minimum=1),
        Option("n_best", int, DEFAULT_N_BEST, "start and end candidates kept per window", minimum=1),
        Option("no_answer_threshold", float, None, "answer nothing when the null score beats the best span by this (SQuAD v2.0; run_qa.py uses 0.0)"),
        Option("max_length", int, DEFAULT_MAX_LENGTH, "window length in tokens (question + context)", minimum=1),
        Option("doc_stride", int, None, "context tokens shared by consecutive windows (default: 128 when predicting, a third of --max-length when training)", stages=TRAIN_PREDICT, minimum=1),
        Option("max_question_length", int, DEFAULT_MAX_QUESTION_LENGTH, "question tokens kept", stages=TRAIN_PREDICT, minimum=1),
        Option("no_answer_windows", float, 1.0, "share (0-1) of the training windows that miss an answerable question's answer to keep (1: all, as run_qa.py; less spends the steps on windows holding answers)", stages=TRAIN, minimum=0.0),
    )

    # data ----------------------------------------------------------------------
    def read(self, path: str | Path, *, require_labels: bool = True, on_bad_answer: str = "error", **_: Any) -> list[QAExample]:
        """SQuAD v1.1/v2.0 JSON, or JSON lines ``{"question", "context", "answers"?, "id"?, "is_impossible"?}``."""
        from nlpkit_qa.readers import read_qa_file

        return read_qa_file(path, require_labels=require_labels, on_bad_answer=on_bad_answer)

    def read_rows(self, rows: Iterable[dict[str, Any]], source: str, **options: Any) -> list[QAExample]:
        from nlpkit_qa.readers import read_rows

        return read_rows(rows, source, require_labels=options.get("require_labels", True), on_bad_answer=options.get("on_bad_answer", "error"))

    def parse_inputs(self, texts: Sequence[str]) -> list[QAExample]:
        """Questions from the command line; the context comes from ``-O context=…``
        (or ``-O context_file=PATH``). A text that is a JSON object
        ``{"question", "context"}`` carries its own context."""
        out = []
        for i, text in enumerate(texts, start=1):
            where = f"argument {i}"
            if text.lstrip().startswith("{"):
                try:
                    row = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise NlpkitError(f"{where}: malformed JSON ({exc.msg}, column {exc.colno})") from None
                from nlpkit_qa.readers import read_rows

                out.extend(read_rows([row], where, require_labels=False))
                continue
            if not text.strip():
                raise NlpkitError(f"{where}: empty question")
            out.append(QAExample(question=text, source=where))
        return out

    def read_inputs(self, path: str | Path) -> list[QAExample]:
        """SQuAD JSON or JSON lines (answers optional), or a text file with one
        question per line (their context then comes from ``-O context=…``)."""
        if Path(path).suffix.lower() == ".txt":
            from nlpkit.engines.readers import read_text

            lines = read_text(path).splitlines()
            return [QAExample(question=line, source=f"{path}:{n}") for n, line in enumerate(lines, start=1) if line.strip()]
        return self.read(path, require_labels=False)

    def label_set(self, examples: Sequence[Any]) -> None:
        return None

    def check_example_for_scoring(self, example: QAExample) -> None:
        if example.answers is None:
            raise DataError(example.source, "no gold answers to score against", field="answers")

    # inference -------------------------------------------------------------------
    def predict(
        self,
        model: Model,
        inputs: Sequence[QAExample],
        *,
        batch_size: int = 32,
        stats: InferenceStats | None = None,
        progress: bool = False,
        **options: Any,
    ) -> list[Record]:
        """One `Answer` per question (a `RankedAnswers` with ``top_k`` > 1), in input order.

        Options: ``context``/``context_file`` (for questions without one), ``top_k`` (1),
        ``max_answer_length`` (30 tokens), ``n_best`` (20), ``no_answer_threshold`` (None:
        always answer; a number for SQuAD v2.0-style data, 0.0 as `run_qa.py`),
        ``max_length`` (384), ``doc_stride`` (128), ``max_question_length`` (64)."""
        from nlpkit_qa.decoding import answer_questions

        options = self.resolve_options("predict", options, model)
        top_k = options["top_k"]
        examples = _with_context(inputs, options)
        threshold = options["no_answer_threshold"]
        ranked = answer_questions(
            model,
            [ex.question for ex in examples],
            [ex.context for ex in examples],  # type: ignore[misc]
            batch_size=batch_size,
            stats=stats,
            progress=progress,
            top_k=top_k,
            n_best=options["n_best"],
            max_answer_length=options["max_answer_length"],
            no_answer_threshold=threshold,
            max_length=options["max_length"],
            doc_stride=options["doc_stride"] or DEFAULT_DOC_STRIDE,
            max_question_length=options["max_question_length"],
        )
        if top_k == 1:
            return [answers[0] for answers in ranked]
        return [RankedAnswers(answers) for answers in ranked]

    # scoring -----------------------------------------------------------------------
    def metric_inputs(self, metric: str, predictions: Sequence[Any], examples: Sequence[QAExample]) -> tuple[list[Any], list[Any], dict[str, Any]]:
        """Predicted answer texts and, per example, the list of gold answer texts
        (empty for an unanswerable question)."""
        texts = [_best_text(p) for p in predictions]
        return texts, [[a.text for a in ex.answers or []] for ex in examples], {}

    # training ------------------------------------------------------------------------
    def training_features(self, examples: Sequence[QAExample], tokenizer: Any, label2id: dict[str, int] | None, max_length: int, **options: Any) -> list[dict[str, Any]]:
        """Windows labelled with answer start/end tokens (no-answer windows: [CLS]).
        Options: ``doc_stride`` (default: a third of `max_length`, 128 at 384),
        ``max_question_length`` (64) and ``no_answer_windows`` (1.0: keep every window
        without the answer; see `nlpkit_qa.features`)."""
        from nlpkit_qa.features import training_features

        options = self.resolve_options("train", options)
        return training_features(
            examples,
            tokenizer,
            max_length,
            doc_stride=options["doc_stride"] or max_length // 3,
            max_question_length=options["max_question_length"],
            no_answer_windows=options["no_answer_windows"],
        )


def _with_context(inputs: Sequence[QAExample], options: dict[str, Any]) -> list[QAExample]:
    """Fill in the ``context`` option for inputs that have none."""
    context = options.get("context")
    if options.get("context_file") is not None:
        if context is not None:
            raise NlpkitError("give the option context or context_file, not both")
        from nlpkit.engines.readers import read_text

        context = read_text(options["context_file"])
    if context is not None:
        context = str(context)
        if not context.strip():
            raise NlpkitError("option context: empty text")
    out = []
    for i, ex in enumerate(inputs, start=1):
        if ex.context is None:
            if context is None:
                raise NlpkitError(f"{ex.source or f'input {i}'}: no context for question {ex.question!r}; pass -O context=\"…\" (or -O context_file=PATH)")
            ex = QAExample(question=ex.question, context=context, answers=ex.answers, id=ex.id, source=ex.source)
        elif not ex.context.strip():
            raise DataError(ex.source, "empty text", field="context")
        if not ex.question.strip():
            raise DataError(ex.source, "empty text", field="question")
        out.append(ex)
    return out


def _best_text(prediction: Any) -> str:
    if isinstance(prediction, Answer):
        return prediction.text
    if isinstance(prediction, RankedAnswers):
        return prediction.best.text if prediction.best else ""
    if isinstance(prediction, str):
        return prediction
    raise TypeError(f"cannot score a {type(prediction).__name__} as an answer")
