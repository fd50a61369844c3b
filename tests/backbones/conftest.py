"""Tiny backbones shared by the matrix and the convention tests: each family built once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import nlpkit
from nlpkit.backends.families import MATRIX_TASKS
from nlpkit.testing.backbones import TRAP_TEXTS, tiny_backbone
from nlpkit.testing.conformance import sample_path


def _sample_text(task: str) -> str:
    path = sample_path(nlpkit.get_task(task))
    assert path is not None
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vocabulary_texts() -> list[str]:
    """What every tiny tokenizer is trained on: the samples of the matrix tasks and the trap texts."""
    return [*TRAP_TEXTS, *(_sample_text(task) for task in MATRIX_TASKS)]


@pytest.fixture(scope="session")
def backbone(tmp_path_factory: pytest.TempPathFactory, vocabulary_texts: list[str]) -> Any:
    built: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in built:
            built[family] = tiny_backbone(family, tmp_path_factory.mktemp(family), vocabulary_texts)
        return built[family]

    return get
