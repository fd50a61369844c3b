"""The specs plugins register for named things: datasets, metrics, benchmark suites.

Plain frozen dataclasses (no behaviour, nothing heavy): how they are looked up and
used is `nlpkit.resolution`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DatasetSpec", "MetricSpec", "SuiteSpec"]


@dataclass(frozen=True)
class DatasetSpec:
    """A named dataset: where each split lives locally and on the hub."""

    name: str
    task: str
    #: Folder under the data dir, e.g. ``"sentiment/sst2"``.
    folder: str
    #: Split name → file name inside `folder` (several files for one split: a list).
    files: dict[str, str | list[str]]
    hub_id: str | None = None
    hub_config: str | None = None
    #: Split name → hub split name, where they differ (``"dev"`` → ``"validation"``).
    hub_splits: dict[str, str] = field(default_factory=dict)
    #: Keyword options for the task's reader (column names, label names…).
    read_options: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    default_split: str = "train"
    #: Import package that ships the files (a plugin's own data): `folder` is then
    #: relative to that package, found with importlib.resources, and no data dir is needed.
    package: str | None = None


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


@dataclass(frozen=True)
class SuiteSpec:
    """A named suite file a plugin ships (`nlpkit bench NAME`)."""

    name: str
    path: str | Path
    description: str = ""
