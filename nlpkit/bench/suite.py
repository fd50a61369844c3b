"""Suite files: parse, expand sweeps, and validate everything before any run starts.

Errors name the file and line of the offending key, and close matches for
unknown names, so a typo costs a second rather than a half-finished benchmark.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nlpkit.contracts.errors import DataError, NlpkitError, UnknownNameError

SUITE_KEYS = {"name", "description", "seed", "bootstrap", "batch_size", "device", "precision"}
RUN_KEYS = {"name", "task", "model", "dataset", "data", "split", "metrics", "limit", "batch_size", "options", "finetune", "seed", "bootstrap", "description", "device", "precision"}
#: A `model` or a string option value ``"run:NAME"`` is the model fine-tuned by the earlier run NAME
#: of the same suite (its folder under OUTPUT/models/), so one suite can chain models: an NER
#: model, then a relations model that runs it (``ner_model = "run:…"``), or a second training stage.
RUN_REFERENCE = "run:"
FINETUNE_KEYS = {
    "split", "data", "limit", "limits", "epochs", "max_steps", "learning_rate", "batch_size", "max_length", "seed", "options", "lora",
    "warmup_ratio", "weight_decay", "lr_scheduler", "gradient_accumulation_steps", "freeze_embeddings",
}  # fmt: skip


class SuiteError(NlpkitError):
    """A suite file that cannot run."""


@dataclass
class FinetuneSpec:
    """Fine-tune the run's model on this data before scoring it."""

    split: str | None = "train"
    data: str | None = None
    limit: int | None = None
    epochs: float = 1.0
    max_steps: int | None = None
    learning_rate: float = 5e-5
    batch_size: int = 16
    max_length: int = 128
    seed: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    lora: bool = False
    freeze_embeddings: bool = False
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    lr_scheduler: str = "linear"
    gradient_accumulation_steps: int = 1


