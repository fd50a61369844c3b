"""Fixtures: hand-written QA files and a tiny span-extraction model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlpkit_qa.testing import SQUAD_V1, SQUAD_V2, WORDS, write_json
from nlpkit.testing.parity import parity  # noqa: F401  (the fixture; here too so the tests run from the unpacked sdist)


@pytest.fixture
def squad_v1(tmp_path: Path) -> Path:
    return write_json(tmp_path / "dev.json", SQUAD_V1)


@pytest.fixture
def squad_v2(tmp_path: Path) -> Path:
    return write_json(tmp_path / "dev-v2.json", SQUAD_V2)


@pytest.fixture(scope="session")
def tiny_qa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT with a span-extraction head over the fixture vocabulary."""
    from nlpkit.testing import tiny_bert

    return tiny_bert(tmp_path_factory.mktemp("tiny-qa"), WORDS, head="span-extraction")


@pytest.fixture(scope="session")
def tokenizer(tiny_qa: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_qa)


@pytest.fixture(scope="session")
def task() -> Any:
    from nlpkit_qa.task import QuestionAnsweringTask

    return QuestionAnsweringTask()
