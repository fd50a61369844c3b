"""The lead-N baseline as a model backend: the first N sentences of the document.

Registered as models ``lead-1`` and ``lead-3``, so the benchmark harness scores it
exactly like a trained model (`nlpkit evaluate summarization --model lead-1 …`).
Needs no training and no torch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.models import Backend, Model
from nlpkit.contracts.tasks import Head

if TYPE_CHECKING:
    from nlpkit.engines.generation import GenerationOutput
    from nlpkit.engines.inference import InferenceStats


class LeadModel(Model):
    """Answers every document with its first `n` sentences."""

    backend = "lead"

    def __init__(self, n: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.n = n

    def generate(self, texts: Sequence[str], request: Any = None, *, batch_size: int = 16, stats: InferenceStats | None = None, progress: bool = False) -> list[GenerationOutput]:
        from nlpkit.engines.generation import GenerationOutput
        from nlpkit.engines.inference import run_batches
        from nlpkit_summarization.sentences import split_sentences

        def step(batch: list[str]) -> list[GenerationOutput]:
            return [GenerationOutput([" ".join(split_sentences(text)[: self.n])], [None]) for text in batch]

        return run_batches(list(texts), step, batch_size=batch_size, length=len, stats=stats, progress=progress, desc="lead")

    def save(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lead.txt").write_text(f"{self.n}\n", encoding="utf-8")
        return ["lead.txt"]


class LeadBackend(Backend):
    """Sources are ``lead-N`` (a registered name) or a folder with ``lead.txt``."""

    name = "lead"
    heads = frozenset({Head.SEQ2SEQ})

    def load(self, source: str, task: Any, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> LeadModel:
        match = re.fullmatch(r"lead-(\d+)", source)
        if match is None and (Path(source) / "lead.txt").exists():
            match = re.fullmatch(r"(\d+)", (Path(source) / "lead.txt").read_text().strip())
        if match is None or int(match.group(1)) < 1:
            raise NlpkitError(f"the lead backend loads 'lead-N' (N ≥ 1), not {source!r}")
        return LeadModel(int(match.group(1)), head=Head.SEQ2SEQ, labels=None, source=source, task=task.name, meta=meta)

    def finetune(self, task: Any, source: str | None, train: Any, eval: Any, config: Any, workdir: Path, labels: Any) -> LeadModel:
        return self.load(source or "lead-1", task)
