"""Repository-wide test fixtures: the metric parity recorder (`nlpkit.testing.parity`).

Parity tests (``tests/parity/``, ``plugins/*/tests/test_parity_*.py``) compare each
nlpkit metric with its reference scorer through the `parity` fixture. With
``NLPKIT_PARITY_REPORT=FILE`` set, the cases and the largest difference seen per
metric are written to FILE (JSON) at the end of the session;
``benchmarks/metric_parity.py`` turns that into the results table.
"""

from __future__ import annotations

import os

import pytest

from nlpkit.testing.parity import TOLERANCE, ParityRecorder, parity, write_parity_report  # noqa: F401  (fixture)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("NLPKIT_PARITY_REPORT")
    if path:
        write_parity_report(path)
