"""Fixtures for the reliability suite: tiny classifiers with known label sets."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def named_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sequence classifier whose labels are negative/positive (no nlpkit.json)."""
    from nlpkit.testing import SENTIMENT_FIXTURE, tiny_bert

    return tiny_bert(tmp_path_factory.mktemp("named") / "clf", [t for t, _ in SENTIMENT_FIXTURE], head="sequence-classification", labels=["negative", "positive"])


@pytest.fixture(scope="session")
def numbered_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sequence classifier whose labels are 0/1, as GLUE-trained checkpoints often are."""
    from nlpkit.testing import SENTIMENT_FIXTURE, tiny_bert

    return tiny_bert(tmp_path_factory.mktemp("numbered") / "clf", [t for t, _ in SENTIMENT_FIXTURE], head="sequence-classification", labels=["0", "1"])


def write_tsv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("sentence\tlabel\n" + "".join(f"{text}\t{label}\n" for text, label in rows), encoding="utf-8")
    return path
