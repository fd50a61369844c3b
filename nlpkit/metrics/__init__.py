"""Metrics: `evaluate.Metric` subclasses that need no hub download.

Plugins register a `MetricSpec` naming the class by import path; the class (and
`evaluate`, which takes seconds to import) loads only when the metric is used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nlpkit.errors import NlpkitError


@dataclass(frozen=True)
class MetricSpec:
    """A metric name, the ``"module:Class"`` that computes it, and fixed keyword options."""

    name: str
    path: str
    description: str = ""
    #: Keyword arguments always passed to `score` (e.g. ``{"average": "macro"}``).
    options: dict[str, Any] = field(default_factory=dict, hash=False)
    #: Key of the headline number in the result.
    main_key: str = ""


@lru_cache(maxsize=None)
def metric_class(path: str) -> Any:
    module_name, _, class_name = path.partition(":")
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise NlpkitError(f"metric class {path!r} cannot be loaded: {exc}") from None


def get_metric_spec(name: str) -> MetricSpec:
    from nlpkit.plugins import get_manager

    return get_manager().get("metrics", name)


def load_metric(name: str) -> Any:
    """An instance of the registered metric `name` (an `evaluate.Metric`)."""
    return metric_class(get_metric_spec(name).path)()


def score(name: str, predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
    """Score with the registered metric `name` directly (no Arrow cache)."""
    spec = get_metric_spec(name)
    return metric_class(spec.path).score(predictions, references, **{**spec.options, **kwargs})


def main_value(name: str, result: dict[str, Any]) -> float | None:
    """The headline number of a metric result."""
    spec = get_metric_spec(name)
    key = spec.main_key or getattr(metric_class(spec.path), "main_key", "") or name
    value = result.get(key)
    return float(value) if isinstance(value, (int, float)) else None


__all__ = ["MetricSpec", "load_metric", "score", "main_value", "get_metric_spec"]
