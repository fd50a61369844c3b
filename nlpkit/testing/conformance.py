"""The conformance kit: run a plugin's tasks end to end on a tiny model, and fail loudly.

    from nlpkit.testing import check_plugin
    check_plugin("nlpkit-ner")          # an installed distribution: all of its tasks
    check_plugin("sentiment")           # a registered task
    check_plugin(MyTask(), samples={"mytask": "tests/tiny.tsv"})

For each task, the kit:

1. checks the static contract (`check_task`: name, head, verbs, metric names);
2. reads the task's **sample**: a tiny labelled file in one of its formats, shipped in
   the plugin package and named by the task class (``sample = "samples/mytask.tsv"``,
   relative to the module that defines the class) or passed as ``samples=``;
3. builds a tiny BERT whose vocabulary is the sample's words (seq2seq heads warm-start
   an encoder-decoder from it) and fine-tunes it a few steps with `nlpkit.finetune`;
4. predicts: one `Record` per input, in input order (the same records, reversed, for
   the inputs reversed; record types are reported);
5. round-trips the task's declared options (`nlpkit.contracts.options.Option`): given to
   `finetune`, saved in ``nlpkit.json`` with their types, resolved again as the loaded
   model's predict defaults; `Task.predict` refuses an unknown option;
6. evaluates: `nlpkit.evaluate` runs, and each default metric is aligned per example:
   ``metric_inputs`` gives one prediction and one reference per example, the score does
   not depend on example order (bootstrapping resamples examples), ``per_example``
   columns have one value per example and average to the score, summed ``statistics``
   rebuild it;
7. saves and loads the model again and predicts the same records;
8. imports each of the plugin's entry-point modules in a fresh interpreter and checks
   that torch, transformers, evaluate and datasets stayed unimported.

Every problem found is collected; `check_plugin` raises one `ConformanceError` listing
them all (or returns the report with ``raise_on_problems=False``).
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEAVY_MODULES = ("torch", "transformers", "evaluate", "datasets")


class ConformanceError(AssertionError):
    """A plugin or task that does not meet the contract; the message lists every problem."""


@dataclass
class TaskReport:
    """What the kit did for one task."""

    task: str
    problems: list[str] = field(default_factory=list)
    #: step name -> seconds it took (steps that ran).
    seconds: dict[str, float] = field(default_factory=dict)
    examples: int = 0
    record_types: list[str] = field(default_factory=list)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ConformanceReport:
    """The result of `check_plugin`: per-task reports and plugin-level problems."""

    target: str
    tasks: list[TaskReport] = field(default_factory=list)
    plugin_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.plugin_problems + [f"task {t.task!r}: {p}" for t in self.tasks for p in t.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        lines = [f"conformance of {self.target}: " + ("ok" if self.ok else f"{len(self.problems)} problem(s)")]
        for t in self.tasks:
            steps = ", ".join(f"{k} {v:.1f}s" for k, v in t.seconds.items())
            lines.append(f"  {t.task}: {t.examples} examples, records {', '.join(t.record_types) or '-'}; {steps}")
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def check_plugin(
    target: Any,
    *,
    samples: dict[str, str | Path] | None = None,
    workdir: str | Path | None = None,
    train_steps: int = 2,
    predict_options: dict[str, dict[str, Any]] | None = None,
    train_options: dict[str, dict[str, Any]] | None = None,
    raise_on_problems: bool = True,
) -> ConformanceReport:
    """Check a distribution (``"nlpkit-ner"``), a registered task name or a `Task` end to end.

    `samples` maps task names to sample files (overriding the task's own ``sample``);
    `predict_options` / `train_options` map task names to ``-O`` options for that step.
    Raises `ConformanceError` listing every problem unless `raise_on_problems` is False.
    """
    tasks, modules, report = _resolve_target(target)
    with _workdir(workdir) as root:
        for task in tasks:
            name = str(getattr(task, "name", type(task).__name__))
            sub = root / re.sub(r"\W+", "_", name)
            sub.mkdir(parents=True, exist_ok=True)
            report.tasks.append(_check_task_end_to_end(
                task, name, sub, (samples or {}).get(name), train_steps,
                (predict_options or {}).get(name, {}), (train_options or {}).get(name, {}),
            ))
    for module in modules:
        report.plugin_problems += check_import_is_light(module)
    if raise_on_problems and not report.ok:
        raise ConformanceError(report.summary())
    return report


# -- what to check ---------------------------------------------------------------------
def _resolve_target(target: Any) -> tuple[list[Any], list[str], ConformanceReport]:
    from nlpkit.contracts.tasks import Task
    from nlpkit.plugins import get_manager, normalize_distribution

    if not isinstance(target, str):
        report = ConformanceReport(f"task object {type(target).__name__}")
        return [target], [], report
    manager = get_manager()
    wanted = normalize_distribution(target)
    infos = [p for p in manager.plugins if normalize_distribution(p.distribution) == wanted or p.name == target]
    if infos:
        report = ConformanceReport(f"distribution {target}")
        for info in infos:
            if info.error:
                report.plugin_problems.append(f"plugin {info.name!r} failed to load: {info.error}")
            for collision in info.skipped:
                report.plugin_problems.append(f"plugin {info.name!r} lost a name to another plugin: {collision}")
            if info.heavy_imports:
                report.plugin_problems.append(f"plugin {info.name!r} imports {', '.join(info.heavy_imports)} when loaded")
        names = {name for info in infos for name in info.registered.get("tasks", [])}
        tasks = [manager.get("tasks", name) for name in sorted(names)]
        if not tasks and not report.plugin_problems:
            report.plugin_problems.append(f"{target} registers no task")
        return tasks, _entry_point_modules(infos), report
    task = manager.get("tasks", target)  # unknown: UnknownNameError with close matches
    assert isinstance(task, Task)
    owner = manager.registries["tasks"].entry(target).distribution
    return [task], _entry_point_modules([p for p in manager.plugins if p.distribution == owner]), ConformanceReport(f"task {target}")


def _entry_point_modules(infos: Sequence[Any]) -> list[str]:
    from importlib import metadata

    from nlpkit.plugins import CORE_DISTRIBUTION, ENTRY_POINT_GROUP

    keys = {(p.name, p.distribution) for p in infos if p.distribution != CORE_DISTRIBUTION}
    return sorted({ep.module for ep in metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.dist is not None and (ep.name, ep.dist.name) in keys})


def check_import_is_light(module: str, heavy: Sequence[str] = HEAVY_MODULES) -> list[str]:
    """Problems (empty: none) importing `module` in a fresh interpreter (with this one's
    `sys.path`): the `heavy` libraries it pulls in, or its import failing."""
    code = f"import sys, {module}; print(','.join(m for m in {tuple(heavy)!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    if result.returncode != 0:
        return [f"importing {module} failed: {(result.stderr.strip().splitlines() or ['?'])[-1]}"]
    heavy = result.stdout.strip()
    return [f"importing {module} imports {heavy}: import heavy libraries inside functions"] if heavy else []


def sample_path(task: Any) -> Path | None:
    """The task's sample file: its class attribute ``sample`` resolved against the folder of
    the module that defines it (so a plugin ships it as package data), or None."""
    for cls in type(task).__mro__:
        value = cls.__dict__.get("sample")
        if value:
            return (Path(inspect.getfile(cls)).parent / value).resolve()
    return None


def _check_task_end_to_end(task: Any, name: str, root: Path, sample: str | Path | None, train_steps: int, predict_options: dict[str, Any], train_options: dict[str, Any]) -> TaskReport:
    import nlpkit

    report = TaskReport(name)
    report.problems += check_task(task)
    path = Path(sample) if sample is not None else sample_path(task)
    if path is None:
        report.problems.append(f"no sample to run on: set `sample = \"samples/{name}.<ext>\"` on {type(task).__name__} "
                               "(a tiny labelled file in one of the task's formats, shipped as package data) or pass samples=")
        return report
    if not path.is_file():
        report.problems.append(f"sample file {path} does not exist")
        return report
    report.problems += check_option_declarations(task)
    if report.problems:  # the static contract is broken: running it would only add noise
        return report

    with _step(report, "read") as ok:
        examples = list(task.read(path))
        if len(examples) < 2:
            raise _Problem(f"sample {path} gave {len(examples)} example(s); a sample needs at least 2")
        report.examples = len(examples)
    if not ok:
        return report
    text = path.read_text(encoding="utf-8", errors="replace")
    model_dir = root / "model"
    with _step(report, "finetune") as ok:
        from nlpkit.testing.models import tiny_bert

        base = tiny_bert(root / "base", _words(text))
        given = {**_option_defaults(task), **train_options}
        config = nlpkit.TrainConfig(epochs=1, max_steps=train_steps, batch_size=2, max_length=64, progress=False, save_steps=10_000, seed=0, task_options=given)
        nlpkit.finetune(task, model=str(base), train=examples, output=model_dir, config=config, overwrite=True)
    if not ok:
        return report

    predictions: list[Any] = []
    with _step(report, "predict") as ok:
        model = nlpkit.load_model(str(model_dir), task)
        predictions = list(nlpkit.predict(task, examples, model=model, batch_size=2, options=dict(predict_options)))
        _check_predictions(predictions, examples, report)
        backwards = nlpkit.predict(task, examples[::-1], model=model, batch_size=2, options=dict(predict_options))
        # tight tolerance: a tiny model's scores differ between inputs only in the 5th digit
        moved = [i for i, (a, b) in enumerate(zip(predictions, backwards[::-1])) if not same_record(a, b, rel_tol=1e-7)]
        if moved or len(backwards) != len(predictions):
            raise _Problem(f"predictions depend on input order: with the inputs reversed, record {moved[0] + 1 if moved else '?'} changed (return one record per input, in input order)")
    if not ok:
        return report

    with _step(report, "options"):
        report.problems += check_options_round_trip(task, model, given, examples)

    with _step(report, "evaluate"):
        evaluation = nlpkit.evaluate(task, model=model, data=examples, batch_size=2, options=dict(predict_options))
        report.scores = evaluation.metrics
        for metric in task.default_metrics:
            report.problems += check_metric_alignment(task, metric, predictions, examples)

    with _step(report, "save-load"):
        from nlpkit.resolution.models import write_model_card

        again = root / "resaved"
        files = model.save(again)
        write_model_card(again, task=task, model=model, base_model=str(model_dir), files=list(files), extra={})
        reloaded = nlpkit.predict(task, examples, model=nlpkit.load_model(str(again), task), batch_size=2, options=dict(predict_options))
        for i, (a, b) in enumerate(zip(predictions, reloaded)):
            if not same_record(a, b, rel_tol=1e-6):
                raise _Problem(f"after saving and loading the model, prediction {i + 1} changed: {_short(a)} became {_short(b)}")
        if len(reloaded) != len(predictions):
            raise _Problem(f"after saving and loading the model, predict returned {len(reloaded)} records instead of {len(predictions)}")
    return report


def check_option_declarations(task: Any) -> list[str]:
    """Problems (empty: none) with the options a task declares: `Option` instances,
    unique names, defaults of the declared type, JSON-describable."""
    from nlpkit.contracts.options import Option

    problems, seen = [], set()
    for option in getattr(task, "options", ()):
        if not isinstance(option, Option):
            problems.append(f"options must be nlpkit.contracts.options.Option declarations, not {option!r}")
            continue
        if option.name in seen:
            problems.append(f"option {option.name!r} is declared twice")
        seen.add(option.name)
        if option.default is not None:
            try:
                if option.convert(option.default) != option.default:
                    problems.append(f"option {option.name!r}: default {option.default!r} is not a {option.type.__name__}")
            except Exception as exc:
                problems.append(f"option {option.name!r}: default {option.default!r} is refused by its own declaration: {exc}")
        try:
            json.dumps(option.describe())
        except (TypeError, ValueError) as exc:
            problems.append(f"option {option.name!r} cannot be described as JSON: {exc}")
    return problems


def _option_defaults(task: Any) -> dict[str, Any]:
    """The declared defaults, given explicitly to `finetune` so the round trip has values to carry."""
    return {o.name: o.default for o in getattr(task, "options", ()) if o.default is not None and o.stages & {"train", "predict"}}


def check_options_round_trip(task: Any, model: Any, given: dict[str, Any], examples: Sequence[Any]) -> list[str]:
    """Problems (empty: none) carrying `given` options through fine-tuning: saved in the
    model's nlpkit.json with their types, reloaded as the model's predict defaults, and an
    unknown option refused."""
    from nlpkit.contracts.errors import NlpkitError
    from nlpkit.contracts.options import saved_options

    problems = []
    declared = {o.name: o for o in getattr(task, "options", ())}
    saved = saved_options(model.meta)
    for name, value in given.items():
        expected = declared[name].convert(value) if name in declared else value
        if name not in saved:
            problems.append(f"option {name}={value!r} given to finetune is not saved with the model")
        elif saved[name] != expected or type(saved[name]) is not type(expected):
            problems.append(f"option {name}: finetune was given {expected!r} but the saved model has {saved[name]!r}")
    predict_defaults = task.resolve_options("predict", None, model) if hasattr(task, "resolve_options") else {}
    for name, value in saved.items():
        if name in predict_defaults and predict_defaults[name] != value:
            problems.append(f"option {name}: the model was saved with {value!r} but predict resolves {predict_defaults[name]!r}")
    try:  # the task itself, not only the API in front of it, must refuse what it does not declare
        task.predict(model, list(examples[:1]), batch_size=1, no_such_option_zz=1)
    except NlpkitError:
        return problems
    problems.append("Task.predict accepted an unknown option 'no_such_option_zz': check options with self.resolve_options('predict', options, model)")
    return problems


def _check_predictions(predictions: Sequence[Any], examples: Sequence[Any], report: TaskReport) -> None:
    from nlpkit.contracts.tasks import Record

    if len(predictions) != len(examples):
        raise _Problem(f"predict returned {len(predictions)} records for {len(examples)} inputs (one record per input, in input order)")
    bad = sorted({type(p).__name__ for p in predictions if not isinstance(p, Record)})
    if bad:
        raise _Problem(f"predict returned {', '.join(bad)}, not nlpkit.Record instances (records serialise with to_dict)")
    report.record_types = sorted({type(p).__name__ for p in predictions})
    for p in predictions:
        try:
            json.dumps(p.to_dict())
        except (TypeError, ValueError) as exc:
            raise _Problem(f"record {_short(p)} does not serialise to JSON: {exc}") from None


def check_metric_alignment(task: Any, metric: str, predictions: Sequence[Any], examples: Sequence[Any], *, rel_tol: float = 1e-6) -> list[str]:
    """Problems (empty: none) with how `metric` scores `task`: what the benchmark
    harness's bootstrap assumes, checked on real predictions."""
    from nlpkit.resolution.metrics import get_metric_spec, metric_class

    problems: list[str] = []
    spec = get_metric_spec(metric)
    cls = metric_class(spec.path)
    preds, refs, kwargs = task.metric_inputs(metric, list(predictions), list(examples))
    kwargs = {**spec.options, **kwargs}
    n = len(examples)
    if len(preds) != n or len(refs) != n:
        return [f"metric {metric!r}: metric_inputs gave {len(preds)} predictions and {len(refs)} references for {n} examples (one each per example)"]
    full = _numbers(cls.score(preds, refs, **kwargs))
    if not full:
        problems.append(f"metric {metric!r}: score returned no numbers")
    order = list(reversed(range(n)))
    shuffled = _numbers(cls.score([preds[i] for i in order], [refs[i] for i in order], **kwargs))
    changed = [k for k in full if not _close(full[k], shuffled.get(k), rel_tol)]
    if changed:
        problems.append(f"metric {metric!r}: the score depends on example order ({', '.join(changed)}); bootstrapping resamples examples")
    per_example = getattr(cls, "per_example", None)
    if per_example is not None:
        columns = per_example(preds, refs, **kwargs)
        for key, values in columns.items():
            if len(values) != n:
                problems.append(f"metric {metric!r}: per_example[{key!r}] has {len(values)} values for {n} examples")
            elif key in full and not _close(full[key], sum(values) / n, 1e-6):
                problems.append(f"metric {metric!r}: the mean of per_example[{key!r}] is {sum(values) / n:.6g} but score gives {full[key]:.6g}; bootstrap intervals would be around the wrong number")
            elif key not in full:
                problems.append(f"metric {metric!r}: per_example key {key!r} is not in score's result")
    statistics, from_statistics = getattr(cls, "statistics", None), getattr(cls, "from_statistics", None)
    if per_example is None and statistics is not None and from_statistics is not None:
        rows = statistics(preds, refs, **kwargs)
        if len(rows) != n:
            problems.append(f"metric {metric!r}: statistics gave {len(rows)} rows for {n} examples")
        else:
            summed = [sum(col) for col in zip(*rows)]
            rebuilt = _numbers(from_statistics(summed, **kwargs))
            wrong = [k for k in rebuilt if k in full and not _close(full[k], rebuilt[k], 1e-6)]
            if wrong:
                problems.append(f"metric {metric!r}: from_statistics(summed statistics) differs from score for {', '.join(wrong)}")
    return problems


# -- helpers -------------------------------------------------------------------------------
class _Problem(Exception):
    """A conformance problem found by a step (its message is the problem)."""


class _Outcome:
    def __init__(self) -> None:
        self.ok = True

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def _step(report: TaskReport, name: str) -> Iterator[_Outcome]:
    """Time a step; turn whatever it raises into one problem line naming the step."""
    outcome = _Outcome()
    start = time.perf_counter()
    try:
        yield outcome
    except _Problem as exc:
        outcome.ok = False
        report.problems.append(str(exc))
    except Exception as exc:  # the kit reports a crash as a problem of the task, not of itself
        outcome.ok = False
        first = (str(exc).strip().splitlines() or [""])[0]
        report.problems.append(f"{name} failed: {type(exc).__name__}: {first}")
    report.seconds[name] = time.perf_counter() - start


@contextmanager
def _workdir(folder: str | Path | None) -> Iterator[Path]:
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        yield Path(folder)
        return
    with tempfile.TemporaryDirectory(prefix="nlpkit-conformance-") as tmp:
        yield Path(tmp)


def _words(text: str) -> list[str]:
    return sorted(set(re.findall(r"\w+|[^\w\s]", text.lower())))


def _numbers(result: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _close(a: float, b: float | None, rel_tol: float) -> bool:
    if b is None:
        return False
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9)


def same_record(a: Any, b: Any, *, rel_tol: float = 1e-4) -> bool:
    """Records equal field by field, floats within `rel_tol` (and 1e-3 of `rel_tol` absolute)."""
    return _same(a.to_dict() if hasattr(a, "to_dict") else a, b.to_dict() if hasattr(b, "to_dict") else b, rel_tol)


def _same(a: Any, b: Any, rel_tol: float) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=rel_tol, abs_tol=rel_tol * 1e-3)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel_tol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, rel_tol) for x, y in zip(a, b))
    return a == b


