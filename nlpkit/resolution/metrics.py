"""Metrics: `evaluate.Metric` subclasses that need no hub download.

Plugins register a `MetricSpec` naming the class by import path; the class (and
`evaluate`, which takes seconds to import) loads only when the metric is used.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.specs import MetricSpec
from nlpkit.resolution import Registries, registries_or_loaded


@lru_cache(maxsize=None)
def metric_class(path: str) -> Any:
    module_name, _, class_name = path.partition(":")
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise NlpkitError(f"metric class {path!r} cannot be loaded: {exc}") from None


def get_metric_spec(name: str, *, registries: Registries | None = None) -> MetricSpec:
    return registries_or_loaded(registries)["metrics"].get(name)


def load_metric(name: str, *, registries: Registries | None = None) -> Any:
    """An instance of the registered metric `name` (an `evaluate.Metric`)."""
    return metric_class(get_metric_spec(name, registries=registries).path)()


def score(name: str, predictions: list[Any], references: list[Any], *, registries: Registries | None = None, **kwargs: Any) -> dict[str, Any]:
    """Score with the registered metric `name` directly (no Arrow cache)."""
    spec = get_metric_spec(name, registries=registries)
    return metric_class(spec.path).score(predictions, references, **{**spec.options, **kwargs})


def main_value(name: str, result: dict[str, Any], *, registries: Registries | None = None) -> float | None:
    """The headline number of a metric result."""
    spec = get_metric_spec(name, registries=registries)
    key = spec.main_key or getattr(metric_class(spec.path), "main_key", "") or name
    value = result.get(key)
    return float(value) if isinstance(value, (int, float)) else None


__all__ = ["MetricSpec", "load_metric", "score", "main_value", "get_metric_spec"]
