"""Fixtures: tiny BERTs saved as fine-tuned nlpkit folders (a card naming their task), one per head,
and their ONNX exports (fp32 and int8), built once per session."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from nlpkit.testing import SENTIMENT_FIXTURE

NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
NER_SENTENCES = [
    ["Alice", "visited", "Paris", "."],
    ["Bob", "Smith", "loves", "the", "film", "in", "Rome"],
    ["a", "good", "film"] * 60,  # longer than the model's 128 tokens: read in windows
]
QA_PAIRS = [
    ("who visited paris ?", "alice visited paris in the spring , and bob stayed in rome ."),
    ("where did bob stay ?", "alice visited paris in the spring , and bob stayed in rome ."),
    ("what is the plot ?", " ".join(["the plot is good and the actor is fine ."] * 30)),  # several windows
]
RELATION_LABELS = ["no_relation", "works_for"]
WORDS = [text for text, _ in SENTIMENT_FIXTURE] + [" ".join(s) for s in NER_SENTENCES] + [q + " " + c for q, c in QA_PAIRS]


def fine_tuned(root: Path, task_name: str, kind: str, labels: list[str] | None = None) -> Path:
    """A tiny BERT with a `kind` head saved the way `nlpkit finetune` saves a model for `task_name`
    (weights, tokenizer and nlpkit.json); a relations model gets its entity marker tokens."""
    import nlpkit
    from nlpkit.models import write_model_card
    from nlpkit.testing import tiny_bert

    base = tiny_bert(root / f"{task_name}-base", WORDS, head=kind, labels=labels, seed=3)
    task = nlpkit.get_task(task_name)
    model = nlpkit.load_model(str(base), task, device="cpu")
    task.prepare_model(model)  # relations: marker tokens and marker pooling, as fine-tuning does
    folder = root / task_name
    files = model.save(folder)
    write_model_card(folder, task=task, model=model, base_model=str(base), files=files, extra={})
    return folder


@pytest.fixture(scope="session")
def inputs() -> SimpleNamespace:
    """The fixture inputs: NER sentences (one long), QA pairs (one long context)."""
    return SimpleNamespace(ner=NER_SENTENCES, qa=QA_PAIRS)


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {
        "sentiment": fine_tuned(root, "sentiment", "sequence-classification", ["negative", "positive"]),
        "ner": fine_tuned(root, "ner", "token-classification", NER_LABELS),
        "qa": fine_tuned(root, "qa", "span-extraction"),
        "relations": fine_tuned(root, "relations", "sequence-classification", RELATION_LABELS),
    }


@pytest.fixture(scope="session")
def exports(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(task, "fp32" | "int8") → the exported folder."""
    from nlpkit_onnx.export import export_onnx

    root = tmp_path_factory.mktemp("onnx")
    out = {}
    for task, folder in models.items():
        for precision in ("fp32", "int8"):
            out[task, precision] = export_onnx(folder, root / f"{task}-{precision}", int8=precision == "int8").output
    return out
