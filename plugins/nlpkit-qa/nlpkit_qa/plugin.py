"""Hook implementations: the `qa` task, its datasets, metrics and suite. Import stays light."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from nlpkit import DatasetSpec, MetricSpec, hookimpl

SUITES = Path(__file__).parent / "suites"


@hookimpl
def register_tasks(register: Callable[[Any], None]) -> None:
    from nlpkit_qa.task import QuestionAnsweringTask

    register(QuestionAnsweringTask())


@hookimpl
def register_datasets(register: Callable[[Any], None]) -> None:
    register(
        DatasetSpec(
            name="squad_v1.1",
            task="qa",
            folder="qa/squad_v1.1",
            files={"dev": "dev-v1.1.json"},
            hub_id="rajpurkar/squad",
            hub_splits={"dev": "validation"},
            default_split="dev",
            description="SQuAD v1.1 dev: 10,570 questions on 2,067 Wikipedia paragraphs (train is not in the local mirror)",
        )
    )
    folder = "qa/squadshifts_amazon_reddit"
    for name, file, size in (("amazon", "amazon_reviews_v1.0.json", "9,885"), ("reddit", "reddit_v1.0.json", "9,803")):
        register(
            DatasetSpec(
                name=f"squadshifts_{name}",
                task="qa",
                folder=folder,
                files={"test": file},
                default_split="test",
                description=f"SQuADShifts {name.capitalize()} (SQuAD v1.1 format): {size} questions",
            )
        )
    register(
        DatasetSpec(
            name="squadshifts_amazon_reddit",
            task="qa",
            folder=folder,
            files={"train": ["amazon_reviews_v1.0.json", "reddit_v1.0.json"]},
            description="SQuADShifts Amazon + Reddit together (19,688 questions), as training data",
        )
    )


@hookimpl
def register_metrics(register: Callable[[Any], None]) -> None:
    register(MetricSpec("squad", "nlpkit_qa.metrics:Squad", "SQuAD v1.1 exact match and F1 as evaluate-v1.1.py (percent)", main_key="f1"))
    register(MetricSpec("squad_v2", "nlpkit_qa.metrics:SquadV2", "SQuAD v2.0 exact and F1 as evaluate-v2.0.py, with the HasAns / NoAns split", main_key="f1"))


@hookimpl
def register_suites(register: Callable[[Any], None]) -> None:
    from nlpkit import SuiteSpec

    register(SuiteSpec("qa", SUITES / "qa.toml", "extractive QA: MiniLM fine-tuned on SQuADShifts, scored on SQuAD v1.1 dev"))