def _short(record: Any) -> str:
    text = json.dumps(record.to_dict() if hasattr(record, "to_dict") else repr(record), ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


__all__ = ["ConformanceError", "ConformanceReport", "TaskReport", "check_plugin", "check_metric_alignment", "check_import_is_light", "sample_path", "same_record"]


def check_task(task: Any) -> list[str]:
    """Conformance problems of a task object (empty list: it conforms).

    Checks what the core relies on: a public name, a known head, string
    metric names and callable verbs. Plugin authors call this in their tests.
    """
    from nlpkit.contracts.tasks import Head, Task

    problems = []
    if not isinstance(task, Task):
        problems.append(f"{task!r} is not an nlpkit.Task")
    name = getattr(task, "name", None)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", name or ""):
        problems.append(f"task name {name!r} must be lower-case letters, digits, '-' or '_'")
    if not isinstance(getattr(task, "head", None), Head):
        problems.append(f"task {name!r} head must be an nlpkit.Head, not {getattr(task, 'head', None)!r}")
    metrics = getattr(task, "default_metrics", ())
    if not all(isinstance(m, str) for m in metrics):
        problems.append(f"task {name!r} default_metrics must be metric names")
    for verb in ("read", "predict", "metric_inputs", "parse_inputs"):
        if not callable(getattr(task, verb, None)):
            problems.append(f"task {name!r} has no callable {verb}")
    return problems
