"""A backend written here, not transformers: pure Python, no torch, every head of the
contract. NER, QA, summarization (and sentiment, relations) run on it end to end
through the bundled plugins, predict and evaluate, which shows the plugins use only
the `Model` contract and the core's inference loop.

The toy model's rules: capitalised words are persons; a question's answer is the
words after the context's first word that the question names and its verb; a
summary is the document's first words; a text with "good" is positive."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import nlpkit
from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.models import Backend, Model
from nlpkit.contracts.tasks import Head
from nlpkit.engines.generation import GenerationOutput, GenerationRequest
from nlpkit.engines.heads.spans import SpanBatch
from nlpkit.engines.inference import InferenceStats, iter_batches, run_batches

WORD = re.compile(r"\w+|[^\w\s]")
QUESTION_WORDS = {"where", "did", "the", "what", "do", "they", "who", "a"}


class ToyModel(Model):
    """Every head's method, in plain Python, each batched through the core loop."""

    backend = "toy"

    def save(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "toy.txt").write_text("toy\n", encoding="utf-8")
        return ["toy.txt"]

    # sequence classification
    def classify(self, texts, *, batch_size=32, stats=None, progress=False):
        labels = self.labels or []
        return run_batches(list(texts), lambda batch: [[0.9, 0.1] if "good" in t.lower() else [0.1, 0.9] for t in batch] if labels[0] == "positive" else [[0.1, 0.9] if "good" in t.lower() else [0.9, 0.1] for t in batch], batch_size=batch_size, stats=stats)

    def knows_tokens(self, tokens):
        return True

    def classify_marked(self, items, markers, *, logit_bias=None, batch_size=32, stats=None, progress=False):
        # relation "Near" when the marked pair spans at most 12 marked words, else no_relation
        return run_batches(list(items), lambda batch: [[0.8, 0.2] if last - first <= 12 else [0.2, 0.8] for _, first, last in batch], batch_size=batch_size, stats=stats, length=lambda item: len(item[0]))

    # token classification
    def tag_words(self, sentences, *, window_overlap=None, batch_size=32, stats=None, progress=False):
        labels = self.labels or []

        def tags(words: Sequence[str]) -> list[list[float]]:
            out, previous = [], False
            for word in words:
                person = word[:1].isupper()
                label = ("I-PER" if previous else "B-PER") if person else "O"
                out.append([0.9 if name == label else 0.1 / (len(labels) - 1) for name in labels])
                previous = person
            return out

        return run_batches([list(s) for s in sentences], lambda batch: [tags(s) for s in batch], batch_size=batch_size, stats=stats)

    # span extraction
    def span_scores(self, questions, contexts, *, max_length, doc_stride, max_question_length, batch_size=32, stats=None, progress=False) -> Iterator[SpanBatch]:
        windows = []  # (pair, offsets with a no-answer slot first, start scores, end scores)
        for pair, (question, context) in enumerate(zip(questions, contexts)):
            asked = {w.lower() for w in WORD.findall(question)} - QUESTION_WORDS
            tokens = [(m.group(), m.span()) for m in WORD.finditer(context)]
            room = max(2, max_length - 1)
            for start in range(0, max(len(tokens), 1), max(1, room - doc_stride)):
                part = tokens[start : start + room]
                starts, ends = [0.0] * (len(part) + 1), [0.0] * (len(part) + 1)
                hit = next((i for i, (w, _) in enumerate(part) if w.lower() in asked), None)
                if hit is not None and hit + 2 < len(part):
                    first = last = hit + 2  # skip the verb after the named word
                    while last + 1 < min(len(part), first + 3) and part[last + 1][0][0].isalnum():
                        last += 1
                    starts[first + 1], ends[last + 1] = 10.0, 10.0 + last - first  # a window that cuts the answer scores lower
                starts[0] = ends[0] = -10.0
                windows.append((pair, [None] + [span for _, span in part], starts, ends))
                if start + room >= len(tokens):
                    break
        for indices, rows in iter_batches(windows, lambda batch: batch, batch_size=batch_size, stats=stats, length=lambda w: len(w[1])):
            width = max(len(r[1]) for r in rows)
            pad = lambda scores: scores + [0.0] * (width - len(scores))  # noqa: E731
            yield SpanBatch(pairs=[r[0] for r in rows], offsets=[r[1] for r in rows], cls_index=[0] * len(rows), start_logits=[pad(r[2]) for r in rows], end_logits=[pad(r[3]) for r in rows])

    # seq2seq
    def generate(self, texts, request: GenerationRequest, *, batch_size=16, stats=None, progress=False):
        n = request.settings.max_new_tokens or 5
        return run_batches(list(texts), lambda batch: [GenerationOutput([" ".join(t.split()[:n])], [None]) for t in batch], batch_size=batch_size, stats=stats)

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]


