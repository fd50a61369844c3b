"""Dataset specs and how a data argument becomes examples.

A data argument is a file path (read with the task's reader) or a registered
dataset, written ``NAME``, ``NAME:SPLIT``, or ``NAME:SPLIT+SPLIT`` for several splits
read one after another (``conll04:train+dev``: train a final model on both once dev
has chosen the settings, as ``datasets`` writes ``train+validation``). A registered
dataset loads from a local mirror when a data folder is given (``--data-dir DIR`` or
``NLPKIT_DATA_DIR``), laid out as ``DIR/<folder>/<file>`` — the layout of
``shared/data`` — and from the Hugging Face hub otherwise. A dataset a plugin
ships inside its own package (``DatasetSpec(package="nlpkit_mytask", …)``) always
loads from there.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.specs import DatasetSpec
from nlpkit.resolution import Registries, registries_or_loaded

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task

DATA_DIR_ENV = "NLPKIT_DATA_DIR"




def data_dir_from(value: str | Path | None) -> Path | None:
    """The data folder from an argument or ``NLPKIT_DATA_DIR``; None for hub loading."""
    value = value or os.environ.get(DATA_DIR_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise NlpkitError(f"data folder {path} does not exist")
    return path


def split_reference(value: str) -> tuple[str, str | None]:
    """``"sst2:dev"`` → ``("sst2", "dev")``; ``"sst2"`` → ``("sst2", None)``."""
    name, _, split = value.partition(":")
    return name, (split or None)


def split_parts(split: str) -> list[str]:
    """``"train+dev"`` → ``["train", "dev"]``; refuses an empty or repeated part (which would
    silently read a split twice)."""
    parts = [part.strip() for part in split.split("+")]
    if any(not part for part in parts):
        raise NlpkitError(f"split {split!r}: empty part (write SPLIT or SPLIT+SPLIT, e.g. train+dev)")
    repeated = next((part for i, part in enumerate(parts) if part in parts[:i]), None)
    if repeated is not None:
        raise NlpkitError(f"split {split!r} names {repeated!r} twice")
    return parts


def load_examples(task: Task, data: str | Path, *, data_dir: str | Path | None = None, limit: int | None = None, read_options: dict[str, Any] | None = None, registries: Registries | None = None) -> list[Any]:
    """Examples for `task` from a file path or a registered ``NAME[:SPLIT]``.

    `limit` keeps the first N examples (in file order, so runs are reproducible);
    `read_options` (the task's read-stage ``-O`` options, e.g. ``scheme=iob1``) go to its
    reader, over a registered dataset's own.
    """
    path = Path(data).expanduser()
    read_options = {k: v for k, v in (read_options or {}).items() if v is not None}
    if path.exists():
        examples = task.read(path, **read_options)
    else:
        name, split = split_reference(str(data))
        datasets_registry = registries_or_loaded(registries)["datasets"]
        if name not in datasets_registry:
            if any(sep in str(data) for sep in ("/", "\\", ".")):
                raise DataError(path, "no such file")
            datasets_registry.get(name)  # raises the did-you-mean error
        spec: DatasetSpec = datasets_registry.get(name)
        if read_options:
            spec = replace(spec, read_options={**spec.read_options, **read_options})
        examples = load_registered(task, spec, split or spec.default_split, data_dir_from(data_dir), limit)
    if limit is not None:
        examples = examples[:limit]
    if not examples:
        raise DataError(data, "no examples")
    return examples


def package_root(spec: DatasetSpec) -> Path:
    """The folder of `spec.package` (a dataset shipped inside a plugin)."""
    import importlib.resources

    assert spec.package is not None
    try:
        root = importlib.resources.files(spec.package)
    except ModuleNotFoundError:
        raise NlpkitError(f"dataset {spec.name!r} ships in package {spec.package!r}, which is not installed") from None
    if not isinstance(root, Path):  # a zipped package: the readers need real files
        raise NlpkitError(f"dataset {spec.name!r}: package {spec.package!r} is not installed as files (zipped?); reinstall it unpacked")
    return root


def local_files(spec: DatasetSpec, split: str, data_dir: Path | None) -> list[Path]:
    """The files of one split (or of ``A+B``, in that order): inside `spec.package` when it
    ships them, else under `data_dir`."""
    names: list[str] = []
    for part in split_parts(split):
        if part not in spec.files:
            raise NlpkitError(f"dataset {spec.name!r} has no split {part!r}; splits: {', '.join(spec.files)}")
        files = spec.files[part]
        names += [files] if isinstance(files, str) else list(files)
    root = package_root(spec) if spec.package else data_dir
    assert root is not None
    paths = [root / spec.folder / name for name in names]
    for p in paths:
        if not p.exists():
            where = f"in package {spec.package!r}" if spec.package else f"under the data folder {data_dir}"
            raise DataError(p, f"dataset {spec.name!r} split {split!r}: file not found {where}")
    return paths


def load_registered(task: Task, spec: DatasetSpec, split: str, data_dir: Path | None, limit: int | None = None) -> list[Any]:
    """Examples of one split of a registered dataset, from the mirror or the hub."""
    if spec.task != task.name:
        raise NlpkitError(f"dataset {spec.name!r} is for task {spec.task!r}, not {task.name!r}")
    if data_dir is not None or spec.package:
        examples: list[Any] = []
        for path in local_files(spec, split, data_dir):
            examples.extend(task.read(path, **spec.read_options))
        return examples
    if spec.hub_id is None:
        raise NlpkitError(f"dataset {spec.name!r} has no hub id; pass --data-dir (or set {DATA_DIR_ENV}) to a local copy")
    import datasets

    parts = split_parts(split)
    hub_split = "+".join(spec.hub_splits.get(part, part) for part in parts)
    if limit is not None and len(parts) == 1:  # "a+b[:n]" would slice b only: cut after loading
        hub_split = f"{hub_split}[:{limit}]"
    try:
        rows = datasets.load_dataset(spec.hub_id, spec.hub_config, split=hub_split)
    except Exception as exc:  # network, unknown split, …: say what we tried
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise NlpkitError(
            f"cannot load {spec.hub_id!r} split {hub_split!r} from the Hugging Face hub ({first}); "
            f"for a local copy pass --data-dir DIR with {spec.folder}/ inside"
        ) from None
    return task.read_rows(rows, source=f"hub:{spec.hub_id}", **spec.read_options)
