"""Hook implementations: the task and its datasets. Import stays light."""

from __future__ import annotations

from typing import Any, Callable

from nlpkit import DatasetSpec, hookimpl

BINARY = {"0": "negative", "1": "positive"}


@hookimpl
def register_tasks(register: Callable[[Any], None]) -> None:
    from nlpkit_sentiment.task import SentimentTask

    register(SentimentTask())


@hookimpl
def register_datasets(register: Callable[[Any], None]) -> None:
    register(
        DatasetSpec(
            name="sst2",
            task="sentiment",
            folder="sentiment/sst2",
            files={"train": "train.tsv", "dev": "dev.tsv"},
            hub_id="stanfordnlp/sst2",
            hub_splits={"dev": "validation"},
            read_options={"text_column": "sentence", "label_column": "label", "label_names": BINARY},
            description="Stanford Sentiment Treebank, binary (GLUE SST-2): 67,349 train / 872 dev sentences",
        )
    )
    for source in ("amazon_cells", "imdb", "yelp"):
        register(
            DatasetSpec(
                name=f"sentiment_labelled_{source.split('_')[0]}",
                task="sentiment",
                folder="sentiment/sentiment_labelled_sentences",
                files={"test": f"{source}_labelled.txt"},
                default_split="test",
                read_options={"format": "tsv", "header": ["sentence", "label"], "label_names": BINARY},
                description=f"UCI Sentiment Labelled Sentences ({source.split('_')[0]}), 1,000 sentences",
            )
        )



@hookimpl
def register_suites(register: Callable[[Any], None]) -> None:
    from pathlib import Path

    from nlpkit import SuiteSpec

    register(SuiteSpec("sentiment", Path(__file__).parent / "suites" / "sentiment.toml", "SST-2 dev: TF-IDF baseline and MiniLM fine-tuned on 4,000 sentences"))