class ToyBackend(Backend):
    """Loads the toy model for any head; cannot train."""

    name = "toy"
    heads = frozenset(Head)

    def load(self, source, task, *, labels=None, meta=None, options=None):
        return ToyModel(head=task.head, labels=labels, source=source, task=task.name, meta=meta)


def toy(task: str, labels: list[str] | None = None) -> ToyModel:
    return ToyBackend().load("toy", nlpkit.get_task(task), labels=labels)


def test_ner_predicts_and_evaluates_on_a_backend_that_is_not_transformers(tmp_path: Path) -> None:
    data = tmp_path / "people.conll"
    data.write_text("Alice B-PER\nmet O\nBob B-PER\nSmith I-PER\n. O\n\nThe O\ndog O\nsaw O\nCarol B-PER\n. O\n", encoding="utf-8")
    model = toy("ner", ["O", "B-PER", "I-PER"])
    [found] = nlpkit.predict("ner", ["Alice met Bob Smith."], model=model)
    assert [(e.text, e.start, e.end) for e in found.entities] == [("Alice", 0, 5), ("Bob Smith", 10, 19)]
    result = nlpkit.evaluate("ner", model=model, data=str(data))
    assert result.metrics["seqeval"]["f1"] == pytest.approx(6 / 7)  # "The" is a false person: P 3/4, R 1


def test_qa_predicts_and_evaluates_on_a_backend_that_is_not_transformers(tmp_path: Path) -> None:
    from nlpkit_qa.testing import SQUAD_V1, write_json

    model = toy("qa")
    stats = InferenceStats()
    answers = nlpkit.predict("qa", ["Where did the dog sleep?"], model=model, options={"context": "The dog slept in the garden all day."}, stats=stats)
    assert answers[0].text == "in the garden" and stats.examples == 1
    pets = json.loads(json.dumps(SQUAD_V1))
    del pets["data"][0]["paragraphs"][1:]  # the toy rule reads English, not the Unicode quirks
    result = nlpkit.evaluate("qa", model=model, data=str(write_json(tmp_path / "dev.json", pets)), options={"max_length": 12, "doc_stride": 4})
    assert [p.text for p in result.predictions] == ["on the mat", "in the garden"]  # found across windows of 11 tokens
    assert result.metrics["squad"]["exact_match"] == pytest.approx(100.0)


