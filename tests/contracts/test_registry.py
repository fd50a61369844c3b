"""Registries: collisions name both distributions; unknown names suggest close ones."""

from __future__ import annotations

import pytest

from nlpkit.contracts.errors import UnknownNameError
from nlpkit.contracts.registry import NameCollisionError, Registry


def test_second_registration_of_a_name_names_both_distributions() -> None:
    registry: Registry[int] = Registry("task")
    registry.add("ner", 1, "nlpkit-ner")
    with pytest.raises(NameCollisionError, match="by nlpkit-ner and by acme-ner"):
        registry.add("ner", 2, "acme-ner")


def test_unknown_name_lists_close_matches() -> None:
    registry: Registry[int] = Registry("task")
    for name in ("sentiment", "summarization", "ner"):
        registry.add(name, 0, "x")
    with pytest.raises(UnknownNameError) as caught:
        registry.get("sentimnet")
    assert "did you mean 'sentiment'" in str(caught.value)


def test_unknown_name_without_close_matches_lists_known_names() -> None:
    registry: Registry[int] = Registry("metric")
    registry.add("accuracy", 0, "x")
    with pytest.raises(UnknownNameError, match="known metrics: accuracy"):
        registry.get("zzz")
