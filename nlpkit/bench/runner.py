"""Run a suite: fine-tune where asked, time inference, score with confidence intervals.

Each run's result is written to ``OUTPUT/runs/<run>.json`` as soon as it ends, so
an interrupted suite resumes (runs whose configuration is unchanged are skipped
unless ``force``). A run that fails is recorded with its error; the others go on.
"""

from __future__ import annotations

import functools
import json
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.bench.executors import execute
from nlpkit.bench.stats import bootstrap, numeric_items, peak_memory_mb, reset_peak_memory
from nlpkit.bench.suite import RUN_REFERENCE, RunSpec, Suite, SuiteError
from nlpkit.contracts.errors import NlpkitError

if TYPE_CHECKING:
    from nlpkit.contracts.device import Placement

RESULTS_SCHEMA = "nlpkit.bench/1"
WARMUP_EXAMPLES = 16


@dataclass
class BenchOptions:
    data_dir: str | Path | None = None
    output: Path = Path("runs/bench")
    only: str | None = None
    limit: int | None = None
    force: bool = False
    bootstrap: int | None = None
    progress: bool = True
    #: Override every run's `device`/`precision` (`nlpkit bench --device/--precision`).
    device: str | None = None
    precision: str | None = None
    #: Where runs execute (`nlpkit.bench.executors`): "serial" here, or "ray".
    executor: str = "serial"
    #: Ray cluster address ("auto", "ray://HOST:PORT"); None: a local instance.
    address: str | None = None
    cpus_per_run: float = 1


