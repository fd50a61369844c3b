"""The metric parity recorder: a `parity` fixture comparing nlpkit's numbers with a reference scorer's.

Parity tests (``tests/parity/``, ``plugins/*/tests/test_parity_*.py``) compare each
nlpkit metric with its reference scorer through the `parity` fixture: a difference
above `TOLERANCE` fails the test. It lives in the core's testing kit (not only in the
repository's root conftest) so a plugin's tests also run from its unpacked sdist:
the plugin's ``tests/conftest.py`` imports the fixture. With
``NLPKIT_PARITY_REPORT=FILE`` set, the root conftest writes the cases and the largest
difference seen per metric to FILE (JSON) at the end of the session
(`write_parity_report`); ``benchmarks/metric_parity.py`` turns that into the results table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

TOLERANCE = 1e-9


class ParityRecorder:
    """Compares nlpkit's numbers with a reference's and keeps per-metric statistics."""

    def __init__(self) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}

    def compare(self, metric: str, ours: Mapping[str, float] | float, reference: Mapping[str, float] | float, keys: Iterable[str] | None = None) -> None:
        """One case: every number in `keys` (or both scalars) must agree within TOLERANCE."""
        if not isinstance(ours, Mapping):
            ours, reference, keys = {"value": ours}, {"value": reference}, ["value"]
        assert isinstance(reference, Mapping)
        keys = list(keys if keys is not None else reference)
        entry = self._entry(metric)
        entry["cases"] += 1
        for key in keys:
            diff = abs(float(ours[key]) - float(reference[key]))
            entry["values"] += 1
            entry["max_abs_diff"] = max(entry["max_abs_diff"], diff)
            assert diff <= TOLERANCE, f"{metric} {key}: nlpkit {ours[key]!r} vs reference {reference[key]!r}"

    def count_error_case(self, metric: str) -> None:
        """A case where both refuse the input (nlpkit raises where the reference raises)."""
        self._entry(metric)["refused"] += 1

    def _entry(self, metric: str) -> dict[str, Any]:
        return self.metrics.setdefault(metric, {"cases": 0, "refused": 0, "values": 0, "max_abs_diff": 0.0})


_RECORDER = ParityRecorder()


@pytest.fixture(scope="session")
def parity() -> ParityRecorder:
    """The session's parity recorder (session-scoped so hypothesis tests can use it)."""
    return _RECORDER


def write_parity_report(path: str | Path) -> None:
    """Write the session's per-metric statistics to `path` (JSON), if any parity test ran."""
    if _RECORDER.metrics:
        Path(path).write_text(json.dumps({"tolerance": TOLERANCE, "metrics": _RECORDER.metrics}, indent=2, sort_keys=True) + "\n")


__all__ = ["TOLERANCE", "ParityRecorder", "parity", "write_parity_report"]
