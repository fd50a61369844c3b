"""Hook implementations: the task, the lead baselines, the extractive model, datasets, the
ROUGE metric, the suites. Import stays light (the backends import nothing heavy until used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from nlpkit import DatasetSpec, MetricSpec, ModelSpec, hookimpl
from nlpkit.contracts.tasks import Head

SUITES = Path(__file__).parent / "suites"


@hookimpl
def register_tasks(register: Callable[[Any], None]) -> None:
    from nlpkit_summarization.task import SummarizationTask

    register(SummarizationTask())


@hookimpl
def register_backends(register: Callable[[Any], None]) -> None:
    from nlpkit_summarization.extractive import ExtractiveBackend
    from nlpkit_summarization.lead import LeadBackend

    register(LeadBackend())
    register(ExtractiveBackend())


@hookimpl
def register_models(register: Callable[..., None]) -> None:
    register(ModelSpec("lead-1", "lead", "lead-1", "baseline: the document's first sentence as its summary", heads=(Head.SEQ2SEQ,)))
    register(ModelSpec("lead-3", "lead", "lead-3", "baseline: the document's first three sentences", heads=(Head.SEQ2SEQ,)))
    register(ModelSpec("extractive", "extractive", "minilm", "extractive summarizer: a MiniLM sentence scorer trained from ROUGE-oracle labels (fine-tune first; -O encoder=… for another encoder)", heads=(Head.SEQ2SEQ,)))


@hookimpl
def register_datasets(register: Callable[[Any], None]) -> None:
    register(
        DatasetSpec(
            name="scitldr_a",
            task="summarization",
            folder="summarization/scitldr_a",
            files={"train": "train.jsonl", "dev": "dev.jsonl", "test": "test.jsonl"},
            hub_id="allenai/scitldr",
            hub_config="Abstract",
            hub_splits={"dev": "validation"},
            read_options={"document_field": "source", "summary_field": "target"},
            description="SciTLDR-A: paper abstract → one-sentence TLDR; 1,992 train / 619 dev / 618 test (multi-reference)",
        )
    )
    register(
        DatasetSpec(
            name="dialogsum",
            task="summarization",
            folder="summarization/dialogsum",
            files={"dev": "dialogsum.dev.jsonl"},
            hub_id="knkarthick/dialogsum",
            hub_splits={"dev": "validation"},
            read_options={"document_field": "dialogue", "summary_field": "summary"},
            default_split="dev",
            description="DialogSum: dialogue → summary; dev split, 500 dialogues",
        )
    )


@hookimpl
def register_metrics(register: Callable[[Any], None]) -> None:
    register(MetricSpec("rouge", "nlpkit_summarization.rouge:Rouge", "ROUGE-1/2/L/Lsum F1 with stemming as rouge-score (Lsum over lines), max over references; mean length", main_key="rougeL"))
    register(MetricSpec("rouge_sentences", "nlpkit_summarization.rouge:Rouge", "ROUGE as `rouge`, but Lsum over sentences split by nlpkit (one per line, as HF's summarization scripts)", {"split_sentences": True}, main_key="rougeL"))


@hookimpl
def register_suites(register: Callable[[Any], None]) -> None:
    from nlpkit import SuiteSpec

    register(SuiteSpec("summarization", SUITES / "summarization.toml", "SciTLDR-A: lead-1 baseline and a MiniLM encoder-decoder fine-tuned, ROUGE"))