def run_suite(suite: Suite, options: BenchOptions, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run (or resume) every selected run; return the results document."""
    from nlpkit.bench.environment import environment

    output = Path(options.output)
    (output / "runs").mkdir(parents=True, exist_ok=True)
    runs = suite.select(options.only)
    placements = place_runs(suite, runs, options)  # an absent device fails here, before any run
    results: list[dict[str, Any]] = []
    jobs = []
    for number, run in enumerate(runs, start=1):
        if options.limit is not None:
            run.limit = options.limit if run.limit is None else min(run.limit, options.limit)
        if options.bootstrap is not None:
            run.bootstrap = options.bootstrap
        path = output / "runs" / f"{run.name}.json"
        previous = _read(path)
        if previous and not options.force and previous.get("fingerprint") == run.fingerprint() and previous.get("status") == "ok":
            echo(f"[{number}/{len(runs)}] {run.name}: done before, skipped (--force re-runs)")
            results.append(previous)
            continue
        line = f"[{number}/{len(runs)}] {run.name}: {run.task} · {run.model} · {run.data_ref()}" + (f" · fine-tune on {run.train_ref()}" + (f"[:{run.finetune.limit}]" if run.finetune and run.finetune.limit else "") if run.finetune else "")
        jobs.append((line, run, placements[run.name]))
    remote = options.executor != "serial"
    if remote and any(run.upstream for _, run, _ in jobs):
        raise SuiteError(f"{suite.path}: runs that use another run's model ({RUN_REFERENCE}NAME) need the serial executor: they run in order")
    work = functools.partial(run_one, options=replace(options, progress=False) if remote else options, output=output)
    for run, record in execute(options.executor, jobs, work, echo, address=options.address, cpus_per_run=options.cpus_per_run):
        for key, value in {"name": run.name, "task": run.task, "model": run.model, "data": run.data_ref(), "config": run.config(), "fingerprint": run.fingerprint()}.items():
            record.setdefault(key, value)  # a worker lost before it could say
        if record["status"] == "error":
            echo(f"    FAILED: {record['error']}")
        (output / "runs" / f"{run.name}.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
        if record["status"] == "ok":
            echo("    " + summary_line(record))
        results.append(record)
    chosen = {r.name for r in runs}
    for run in suite.runs:  # keep earlier results of runs not selected this time
        if run.name not in chosen:
            previous = _read(output / "runs" / f"{run.name}.json")
            if previous and previous.get("fingerprint") == run.fingerprint():
                results.append(previous)
    order = {run.name: i for i, run in enumerate(suite.runs)}
    results.sort(key=lambda r: order.get(r["name"], len(order)))
    document = {
        "schema": RESULTS_SCHEMA,
        "suite": {"name": suite.name, "path": str(suite.path), "description": suite.description, "seed": suite.seed, "bootstrap": suite.bootstrap},
        "environment": environment(suite.seed, Path.cwd()),
        "runs": results,
    }
    (output / "results.json").write_text(json.dumps(document, indent=2, default=str) + "\n")
    return document


def run_one(run: RunSpec, placement: Placement, *, options: BenchOptions, output: Path) -> dict[str, Any]:
    """One run's record (``status`` ok or error, with the error), never raising but for Ctrl-C:
    what every executor calls, here or on a worker."""
    started = time.time()
    try:
        record = measure(run, options, output, placement)
        record["status"] = "ok"
    except (Exception, KeyboardInterrupt) as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        record = {"status": "error", "error": f"{type(exc).__name__}: {exc}" if not isinstance(exc, NlpkitError) else str(exc)}
        if not isinstance(exc, NlpkitError):
            record["traceback"] = traceback.format_exc(limit=8)
    record.update(name=run.name, task=run.task, model=run.model, data=run.data_ref(), config=run.config(), fingerprint=run.fingerprint(), seconds=time.time() - started, device=placement.to_dict())
    return record


def place_runs(suite: Suite, runs: list[RunSpec], options: BenchOptions) -> dict[str, Placement]:
    """Resolve each run's device and precision (the options override the suite's), store
    the concrete ones in the run (so they count in its fingerprint), and return them by run name.

    Fine-tuning runs go first: on a machine with several GPUs, ``cuda:N`` narrows
    ``CUDA_VISIBLE_DEVICES`` for the Trainer, and later runs asking for ``cuda:N`` reuse that.
    """
    from nlpkit import api
    from nlpkit.contracts.device import resolve, resolve_for_training
    from nlpkit.resolution.models import resolve_model

    placements: dict[str, Placement] = {}
    narrowed: dict[str, Placement] = {}
    for run in sorted(runs, key=lambda r: r.finetune is None):
        run.device = options.device or run.device
        run.precision = options.precision or run.precision
        try:
            backend = resolve_model(run.model, api.get_task(run.task)).backend
            cpu_only = None if backend.accelerated else backend.name
        except NlpkitError:
            cpu_only = None  # a model that does not resolve fails in its own run, recorded there
        try:
            if cpu_only is None and run.device in narrowed:
                placement = replace(narrowed[run.device], precision=resolve(narrowed[run.device].device, run.precision).precision)
            else:
                placement = (resolve_for_training if run.finetune else resolve)(run.device, run.precision, cpu_only=cpu_only)
        except NlpkitError as exc:
            raise SuiteError(f"{suite.path}:{run.line}: run {run.name!r}: {exc}") from None
        if placement.note.startswith("CUDA_VISIBLE_DEVICES"):
            narrowed[run.device] = placement
        run.device, run.precision = placement.device, placement.precision
        placements[run.name] = placement
    return placements


def measure(run: RunSpec, options: BenchOptions, output: Path, placement: Placement | None = None) -> dict[str, Any]:
    """Fine-tune (if asked), then predict with timing, then score with CIs."""
    from nlpkit import api
    from nlpkit.engines.inference import InferenceStats
    from nlpkit.resolution.data import load_examples
    from nlpkit.resolution.metrics import get_metric_spec, main_value, metric_class
    from nlpkit.resolution.models import load_model

    task = api.get_task(run.task)
    record: dict[str, Any] = {}
    model_ref = resolve_reference(run.model, output)
    run_options = {k: resolve_reference(v, output) for k, v in run.options.items()}
    if run.finetune is not None:
        model_ref, record["finetune"] = _finetune(run, task, options, output, placement)
    examples = load_examples(task, run.data_ref(), data_dir=options.data_dir, limit=run.limit, read_options=api.read_options(task, api.task_options(task, run_options, "evaluate")))
    for example in examples:
        task.check_example_for_scoring(example)
    model = load_model(model_ref, task, device=run.device, precision=run.precision)
    examples, mapping = api.align_labels(model, examples, run.data_ref())  # labels spelled otherwise: mapped, or a failed run
    if mapping:
        record["label_mapping"] = mapping

    # warm-up: first calls allocate, JIT-select kernels and fill caches
    task.predict(model, examples[:WARMUP_EXAMPLES], batch_size=run.batch_size, **run_options)
    reset_peak_memory()
    stats = InferenceStats()
    start = time.perf_counter()
    predictions = task.predict(model, examples, batch_size=run.batch_size, stats=stats, progress=options.progress, **run_options)
    wall = time.perf_counter() - start
    record["inference"] = {**stats.summary(), "wall_seconds": wall, "peak_rss_mb": peak_memory_mb()}
    record["examples"] = len(examples)

    scores: dict[str, Any] = {}
    for name in run.metrics or list(task.default_metrics):
        spec = get_metric_spec(name)
        cls = metric_class(spec.path)
        preds, refs, kwargs = task.metric_inputs(name, predictions, examples)
        kwargs = {**spec.options, **kwargs}
        result = cls.score(preds, refs, **kwargs)
        ci = bootstrap(
            cls.score, preds, refs, kwargs, resamples=run.bootstrap, seed=run.seed, per_example=getattr(cls, "per_example", None),
            statistics=getattr(cls, "statistics", None), from_statistics=getattr(cls, "from_statistics", None),
        )
        key = spec.main_key or getattr(cls, "main_key", "") or name
        scores[name] = {"main": key, "value": main_value(name, result), "ci95": ci.get(key), "ci95_all": ci, "result": result}
    record["scores"] = scores
    _write_predictions(output / "predictions" / f"{run.name}.jsonl", predictions)
    return record


def _finetune(run: RunSpec, task: Any, options: BenchOptions, output: Path, placement: Placement | None = None) -> tuple[str, dict[str, Any]]:
    from nlpkit import api
    from nlpkit.engines.training import StaleWorkError, TrainConfig

    assert run.finetune is not None
    spec = run.finetune
    folder = output / "models" / run.name
    stamp = output / "models" / f"{run.name}.json"
    previous = _read(stamp)
    wanted = {"model": run.model, "train": run.train_ref(), "finetune": run.config()["finetune"], "device": run.device, "precision": run.precision, **({"upstream": run.upstream} if run.upstream else {})}
    seed = spec.seed if spec.seed is not None else run.seed
    if previous and previous.get("wanted") == wanted and (folder / "nlpkit.json").exists() and not options.force:
        return str(folder), {**previous["measured"], "reused": True}
    shared = _same_finetune(output / "models", wanted, seed, this_process_only=options.force)
    if shared is not None:  # another run of the suite fine-tuned the same model on the same data with the same settings
        return shared
    config = TrainConfig(
        epochs=spec.epochs, max_steps=spec.max_steps, learning_rate=spec.learning_rate, batch_size=spec.batch_size,
        max_length=spec.max_length, seed=seed, task_options={k: resolve_reference(v, output) for k, v in spec.options.items()},
        lora=spec.lora, freeze_embeddings=spec.freeze_embeddings, progress=options.progress, warmup_ratio=spec.warmup_ratio, weight_decay=spec.weight_decay, lr_scheduler=spec.lr_scheduler,
        gradient_accumulation_steps=spec.gradient_accumulation_steps,
    )
    reset_peak_memory()
    # the device as asked (auto/cuda leave the GPUs to the Trainer), or the one `place_runs` narrowed to
    device = run.device if placement is None or placement.note.startswith("CUDA_VISIBLE_DEVICES") else placement.requested

    if folder.exists():
        shutil.rmtree(folder)  # a model of other settings; an interrupted fine-tune of these resumes
    try:
        result = api.finetune(task, model=resolve_reference(run.model, output), train=run.train_ref(), output=folder, data_dir=options.data_dir, config=config, train_limit=spec.limit, device=device, precision=run.precision)
    except StaleWorkError:
        result = api.finetune(task, model=resolve_reference(run.model, output), train=run.train_ref(), output=folder, data_dir=options.data_dir, config=config, train_limit=spec.limit, overwrite=True, device=device, precision=run.precision)
    passes = spec.epochs if not spec.max_steps else None
    measured = {
        "seconds": result.train_seconds,
        "examples": result.train_examples,
        "examples_per_second": result.train_examples * passes / result.train_seconds if passes and result.train_seconds else None,
        "peak_rss_mb": peak_memory_mb(),
    }
    metrics_file = folder / "metrics.json"
    if metrics_file.exists():
        train = json.loads(metrics_file.read_text()).get("train", {})
        if train.get("train_samples_per_second"):
            measured["examples_per_second"] = float(train["train_samples_per_second"])
    stamp.write_text(json.dumps({"wanted": wanted, "seed": seed, "measured": measured}, indent=2) + "\n")
    _TRAINED_HERE.add(stamp.resolve())
    return str(folder), measured


def resolve_reference(value: Any, output: Path) -> Any:
    """``"run:NAME"`` → the folder of run NAME's fine-tuned model (`RUN_REFERENCE`); other values as they are."""
    if not (isinstance(value, str) and value.startswith(RUN_REFERENCE)):
        return value
    name = value[len(RUN_REFERENCE):]
    folder = output / "models" / name
    if not (folder / "nlpkit.json").exists():
        raise NlpkitError(f"{value}: run {name!r} has no fine-tuned model in {folder}; run it first (it failed, or --only left it out)")
    return str(folder)


