"""The base class every nlpkit metric builds on.

Metrics are `evaluate.Metric` subclasses, so they work with `evaluate`'s API
(`add_batch`, `compute`) without downloading a metric script from the hub.
Each one keeps its arithmetic in a pure static method, `score`, which the
benchmark harness calls directly when it bootstraps confidence intervals:
`evaluate.Metric.compute` writes an Arrow cache on every call, far too slow to
repeat a thousand times.

This module imports `evaluate` (slow: seconds), so nothing imports it until a
metric is actually used.
"""

from __future__ import annotations

from typing import Any, ClassVar

import datasets
import evaluate


class NlpkitMetric(evaluate.Metric):
    """An `evaluate.Metric` whose result is `score(predictions, references, **kwargs)`."""

    #: Short human description (shown by `nlpkit metrics`).
    description: ClassVar[str] = ""
    #: Citation for the metric, if any.
    citation: ClassVar[str] = ""
    #: The `datasets.Features` of one prediction/reference pair.
    features: ClassVar[datasets.Features]
    #: Key of the headline number in `score`'s result (used for sorting and plots).
    main_key: ClassVar[str] = ""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=self.description,
            citation=self.citation,
            inputs_description="predictions and references, see the class docstring",
            features=self.features,
        )

    def _compute(self, predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        return self.score(predictions, references, **kwargs)

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

    @staticmethod
    def score(predictions: list[Any], references: list[Any], **kwargs: Any) -> dict[str, Any]:
        """Compute the metric from plain Python lists. Pure: no state, no I/O."""
        raise NotImplementedError
