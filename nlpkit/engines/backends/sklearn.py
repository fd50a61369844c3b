"""The scikit-learn backend: fast classical baselines for sequence classification.

The default pipeline is TF-IDF over word 1-2-grams plus logistic regression. Models
are saved with `skops` and loaded with its default trust list only, so a model
folder from a stranger cannot run code when loaded (unlike pickle).
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import ModelLoadError, NlpkitError
from nlpkit.contracts.models import Backend, Model
from nlpkit.contracts.options import TRAIN, Option, resolve
from nlpkit.contracts.tasks import Head
from nlpkit.engines.inference import run_batches

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task
    from nlpkit.engines.inference import InferenceStats
    from nlpkit.engines.training import TrainConfig

MODEL_FILE = "model.skops"


class SklearnModel(Model):
    """A fitted scikit-learn pipeline with `predict_proba`."""

    backend = "sklearn"

    def __init__(self, pipeline: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.pipeline = pipeline

    def classify(self, texts: Sequence[str], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        classes = [str(c) for c in self.pipeline.classes_]
        order = [classes.index(label) for label in self.labels or classes]

        def step(batch: list[str]) -> list[list[float]]:
            return [[float(row[j]) for j in order] for row in self.pipeline.predict_proba(batch)]

        return run_batches(list(texts), step, batch_size=batch_size, length=lambda t: len(t.split()), stats=stats, progress=progress)

    def save(self, folder: Path) -> list[str]:
        skops_io = import_skops_io()
        folder.mkdir(parents=True, exist_ok=True)
        skops_io.dump(self.pipeline, folder / MODEL_FILE)
        return [MODEL_FILE]


class _RefuseImports(importlib.abc.MetaPathFinder):
    """A meta-path finder that makes ``import NAME`` fail for the top-level names given."""

    def __init__(self, names: frozenset[str]):
        self.names = names

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.partition(".")[0] in self.names:
            raise ImportError(f"{fullname} is not imported while skops builds its trust list")
        return None


def import_skops_io() -> Any:
    """`skops.io`, imported without importing torch.

    skops builds its trust list from `sklearn.utils.all_estimators()`, which walks
    every sklearn package; walking imports `sklearn.externals.array_api_compat.torch`,
    which imports torch (seconds) when it is installed. A TF-IDF model needs none of
    it, so torch imports are refused while skops loads (the walk skips the failing
    package); torch stays importable afterwards.
    """
    if "skops.io" in sys.modules or "torch" in sys.modules:
        import skops.io

        return skops.io
    blocker = _RefuseImports(frozenset({"torch"}))
    sys.meta_path.insert(0, blocker)
    try:
        import skops.io
    finally:
        sys.meta_path.remove(blocker)
    return skops.io


def make_pipeline(options: dict[str, Any] | None = None) -> Any:
    """TF-IDF (word 1-2-grams, sublinear tf) + logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    options = options or {}
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(ngram_range=(1, options.get("max_ngram", 2)), sublinear_tf=True, min_df=options.get("min_df", 1))),
            ("classifier", LogisticRegression(C=options.get("C", 4.0), max_iter=2000)),
        ]
    )


class SklearnBackend(Backend):
    """TF-IDF + logistic regression, trained in seconds, saved with skops."""

    name = "sklearn"
    heads = frozenset({Head.SEQUENCE_CLASSIFICATION})
    options: ClassVar[tuple[Option, ...]] = (
        Option("C", float, 4.0, "inverse regularisation strength of the logistic regression", stages=TRAIN, minimum=1e-12),
        Option("min_df", int, 1, "ignore n-grams seen in fewer training texts", stages=TRAIN, minimum=1),
        Option("max_ngram", int, 2, "longest word n-gram of the TF-IDF features", stages=TRAIN, minimum=1),
    )

    def accepts_folder(self, folder: Path) -> bool:
        return (folder / MODEL_FILE).exists()

    def load(self, source: str, task: Task, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> SklearnModel:
        skops_io = import_skops_io()
        path = Path(source) / MODEL_FILE
        if not path.exists():
            raise ModelLoadError(f"{source}: model folder is missing {MODEL_FILE}")
        try:
            pipeline = skops_io.load(path)  # default trust list only: refuses arbitrary types
        except Exception as exc:
            raise ModelLoadError(f"{path}: refusing or unable to load ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
        classes = [str(c) for c in pipeline.classes_]
        return SklearnModel(pipeline, head=task.head, labels=labels or classes, source=source, task=task.name, meta=meta)

    def finetune(self, task: Task, source: str | None, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path, labels: list[str] | None) -> SklearnModel:
        texts = [ex.text for ex in train]
        gold = [ex.label for ex in train]
        if len(set(gold)) < 2:
            raise NlpkitError(f"training data has {len(set(gold))} distinct label(s); a classifier needs at least 2")
        pipeline = make_pipeline(resolve(self.options, config.backend_options, owner="the sklearn backend", stage="train"))
        pipeline.set_params(classifier__random_state=config.seed)
        pipeline.fit(texts, gold)
        return SklearnModel(pipeline, head=task.head, labels=labels or [str(c) for c in pipeline.classes_], source=source or "sklearn", task=task.name)