#: Stamps of the models this process fine-tuned (`--force` shares only those).
_TRAINED_HERE: set[Path] = set()


def _same_finetune(models: Path, wanted: dict[str, Any], seed: int, *, this_process_only: bool = False) -> tuple[str, dict[str, Any]] | None:
    """A model another run of this output fine-tuned with the same `wanted` settings and seed
    (several runs scoring one model on several splits or with several prediction options
    train it once), with its recorded training measurements; None if there is none.
    `this_process_only` (``--force``) skips models trained by an earlier invocation."""
    for stamp in sorted(models.glob("*.json")) if models.is_dir() else ():
        if this_process_only and stamp.resolve() not in _TRAINED_HERE:
            continue
        found = _read(stamp)
        folder = stamp.with_suffix("")
        if found and found.get("wanted") == wanted and found.get("seed") == seed and (folder / "nlpkit.json").exists():
            return str(folder), {**found["measured"], "reused": True, "shared_with": folder.name}
    return None


def summary_line(record: dict[str, Any]) -> str:
    parts = []
    for name, score in record.get("scores", {}).items():
        if score["value"] is None:
            continue
        ci = score.get("ci95")
        parts.append(f"{name} {score['value']:.4f}" + (f" [{ci[0]:.4f}, {ci[1]:.4f}]" if ci else ""))
    inf = record.get("inference", {})
    if inf.get("examples_per_second"):
        parts.append(f"{inf['examples_per_second']:.1f} ex/s")
    if record.get("finetune"):
        parts.append(f"trained {record['finetune']['examples']} ex in {record['finetune']['seconds']:.0f} s")
    return " · ".join(parts)


def _write_predictions(path: Path, predictions: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for p in predictions:
            handle.write(json.dumps(p.to_dict() if hasattr(p, "to_dict") else p, ensure_ascii=False, default=str) + "\n")


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


__all__ = ["BenchOptions", "run_suite", "measure", "numeric_items", "place_runs"]