def test_summarization_predicts_and_evaluates_on_a_backend_that_is_not_transformers(tmp_path: Path) -> None:
    data = tmp_path / "docs.jsonl"
    rows = [{"document": "Cats sleep a lot. They also eat.", "summary": "Cats sleep a lot."}, {"document": "Rain fell all day. Roads flooded.", "summary": "Rain fell all day."}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    model = toy("summarization")
    [record] = nlpkit.predict("summarization", ["One two three four five six seven."], model=model, options={"max_new_tokens": 3})
    assert record.text == "One two three"
    result = nlpkit.evaluate("summarization", model=model, data=str(data), options={"max_new_tokens": 4})
    assert result.metrics["rouge"]["rouge1"] == pytest.approx(1.0)
    chunked = nlpkit.predict("summarization", ["Cats sleep. Dogs bark. Birds sing."], model=model, options={"long_documents": "chunk", "max_source_length": 3, "max_new_tokens": 1})
    assert chunked[0].text == "Cats Dogs Birds"  # one summary per chunk, counted by the model's own units


def test_sentiment_and_relations_run_on_it_too() -> None:
    from nlpkit_ner.records import RelationExample
    from nlpkit_ner.words import example_from_text

    [label] = nlpkit.predict("sentiment", ["a good film"], model=toy("sentiment", ["positive", "negative"]))
    assert label.label == "positive"
    sentence = example_from_text("Alice works for Acme in Paris")
    [found] = nlpkit.predict("relations", [RelationExample(sentence=sentence, entities=[(0, 1, "Peop"), (3, 4, "Org")])], model=toy("relations", ["Near", "no_relation"]), options={"entities": "gold"})
    assert [(r.head.text, r.tail.text, r.type) for r in found.relations] == [("Alice", "Acme", "Near"), ("Acme", "Alice", "Near")]


def test_the_toy_backend_cannot_train_and_says_so(tmp_path: Path) -> None:
    with pytest.raises(NlpkitError, match="the toy backend cannot fine-tune"):
        ToyBackend().finetune(nlpkit.get_task("ner"), None, [], None, nlpkit.TrainConfig(), tmp_path, None)


def test_a_pure_python_model_does_not_need_torch() -> None:
    import subprocess
    import sys

    code = ("import sys; from nlpkit.engines.inference import run_batches; "
            "print(run_batches(['bb', 'a'], lambda b: [x.upper() for x in b], batch_size=1), 'torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "['BB', 'A'] False"


# how little a new task writes ---------------------------------------------------------------
def test_a_new_token_classification_task_writes_only_read(tmp_path: Path) -> None:
    from nlpkit.engines.token_classification import Tags, TokenClassificationTask

    class Sentence:
        def __init__(self, tokens, tags, source):
            self.tokens, self.tags, self.source = tokens, tags, source

    class CapitalsTask(TokenClassificationTask):
        name = "capitals"

        def read(self, path, **_):
            blocks = Path(path).read_text(encoding="utf-8").strip().split("\n\n")
            return [Sentence([l.split()[0] for l in b.splitlines()], [l.split()[1] for l in b.splitlines()], f"{path}:{i}") for i, b in enumerate(blocks, 1)]

    data = tmp_path / "caps.txt"
    data.write_text("Alice B-PER\nran O\n\nBob B-PER\nSmith I-PER\n", encoding="utf-8")
    task = CapitalsTask()
    model = ToyBackend().load("toy", task, labels=task.label_set(task.read(data)))
    [tags] = nlpkit.predict(task, task.read(data)[:1], model=model)
    assert isinstance(tags, Tags) and tags.tags == ["B-PER", "O"]
    assert nlpkit.evaluate(task, model=model, data=str(data)).metrics["seqeval"]["f1"] == pytest.approx(1.0)


def test_a_new_seq2seq_task_writes_only_read(tmp_path: Path) -> None:
    from nlpkit.engines.generation import Seq2SeqExample, Seq2SeqTask

    class HeadlineTask(Seq2SeqTask):
        name = "headline"
        default_metrics = ("rouge",)

        def read(self, path, **_):
            rows = [line.split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines()]
            return [Seq2SeqExample(text=text, targets=[target], source=f"{path}:{i}") for i, (text, target) in enumerate(rows, 1)]

    data = tmp_path / "headlines.tsv"
    data.write_text("Storm hits coast overnight, power out\tStorm hits coast\n", encoding="utf-8")
    result = nlpkit.evaluate(HeadlineTask(), model=toy("summarization"), data=str(data), options={"max_new_tokens": 3})
    assert [p.text for p in result.predictions] == ["Storm hits coast"] and result.metrics["rouge"]["rouge1"] == pytest.approx(1.0)