@dataclass
class RunSpec:
    """One task × model × dataset × split × metrics measurement."""

    name: str
    task: str
    model: str
    dataset: str | None = None
    data: str | None = None
    split: str | None = None
    metrics: list[str] = field(default_factory=list)
    limit: int | None = None
    batch_size: int = 32
    options: dict[str, Any] = field(default_factory=dict)
    finetune: FinetuneSpec | None = None
    seed: int = 42
    bootstrap: int = 1000
    description: str = ""
    #: Where to fine-tune and predict (`nlpkit.contracts.device`); `bench --device/--precision` override it.
    device: str = "auto"
    precision: str = "fp32"
    #: Line of the run's `[[runs]]` header in the suite file (for messages).
    line: int = 0
    #: Fingerprints of the runs whose models this run uses (`RUN_REFERENCE`): a retrained
    #: upstream model changes this run's fingerprint, so it is measured again.
    upstream: dict[str, str] = field(default_factory=dict)

    def references(self) -> list[str]:
        """Names of the runs whose fine-tuned models this run uses (``"run:NAME"`` values)."""
        values = [self.model, *self.options.values(), *(self.finetune.options.values() if self.finetune else ())]
        return sorted({v[len(RUN_REFERENCE):] for v in values if isinstance(v, str) and v.startswith(RUN_REFERENCE)})

    def data_ref(self) -> str:
        if self.data:
            return self.data
        return f"{self.dataset}:{self.split}" if self.split else str(self.dataset)

    def train_ref(self) -> str | None:
        if self.finetune is None:
            return None
        if self.finetune.data:
            return self.finetune.data
        return f"{self.dataset}:{self.finetune.split}"

    def config(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("line")
        out.pop("description")
        return out

    def fingerprint(self) -> str:
        """Hash of everything that changes the result (for resuming)."""
        return hashlib.sha256(json.dumps(self.config(), sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class Suite:
    name: str
    path: Path
    runs: list[RunSpec]
    description: str = ""
    seed: int = 42
    bootstrap: int = 1000

    def select(self, pattern: str | None) -> list[RunSpec]:
        if not pattern:
            return list(self.runs)
        chosen = [r for r in self.runs if fnmatch.fnmatch(r.name, pattern) or pattern in r.name]
        if not chosen:
            raise SuiteError(f"--only {pattern!r} matches no run of suite {self.name!r}; runs: {', '.join(r.name for r in self.runs)}")
        return chosen


def locate(name_or_path: str) -> Path:
    """A suite file path, or the file of a suite a plugin registered."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    from nlpkit.plugins import get_manager

    suites = get_manager().registries["suites"]
    if name_or_path in suites:
        return Path(suites.get(name_or_path).path)
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        raise SuiteError(f"{name_or_path}: no such suite file")
    suites.get(name_or_path)  # did-you-mean error
    raise AssertionError("unreachable")


def load_suite(name_or_path: str, *, validate: bool = True, data_dir: Path | None = None) -> Suite:
    """Read, expand and (by default) validate a suite."""
    path = locate(name_or_path)
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{path}: invalid TOML: {exc}") from None
    lines = _RunLines(text)
    head = data.get("suite", {})
    _check_keys(path, head, SUITE_KEYS, "[suite]", lines.key_line(None, head))
    _check_device_keys(path, head, lines.key_line(None, head))
    unknown_top = set(data) - {"suite", "runs"}
    if unknown_top:
        key = sorted(unknown_top)[0]
        raise SuiteError(f"{path}:{lines.top_line(key)}: unknown section {key!r}{_close(key, {'suite', 'runs'})}")
    seed = int(head.get("seed", 42))
    bootstrap = int(head.get("bootstrap", 1000))
    runs: list[RunSpec] = []
    raw_runs = data.get("runs", [])
    if not raw_runs:
        raise SuiteError(f"{path}: the suite has no [[runs]]")
    for index, raw in enumerate(raw_runs):
        line = lines.run_line(index)
        _check_keys(path, raw, RUN_KEYS, "[[runs]]", lines.key_line(index, raw))
        _check_device_keys(path, raw, lines.key_line(index, raw))
        finetune_raw = raw.get("finetune")
        if finetune_raw is not None:
            _check_keys(path, finetune_raw, FINETUNE_KEYS, "[runs.finetune]", lines.key_line(index, finetune_raw))
            _check_finetune_values(path, finetune_raw, lines.key_line(index, finetune_raw))
        for key in ("name", "task", "model"):
            if key not in raw:
                raise SuiteError(f"{path}:{line}: run {index + 1} has no {key!r}")
        if not raw.get("dataset") and not raw.get("data"):
            raise SuiteError(f"{path}:{line}: run {raw['name']!r} needs `dataset` (registered) or `data` (a file)")
        defaults = {"seed": seed, "bootstrap": bootstrap, "batch_size": int(head.get("batch_size", 32)), **{k: head[k] for k in ("device", "precision") if k in head}}
        runs.extend(_expand(raw, finetune_raw, defaults, line))
    names = [r.name for r in runs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SuiteError(f"{path}: run names must be unique; repeated: {', '.join(duplicates)}")
    _link_references(path, runs)
    suite = Suite(head.get("name", path.stem), path, runs, head.get("description", ""), seed, bootstrap)
    if validate:
        validate_suite(suite, data_dir)
    return suite


def _link_references(path: Path, runs: list[RunSpec]) -> None:
    """Check each ``"run:NAME"`` names an earlier run that fine-tunes, and record its fingerprint;
    refuse a run that scores data its model, or a model it uses, was fine-tuned on."""
    earlier: dict[str, RunSpec] = {}
    trained: dict[str, set[str]] = {}  # run → the data its model and the models it uses were fine-tuned on
    for run in runs:
        for name in run.references():
            upstream = earlier.get(name)
            if upstream is None:
                known = [r.name for r in runs]
                why = "comes later: list it before this run" if name in known else f"is no run of this suite{_close(name, known)}"
                raise SuiteError(f"{path}:{run.line}: run {run.name!r} uses {RUN_REFERENCE}{name}, which {why}")
            if upstream.finetune is None:
                raise SuiteError(f"{path}:{run.line}: run {run.name!r} uses {RUN_REFERENCE}{name}, which fine-tunes nothing (add [runs.finetune] to it)")
            run.upstream[name] = upstream.fingerprint()
        try:
            trained[run.name] = _parts(run.train_ref()) | set().union(*(trained[name] for name in run.references()))
            seen = trained[run.name] & _parts(run.data_ref())
        except NlpkitError as exc:  # a malformed split (`train+`)
            raise SuiteError(f"{path}:{run.line}: run {run.name!r}: {exc}") from None
        if seen:
            raise SuiteError(
                f"{path}:{run.line}: run {run.name!r} scores {', '.join(sorted(seen))}, which its model (or a model it uses) "
                "was fine-tuned on: the score would be on training data; score another split"
            )
        earlier[run.name] = run


def _parts(ref: str | None) -> set[str]:
    """``"conll04:train+dev"`` → ``{"conll04:train", "conll04:dev"}``: the registered splits a
    reference names. Files and split-less names give none (a tiny smoke suite may well train
    and score one file on purpose; a registered split's role is unambiguous)."""
    from nlpkit.resolution.data import split_parts, split_reference

    if ref is None or Path(ref).exists():
        return set()
    name, split = split_reference(ref)
    return {f"{name}:{part}" for part in split_parts(split)} if split else set()


def _expand(raw: dict[str, Any], finetune_raw: dict[str, Any] | None, defaults: dict[str, Any], line: int) -> list[RunSpec]:
    """The runs of one `[[runs]]` table; keys it does not set come from `[suite]` (`defaults`)."""
    base = {**defaults, **{k: v for k, v in raw.items() if k != "finetune"}}
    if finetune_raw is None:
        return [RunSpec(**base, line=line)]
    finetune = dict(finetune_raw)
    limits = finetune.pop("limits", None)
    if limits is None:
        return [RunSpec(**base, finetune=FinetuneSpec(**finetune), line=line)]
    out = []
    for limit in limits:
        spec = dict(base, name=f"{raw['name']}-{limit}")
        out.append(RunSpec(**spec, finetune=FinetuneSpec(**{**finetune, "limit": int(limit)}), line=line))
    return out


def validate_suite(suite: Suite, data_dir: Path | None = None) -> None:
    """Check every task, model, dataset, split and metric name before running anything,
    and, given a data folder, that every file the runs read is there."""
    from nlpkit.plugins import get_manager
    from nlpkit.resolution.data import local_files, split_parts, split_reference

    manager = get_manager()
    for run in suite.runs:
        where = f"{suite.path}:{run.line}: run {run.name!r}"
        try:
            task = manager.get("tasks", run.task)
            if run.model.startswith(RUN_REFERENCE) or run.model in manager.registries["models"] or Path(run.model).exists():
                pass
            elif run.model.startswith((".", "/", "~")):
                raise SuiteError(f"model folder {run.model} does not exist")
            metrics = run.metrics or list(task.default_metrics)
            for metric in metrics:
                manager.get("metrics", metric)
            refs = [run.data_ref()] + ([run.train_ref()] if run.finetune else [])
            for ref in refs:
                if ref is None:
                    continue
                name, split = split_reference(ref)
                if Path(ref).exists():
                    continue
                if name not in manager.registries["datasets"] and ("/" in ref or ref.endswith((".tsv", ".csv", ".jsonl", ".json", ".txt"))):
                    raise SuiteError(f"data file {ref} does not exist")
                spec = manager.get("datasets", name)
                if spec.task != task.name:
                    raise SuiteError(f"dataset {name!r} is for task {spec.task!r}, not {task.name!r}")
                for part in split_parts(split) if split else ():
                    if part not in spec.files:
                        raise SuiteError(f"dataset {name!r} has no split {part!r}{_close(part, spec.files)}")
                if data_dir is not None or spec.package:
                    local_files(spec, split or spec.default_split, data_dir)
        except UnknownNameError as exc:
            raise SuiteError(f"{where}: {exc}") from None
        except (SuiteError, DataError) as exc:
            raise SuiteError(f"{where}: {exc}") from None


def _check_keys(path: Path, table: dict[str, Any], allowed: set[str], section: str, line_of: Any) -> None:
    for key in table:
        if key not in allowed:
            raise SuiteError(f"{path}:{line_of(key)}: unknown key {key!r} in {section}{_close(key, allowed)}")


def _check_finetune_values(path: Path, table: dict[str, Any], line_of: Any) -> None:
    """Training settings out of range (a negative rate, an unknown schedule…), named by file, line and key."""
    from nlpkit.api import check_settings

    keys = ("epochs", "max_steps", "learning_rate", "batch_size", "max_length", "warmup_ratio", "weight_decay", "lr_scheduler", "gradient_accumulation_steps")
    for key in keys:
        if key not in table:
            continue
        try:
            check_settings(spell=lambda name: f"[runs.finetune] {name}", **{key: table[key]})
        except TypeError:  # a string where a number belongs, or the reverse
            raise SuiteError(f"{path}:{line_of(key)}: [runs.finetune] {key} has the wrong type: {table[key]!r}") from None
        except NlpkitError as exc:
            raise SuiteError(f"{path}:{line_of(key)}: {exc}") from None


def _check_device_keys(path: Path, table: dict[str, Any], line_of: Any) -> None:
    """`device`/`precision` spelled as `--device`/`--precision` are (whether this machine has the device is checked when the suite runs)."""
    from nlpkit.contracts.device import parse_device, parse_precision

    for key, parse in (("device", parse_device), ("precision", parse_precision)):
        if key not in table:
            continue
        value = table[key]
        try:
            if not isinstance(value, str):
                raise NlpkitError(f"{key} must be a string such as \"cpu\", not {value!r}")
            table[key] = parse(value)
        except NlpkitError as exc:
            raise SuiteError(f"{path}:{line_of(key)}: {exc}") from None


def _close(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=2, cutoff=0.6)
    return "; did you mean " + " or ".join(map(repr, close)) + "?" if close else ""


class _RunLines:
    """Maps keys back to line numbers (tomllib does not keep them)."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.run_starts = [i + 1 for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*runs\s*\]\]", line)]

    def run_line(self, index: int) -> int:
        return self.run_starts[index] if index < len(self.run_starts) else 0

    def top_line(self, key: str) -> int:
        for i, line in enumerate(self.lines, start=1):
            if re.match(rf"\s*\[+\s*{re.escape(key)}\b", line) or re.match(rf"\s*{re.escape(key)}\s*=", line):
                return i
        return 0

    def key_line(self, index: int | None, table: dict[str, Any]) -> Any:
        if index is None:
            start, end = 1, (self.run_starts[0] if self.run_starts else len(self.lines) + 1)
        else:
            start = self.run_line(index)
            end = self.run_starts[index + 1] if index + 1 < len(self.run_starts) else len(self.lines) + 1

        def line_of(key: str) -> int:
            for i in range(start, end):
                if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[i - 1]):
                    return i
            return start

        return line_of
