"""Bootstrap confidence intervals and peak memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def numeric_items(result: dict[str, Any]) -> dict[str, float]:
    """Top-level numbers of a metric result (nested breakdowns are left out)."""
    return {k: float(v) for k, v in result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def bootstrap(
    score_fn: Any,
    predictions: list[Any],
    references: list[Any],
    kwargs: dict[str, Any],
    *,
    resamples: int,
    seed: int,
    per_example: Any = None,
    statistics: Any = None,
    from_statistics: Any = None,
) -> dict[str, list[float]]:
    """95% percentile intervals of every top-level number of a metric.

    Resamples examples with replacement (seeded: the same seed gives the same
    intervals). When the metric offers `per_example` scores whose mean is the
    metric, resampling averages those instead of re-scoring: much faster. Corpus
    metrics that offer summable per-example `statistics` are resampled by summing rows.
    """
    n = len(predictions)
    if n == 0 or resamples <= 0:
        return {}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(resamples, n))
    samples: dict[str, list[float]] = {}
    if per_example is not None:
        columns = {k: np.asarray(v, dtype=float) for k, v in per_example(predictions, references, **kwargs).items()}
        for key, values in columns.items():
            samples[key] = list(values[draws].mean(axis=1))
    elif statistics is not None and from_statistics is not None:
        table = np.asarray(statistics(predictions, references, **kwargs), dtype=float)
        for row in draws:
            for key, value in numeric_items(from_statistics(table[row].sum(axis=0), **kwargs)).items():
                samples.setdefault(key, []).append(value)
    else:
        for row in draws:
            result = score_fn([predictions[i] for i in row], [references[i] for i in row], **kwargs)
            for key, value in numeric_items(result).items():
                samples.setdefault(key, []).append(value)
    return {key: [float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))] for key, vals in samples.items()}


_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak_memory() -> bool:
    """Reset the process's peak RSS (Linux: writing 5 to clear_refs); False if unsupported."""
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def peak_memory_mb() -> float | None:
    """Peak resident memory (VmHWM) of this process since the last reset, in MiB."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    import sys

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
