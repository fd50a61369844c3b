"""The base class every nlpkit metric builds on.

A metric keeps its arithmetic in a pure static method, `score`, which `nlpkit
evaluate` and the benchmark harness call directly (the harness repeats it a
thousand times for bootstrap confidence intervals; `evaluate.Metric.compute`
writes an Arrow cache on every call, far too slow for that).

Instantiating a metric class gives an `evaluate.Metric` (`add_batch`, `compute`,
no hub download): ``Accuracy()`` builds, once per class, a subclass that also
derives from `evaluate.Metric`. Only then are `evaluate` and `datasets` imported
(seconds, and they pull torch in), so scoring a TF-IDF model with `score` never
loads them. `features` is therefore a plain description, turned into
`datasets.Features` on demand: ``"string"`` (any `datasets.Value` dtype), ``[x]``
for a sequence of `x`, ``{"key": x}`` for a dict; a `datasets.Features` works too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

__all__ = ["NlpkitMetric", "evaluate_metric_class", "to_datasets_features"]


class NlpkitMetric:
    """A metric whose result is `score(predictions, references, **kwargs)`.

    ``MyMetric()`` returns an `evaluate.Metric` instance of `MyMetric` (see module docstring).
    """

    #: Short human description (shown by `nlpkit metrics`).
    description: ClassVar[str] = ""
    #: Citation for the metric, if any.
    citation: ClassVar[str] = ""
    #: One prediction/reference pair, e.g. ``{"predictions": "string", "references": ["string"]}``.
    features: ClassVar[Any] = {"predictions": "string", "references": "string"}
    #: Key of the headline number in `score`'s result (used for sorting and plots).
    main_key: ClassVar[str] = ""

    #: Optional: a static ``per_example(predictions, references, **kw) -> {key: [float]}``
    #: whose per-key means equal `score`'s values; the harness then bootstraps by
    #: averaging instead of re-scoring. Only for metrics that are means over examples.
    per_example: ClassVar[Any] = None
    #: Optional, for corpus metrics built from summed per-example counts (BLEU, chrF):
    #: static ``statistics(predictions, references, **kw) -> [[float, …] per example]`` and
    #: ``from_statistics(summed, **kw) -> dict`` with ``from_statistics(sum of all) == score``.
    #: The harness then bootstraps by summing resampled rows instead of re-scoring text.
    statistics: ClassVar[Any] = None
    from_statistics: ClassVar[Any] = None

    #: True on the `evaluate.Metric`-backed subclasses `evaluate_metric_class` builds.
    _evaluate_backed: ClassVar[bool] = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls._evaluate_backed:
            return super().__new__(cls)
        return evaluate_metric_class(cls)(*args, **kwargs)

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        """Compute the metric from plain Python lists. Pure: no state, no I/O."""
        raise NotImplementedError

    # -- the evaluate.Metric side (only reached on evaluate-backed instances) --------
    def _info(self) -> Any:
        import evaluate

        return evaluate.MetricInfo(
            description=self.description,
            citation=self.citation,
            inputs_description="predictions and references, see the class docstring",
            features=to_datasets_features(self.features),
        )

    def _compute(self, predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        return self.score(predictions, references, **kwargs)


@lru_cache(maxsize=None)
def evaluate_metric_class(cls: type[NlpkitMetric]) -> type:
    """`cls` combined with `evaluate.Metric` (imports `evaluate`; built once per class)."""
    import evaluate

    namespace = {
        "_evaluate_backed": True,
        "features": to_datasets_features(cls.features),  # evaluate reads `self.features`
        "__module__": cls.__module__,
        "__doc__": cls.__doc__,
    }
    return type(cls.__name__, (cls, evaluate.Metric), namespace)


def to_datasets_features(spec: Any) -> Any:
    """A plain feature description (see module docstring) as `datasets.Features`."""
    import datasets

    if isinstance(spec, datasets.Features):
        return spec

    def convert(item: Any) -> Any:
        if isinstance(item, str):
            return datasets.Value(item)
        if isinstance(item, list) and len(item) == 1:
            return datasets.Sequence(convert(item[0]))
        if isinstance(item, dict):
            return {key: convert(value) for key, value in item.items()}
        return item  # already a datasets feature type

    return datasets.Features(convert(dict(spec)))
