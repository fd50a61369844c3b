"""The ``nlpkit`` command: a thin click layer over `nlpkit.api`.

Heavy libraries are imported inside the commands that need them, so ``nlpkit
--help`` and ``nlpkit plugins`` stay fast. Errors meant for users (`NlpkitError`)
print as one line, ``Error: …``, with exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nlpkit import cli_output as out
from nlpkit.contracts import __version__
from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.training import LR_SCHEDULERS
from nlpkit.scaffold import KINDS as SCAFFOLD_KINDS


class NlpkitGroup(click.Group):
    """A click group that turns `NlpkitError` into a one-line error and gives every
    command (plugins' too) ``-q/--quiet`` and ``-v/--verbose``."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(out.add_verbosity_options(cmd), name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NlpkitError as exc:
            raise click.ClickException(str(exc)) from None


click.ClickException.exit_code = 2


@click.group(cls=NlpkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nlpkit", message="%(prog)s %(version)s (distribution nlpkit-core)")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="Show progress bars, library banners and logging.")
def cli(quiet: bool, verbose: bool) -> None:
    """Fine-tune, run and benchmark pre-trained language models on NLP tasks.

    Tasks come from plugins (`nlpkit plugins`). Data arguments take a file or a
    registered dataset as NAME[:SPLIT] (`nlpkit datasets`), read from --data-dir.

    stdout carries only results (JSON lines, tables, --json); status goes to
    stderr, one line per phase unless stderr is a terminal. Shell completion:
    eval "$(_NLPKIT_COMPLETE=bash_source nlpkit)" (zsh_source, fish_source).
    """
    out.configure(out.VERBOSE if verbose else out.QUIET if quiet else out.NORMAL)


def _manager() -> Any:
    from nlpkit.plugins import get_manager

    return get_manager()


def parse_options(values: tuple[str, ...]) -> dict[str, str]:
    """``("top_k=3", "lang=de")`` → ``{"top_k": "3", "lang": "de"}``; the task's declared
    types convert the values (`nlpkit.contracts.options`), so ``prefix=123`` stays a text."""
    out: dict[str, str] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise NlpkitError(f"option {item!r} must look like KEY=VALUE")
        out[key.strip()] = raw
    return out


option_flag = click.option("--option", "-O", "options", multiple=True, metavar="KEY=VALUE", help="Task-specific option (repeatable).")
untrained_head_flag = click.option("--allow-untrained-head", is_flag=True, help="Use a model whose head for the task is untrained (random predictions; normally refused).")
trust_flag = click.option("--trust-remote-code", is_flag=True, help="Let a model folder or hub id that ships its own Python code run it (read that code first; off by default).")
POSITIVE_INT = click.IntRange(min=1)
POSITIVE_FLOAT = click.FloatRange(min=0, min_open=True)


def _checked(parse: Any) -> Any:
    """A click callback running an `nlpkit.contracts.device` spelling check (None stays None: "not given")."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(parse(value))
        except NlpkitError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def device_flags(default_help: str, precision_default: str = "fp32") -> Any:
    """`--device` and `--precision` (the device used is printed with `-v`)."""
    from nlpkit.contracts import device as dev  # light: torch is imported inside its functions

    def decorate(command: Any) -> Any:
        command = click.option("--precision", metavar="fp32|fp16|bf16|auto", callback=_checked(dev.parse_precision), help=f"Numeric precision (default {precision_default}; auto: bf16/fp16 on CUDA, fp32 elsewhere).")(command)
        return click.option("--device", metavar="auto|cpu|cuda|cuda:N|mps", callback=_checked(dev.parse_device), help=f"Where to compute ({default_help}).")(command)

    return decorate


_table = out.table


def complete_task(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion for a TASK argument: the registered task names."""
    return _complete("tasks", incomplete)


def complete_model(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion for --model: registered model names (folders complete as paths)."""
    return _complete("models", incomplete)


def _complete(kind: str, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    try:
        entries = list(_manager().registries[kind])
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [CompletionItem(e.name, help=getattr(e.item, "description", "")) for e in entries if e.name.startswith(incomplete)]


def _listing(as_json: bool, rows: list[dict[str, Any]], columns: list[str], headers: list[str], wrap: list[int] | None = None) -> None:
    """A listing: a table that fits the terminal (wrapping the `wrap` columns, default
    the last), or JSON with --json."""
    if as_json:
        out.echo_json(rows)
    else:
        click.echo(_table([[r[c] for c in columns] for r in rows], headers, wrap=wrap))


# -- listings -------------------------------------------------------------------
@cli.command()
@click.argument("name", required=False, shell_complete=complete_task)
@out.json_option
def tasks(name: str | None, as_json: bool) -> None:
    """List the tasks plugins provide (`nlpkit tasks NAME` = `nlpkit task NAME`)."""
    if name is not None:
        _describe_task(name, as_json)
        return
    entries = list(_manager().registries["tasks"])
    if as_json:
        out.echo_json([task_description(e.item, e.distribution) for e in entries])
        return
    rows = [{"name": e.name, "head": e.item.head.value, "distribution": e.distribution, "description": e.item.description} for e in entries]
    _listing(False, rows, ["name", "head", "distribution", "description"], ["task", "head", "plugin", "description"])


def task_description(task: Any, distribution: str | None = None) -> dict[str, Any]:
    """What `nlpkit task NAME --json` prints: head, formats, defaults and every option."""
    return {
        "name": task.name,
        "plugin": distribution,
        "description": task.description,
        "head": task.head.value,
        "formats": list(task.formats),
        "default_model": task.default_model,
        "default_dataset": task.default_dataset,
        "default_metrics": list(task.default_metrics),
        "options": [option.describe() for option in task.options],
    }


def _describe_task(name: str, as_json: bool) -> None:
    entry = next((e for e in _manager().registries["tasks"] if e.name == name), None)
    task = entry.item if entry is not None else _manager().get("tasks", name)  # unknown: did-you-mean error
    info = task_description(task, entry.distribution if entry else None)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"{info['name']}: {info['description']}")
    for label, key in (("plugin", "plugin"), ("head", "head"), ("default model", "default_model"), ("default dataset", "default_dataset")):
        click.echo(f"  {label + ':':<17}{info[key] if info[key] is not None else '-'}")
    click.echo(f"  {'default metrics:':<17}{', '.join(info['default_metrics']) or '-'}")
    click.echo(f"  {'formats:':<17}{'; '.join(info['formats']) or '-'}")
    if not task.options:
        click.echo("\nno options (-O KEY=VALUE is rejected)")
        return
    rows = []
    for option in task.options:
        kind = "|".join(map(str, option.choices)) if option.choices else option.type.__name__ + ("|" + "|".join(option.keywords) if option.keywords else "")
        rows.append([option.name, kind, "-" if option.default is None else json.dumps(option.default), ",".join(sorted(option.stages)), option.help])
    click.echo("\noptions (-O KEY=VALUE):\n" + _table(rows, ["option", "type", "default", "stages", "help"]))


@cli.command("task")
@click.argument("name", shell_complete=complete_task)
@out.json_option
def task_command(name: str, as_json: bool) -> None:
    """Describe task NAME: head, input formats, defaults and its -O options."""
    _describe_task(name, as_json)


@cli.command()
@out.json_option
def models(as_json: bool) -> None:
    """List named models and the backends that load them."""
    manager = _manager()
    rows = []
    for e in manager.registries["models"]:
        source = "(untrained: fine-tune it)" if e.item.source is None else ("(packaged)" if callable(e.item.source) else e.item.source)
        rows.append({"name": e.name, "backend": e.item.backend, "source": source, "distribution": e.distribution, "description": e.item.description})
    if as_json:
        backends = [{"name": e.name, "heads": sorted(h.value for h in e.item.heads), "distribution": e.distribution} for e in manager.registries["backends"]]
        from nlpkit.engines.backends.families import support_table

        out.echo_json({"models": rows, "backends": backends, "backbones": support_table()})
        return
    _listing(False, rows, ["name", "backend", "source", "description"], ["model", "backend", "source", "description"])
    click.echo("\nbackends: " + ", ".join(f"{e.name} ({', '.join(sorted(h.value for h in e.item.heads))})" for e in manager.registries["backends"]))
    click.echo("Any transformers checkpoint folder or hub id works as --model too; `nlpkit backbones` lists the families tested on each head.")


@cli.command()
@out.json_option
def backbones(as_json: bool) -> None:
    """Model families (BERT, RoBERTa, XLNet, T5, GPT-2…) tested on each task head in CI."""
    from nlpkit.engines.backends.families import MATRIX_TASKS, na_cells, support_table

    rows = support_table()
    if as_json:
        out.echo_json(rows)
        return
    table = [[r["family"], *("yes" if r["tasks"][t] == "tested" else "n/a" for t in MATRIX_TASKS), r["tokenizer"]] for r in rows]
    click.echo(_table(table, ["family", *MATRIX_TASKS, "tokenizer"], wrap=[len(MATRIX_TASKS) + 1]))
    click.echo("\nn/a:")
    for family, task, reason in na_cells():
        click.echo(f"  {family} × {task}: {reason}")


@cli.command()
@out.json_option
def datasets(as_json: bool) -> None:
    """List registered datasets (use as NAME[:SPLIT])."""
    rows = [
        {"name": e.name, "task": e.item.task, "splits": list(e.item.files), "folder": e.item.folder, "hub_id": e.item.hub_id,
         "package": getattr(e.item, "package", None), "distribution": e.distribution, "description": e.item.description}
        for e in _manager().registries["datasets"]
    ]
    for r in rows:
        where = f"inside {r['package']}" if r["package"] else f"{r['folder']}/"
        r["where"] = where + (f"\nhub: {r['hub_id']}" if r["hub_id"] else "")
        r["splits_text"] = ", ".join(r["splits"])
    if as_json:
        out.echo_json([{k: v for k, v in r.items() if k not in ("where", "splits_text")} for r in rows])
        return
    _listing(False, rows, ["name", "task", "splits_text", "where"], ["dataset", "task", "splits", "files (under --data-dir) / hub id"], wrap=[2, 3])


@cli.command()
@out.json_option
def metrics(as_json: bool) -> None:
    """List registered metrics."""
    rows = [{"name": e.name, "distribution": e.distribution, "description": e.item.description} for e in _manager().registries["metrics"]]
    _listing(as_json, rows, ["name", "distribution", "description"], ["metric", "plugin", "description"])


@cli.command()
@out.json_option
def plugins(as_json: bool) -> None:
    """List plugins: distribution, version, hooks, what each registered and what it could not."""
    infos = _manager().plugins
    if as_json:
        click.echo(json.dumps([info.to_dict() for info in infos], indent=2))
        return
    rows = []
    for info in infos:
        registered = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in info.registered.items())
        if info.skipped:
            registered += "; SKIPPED (name taken): " + ", ".join(map(str, info.skipped))
        hooks = ", ".join(h.removeprefix("register_") for h in info.hooks)
        rows.append([info.name, info.distribution, info.version, hooks, f"ERROR {info.error}" if info.error else registered])
    click.echo(_table(rows, ["plugin", "distribution", "version", "hooks (register_…)", "registered"], wrap=[3, 4]))


# -- verbs ----------------------------------------------------------------------
def _check_output_file(output: Path) -> None:
    """Fail before predicting when `output` cannot be written (a folder, no permission, no such place)."""
    if output.is_dir():
        raise NlpkitError(f"--output {output} is a folder; give a file name such as {output / 'predictions.jsonl'}")
    probe = output.with_name(output.name + ".tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        probe.touch()
    except OSError as exc:
        raise NlpkitError(f"--output {output}: cannot write there ({exc.strerror or exc}); choose another file") from None
    probe.unlink()


def _write_jsonl(records: list[Any], output: Path | None) -> None:
    lines = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)
    if output is None:
        click.echo(lines, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".tmp")
        try:
            tmp.write_text(lines, encoding="utf-8")
            tmp.replace(output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)  # no half-written file left behind (a full disk)
            raise NlpkitError(f"--output {output}: writing failed ({exc.strerror or exc}); nothing was written") from None
        out.info(f"wrote {len(records)} predictions to {output}")


@cli.command()
@click.argument("task", shell_complete=complete_task)
@click.argument("text", nargs=-1)
@click.option("--model", "-m", shell_complete=complete_model, help="Registered name, model folder or hub id (default: the task's).")
@click.option("--input", "-i", "input_file", type=click.Path(path_type=Path), help="Read inputs from a file (text lines, or the task's format).")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write JSON lines here instead of stdout.")
@click.option("--batch-size", default=32, show_default=True, type=POSITIVE_INT)
@click.option("--chunk-size", default=1000, show_default=True, type=POSITIVE_INT, help="With --input and --output: inputs read, predicted and appended at a time (memory bound; resume point).")
@click.option("--overwrite", is_flag=True, help="With --input and --output: start over instead of resuming a partial output.")
@click.option("--executor", type=click.Choice(["serial", "ray"]), default="serial", show_default=True, help="With --input and --output: predict chunks here, or on Ray workers (one ordered output).")
@click.option("--workers", default=2, show_default=True, type=POSITIVE_INT, help="With --executor ray: Ray actors, one model each.")
@device_flags("default auto: CUDA, else MPS, else the CPU")
@untrained_head_flag
@option_flag
@trust_flag
def predict(task: str, text: tuple[str, ...], model: str | None, input_file: Path | None, output: Path | None, batch_size: int, chunk_size: int, overwrite: bool, executor: str, workers: int, device: str | None, precision: str | None, allow_untrained_head: bool, options: tuple[str, ...], trust_remote_code: bool) -> None:
    """Predict TASK on TEXT arguments or an --input file; JSON lines out."""
    from nlpkit import api

    task_obj = api.get_task(task)
    if text and input_file:
        raise NlpkitError("give TEXT arguments or --input, not both")
    if input_file and output is not None:
        inputs = []  # streamed below, a chunk at a time
    elif input_file:
        inputs = task_obj.read_inputs(input_file)
    elif text:
        inputs = task_obj.parse_inputs(list(text))
    else:
        raise NlpkitError("nothing to predict: give TEXT arguments or --input FILE")
    if output is not None:
        _check_output_file(output)
    if executor != "serial" and not (input_file and output is not None):
        raise NlpkitError("--executor ray goes with --input FILE and --output FILE")
    if input_file and output is not None:  # streaming: memory independent of the input, resumable
        result = api.predict_file(task_obj, input_file, output, model=model, batch_size=batch_size, chunk_size=chunk_size, overwrite=overwrite, executor=executor, workers=workers, options=parse_options(options), trust_remote_code=trust_remote_code, device=device, precision=precision, allow_untrained_head=allow_untrained_head)
        resumed = f" (resumed after {result.resumed_from})" if result.resumed_from else ""
        out.info(f"wrote {result.written} predictions to {output}{resumed}; it holds {result.records}")
        return
    records = api.predict(task_obj, inputs, model=model, batch_size=batch_size, progress=len(inputs) > 200 and out.progress_wanted(), options=parse_options(options), trust_remote_code=trust_remote_code, device=device, precision=precision, allow_untrained_head=allow_untrained_head)
    _write_jsonl(records, output)


@cli.command()
@click.argument("task", shell_complete=complete_task)
@click.option("--model", "-m", required=True, shell_complete=complete_model, help="Pre-trained model: registered name, folder or hub id.")
@click.option("--train", "train", required=True, help="Training data: file or DATASET[:SPLIT] (SPLIT+SPLIT reads several, e.g. conll04:train+dev).")
@click.option("--eval", "eval_", help="Evaluation data scored after training: file or DATASET[:SPLIT].")
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path), help="Folder for the fine-tuned model.")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="NLPKIT_DATA_DIR", help="Local dataset mirror (DIR/<task>/<dataset>/…).")
@click.option("--epochs", default=3.0, show_default=True, type=POSITIVE_FLOAT)
@click.option("--lr", default=5e-5, show_default=True, type=POSITIVE_FLOAT, help="Learning rate.")
@click.option("--batch-size", default=16, show_default=True, type=POSITIVE_INT)
@click.option("--max-steps", type=POSITIVE_INT, help="Stop after this many optimizer steps (overrides --epochs).")
@click.option("--max-length", default=128, show_default=True, type=POSITIVE_INT, help="Truncate inputs to this many tokens.")
@click.option("--warmup-ratio", default=0.06, show_default=True, type=click.FloatRange(0, 1, max_open=True), help="Share of the steps that warm the learning rate up from 0.")
@click.option("--weight-decay", default=0.01, show_default=True, type=click.FloatRange(min=0), help="AdamW weight decay.")
@click.option("--lr-scheduler", default="linear", show_default=True, type=click.Choice(LR_SCHEDULERS), help="How the learning rate decays after warmup.")
@click.option("--grad-accum", default=1, show_default=True, type=POSITIVE_INT, help="Batches per optimizer step (effective batch = batch size × this).")
@click.option("--seed", default=42, show_default=True)
@click.option("--train-limit", type=POSITIVE_INT, help="Use only the first N training examples.")
@click.option("--eval-limit", type=POSITIVE_INT, help="Score only the first N evaluation examples.")
@click.option("--early-stopping", type=POSITIVE_INT, help="Stop after N epochs without eval-loss improvement (needs --eval).")
@click.option("--lora", is_flag=True, help="Train LoRA adapters (peft) and merge them into the saved model.")
@click.option("--freeze-embeddings", is_flag=True, help="Keep the word-piece embedding matrix as pre-trained (a much cheaper step for small encoders on a CPU).")
@click.option("--save-steps", type=POSITIVE_INT, help="Save a resumable checkpoint every N optimizer steps (default: every 5 minutes of training).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output folder and discard an interrupted run's OUTPUT.partial.")
@device_flags("default auto: CUDA, else MPS, else the CPU; fp16/bf16 train in mixed precision on CUDA, bf16 also on a CPU with bf16 arithmetic")
@out.json_option
@option_flag
@trust_flag
def finetune(task: str, model: str, train: str, eval_: str | None, output: Path, data_dir: Path | None, epochs: float, lr: float, batch_size: int, max_steps: int | None, max_length: int, warmup_ratio: float, weight_decay: float, lr_scheduler: str, grad_accum: int, seed: int, train_limit: int | None, eval_limit: int | None, early_stopping: int | None, lora: bool, freeze_embeddings: bool, save_steps: int | None, overwrite: bool, device: str | None, precision: str | None, as_json: bool, options: tuple[str, ...], trust_remote_code: bool) -> None:
    """Fine-tune a pre-trained model for TASK and save a self-describing folder.

    An interrupted run resumes from its last checkpoint in OUTPUT.partial when the
    same command is run again (same data and settings); --overwrite starts over."""
    from nlpkit import api
    from nlpkit.engines.training import TrainConfig

    config = TrainConfig(
        epochs=epochs, learning_rate=lr, batch_size=batch_size, max_steps=max_steps, max_length=max_length, seed=seed, early_stopping_patience=early_stopping, lora=lora, freeze_embeddings=freeze_embeddings,
        warmup_ratio=warmup_ratio, weight_decay=weight_decay, lr_scheduler=lr_scheduler, gradient_accumulation_steps=grad_accum,
        save_steps=save_steps, task_options=parse_options(options), progress=out.progress_wanted(), trust_remote_code=trust_remote_code,
    )
    try:
        result = api.finetune(task, model=model, train=train, eval=eval_, output=output, data_dir=data_dir, config=config, train_limit=train_limit, eval_limit=eval_limit, overwrite=overwrite, device=device, precision=precision)
    except KeyboardInterrupt:
        from nlpkit.engines.training import last_checkpoint

        partial = output.with_name(output.name + ".partial")
        if last_checkpoint(partial / "checkpoints"):
            raise click.ClickException(f"interrupted; checkpoints are kept in {partial} — run the same command again to resume") from None
        raise click.ClickException("interrupted before the first checkpoint was saved; nothing to resume (a rerun starts over)") from None
    from nlpkit.engines.distributed import is_main

    if not is_main():  # under torchrun: rank 0 reports, once
        return
    out.info(f"saved {result.output} ({result.train_examples} training examples, {result.train_seconds:.1f} s)")
    if as_json:
        out.echo_json({"output": str(result.output), "train_examples": result.train_examples, "train_seconds": result.train_seconds, "metrics": result.metrics})
    elif result.metrics:
        _print_metrics(result.metrics)


def _print_metrics(metrics: dict[str, dict[str, Any]]) -> None:
    rows = []
    for name, result in metrics.items():
        for key, value in result.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                rows.append([name, key, f"{value:.4f}" if isinstance(value, float) else str(value)])
    click.echo(_table(rows, ["metric", "key", "value"]))


@cli.command()
@click.argument("task", shell_complete=complete_task)
@click.option("--model", "-m", shell_complete=complete_model, help="Model folder, registered name or hub id (default: the task's).")
@click.option("--data", "-d", required=True, help="Labelled data: file or DATASET[:SPLIT].")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="NLPKIT_DATA_DIR", help="Local dataset mirror.")
@click.option("--metric", "metric_names", multiple=True, help="Metric to compute (repeatable; default: the task's).")
@click.option("--limit", type=POSITIVE_INT, help="Score only the first N examples.")
@click.option("--batch-size", default=32, show_default=True, type=POSITIVE_INT)
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON on stdout instead of a table.")
@device_flags("default auto: CUDA, else MPS, else the CPU")
@untrained_head_flag
@option_flag
@trust_flag
def evaluate(task: str, model: str | None, data: str, data_dir: Path | None, metric_names: tuple[str, ...], limit: int | None, batch_size: int, as_json: bool, device: str | None, precision: str | None, allow_untrained_head: bool, options: tuple[str, ...], trust_remote_code: bool) -> None:
    """Score a model for TASK on labelled data (gold labels spelled otherwise are mapped when unambiguous, and the mapping printed)."""
    from nlpkit import api

    result = api.evaluate(task, model=model, data=data, data_dir=data_dir, metrics=list(metric_names) or None, limit=limit, batch_size=batch_size, progress=out.progress_wanted(), options=parse_options(options), trust_remote_code=trust_remote_code, device=device, precision=precision, allow_untrained_head=allow_untrained_head)
    if result.label_mapping:
        click.echo("mapped gold labels to the model's: " + ", ".join(f"{k} → {v}" for k, v in result.label_mapping.items()), err=True)
    if as_json:
        out.echo_json(result.to_dict())
    else:
        _print_metrics(result.metrics)
    out.info(f"{len(result.examples)} examples in {result.seconds:.2f} s")


# -- plugin authors ---------------------------------------------------------------
@cli.command("new-plugin")
@click.argument("name")
@click.option("--task-kind", type=click.Choice(SCAFFOLD_KINDS), default="classification", show_default=True, help="Which core building block the task starts from.")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("."), show_default=True, help="Folder to create nlpkit-NAME/ in.")
@click.option("--description", help="One line saying what the task does.")
def new_plugin(name: str, task_kind: str, output: Path, description: str | None) -> None:
    """Write a complete plugin distribution NAME: task, metric, data, suite, tests."""
    from nlpkit.scaffold import new_plugin as scaffold

    folder = scaffold(name, kind=task_kind, output=output, description=description)
    click.echo(str(folder))
    out.info(f"next: pip install -e {folder}  &&  pytest {folder}  &&  nlpkit bench {folder.name.removeprefix('nlpkit-').replace('-', '_')}")


# -- bench -----------------------------------------------------------------------
class DefaultCommandGroup(NlpkitGroup):
    """A group whose unknown first word goes to a default command (`bench SUITE` = `bench run SUITE`)."""

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@cli.group(cls=DefaultCommandGroup, invoke_without_command=True)
@click.option("--list", "list_suites", is_flag=True, help="List the suites plugins register.")
@out.json_option
@click.pass_context
def bench(ctx: click.Context, list_suites: bool, as_json: bool) -> None:
    """Benchmark suites: `nlpkit bench SUITE` runs one (a TOML file or a registered name)."""
    if list_suites:
        rows = [{"name": e.name, "distribution": e.distribution, "path": str(e.item.path), "description": e.item.description} for e in _manager().registries["suites"]]
        _listing(as_json, rows, ["name", "distribution", "description"], ["suite", "plugin", "description"])
    elif ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@bench.command("run")
@click.argument("suite")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="NLPKIT_DATA_DIR", help="Local dataset mirror.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Results folder (default: runs/bench/<suite>).")
@click.option("--only", help="Run only runs whose name matches this glob or substring.")
@click.option("--limit", type=POSITIVE_INT, help="Score at most N examples per run (quick checks).")
@click.option("--bootstrap", type=int, help="Bootstrap resamples for CIs (default: the suite's).")
@click.option("--force", is_flag=True, help="Re-run runs already completed in the output folder.")
@click.option("--executor", type=click.Choice(["serial", "ray"]), default="serial", show_default=True, help="Where runs execute: here one after another, or as tasks on a Ray cluster (pip install 'nlpkit-core[ray]').")
@click.option("--address", help="With --executor ray: the cluster (auto, ray://HOST:PORT); default: a running one, else a local instance.")
@click.option("--cpus-per-run", type=POSITIVE_FLOAT, default=1.0, show_default=True, help="With --executor ray: CPUs reserved for each run.")
@device_flags("default: the suite's `device`, else auto; overrides the suite file", precision_default="the suite's, else fp32")
@out.json_option
def bench_run(suite: str, data_dir: Path | None, output: Path | None, only: str | None, limit: int | None, bootstrap: int | None, force: bool, executor: str, address: str | None, cpus_per_run: float, device: str | None, precision: str | None, as_json: bool) -> None:
    """Run SUITE; write results.json, report.md and report.html; print the table."""
    import importlib.util
    import time

    if executor == "ray" and importlib.util.find_spec("ray") is None:
        from nlpkit.bench.executors import RAY_INSTALL

        raise NlpkitError(RAY_INSTALL)
    if executor == "serial" and (address or cpus_per_run != 1.0):
        raise NlpkitError("--address and --cpus-per-run go with --executor ray")

    from nlpkit.bench.report import summary, text_table, write_reports
    from nlpkit.bench.runner import BenchOptions, run_suite
    from nlpkit.bench.suite import load_suite
    from nlpkit.resolution.data import data_dir_from

    loaded = load_suite(suite, data_dir=data_dir_from(data_dir))  # validates names and files before anything runs
    output = output or Path("runs/bench") / loaded.name
    start = time.perf_counter()
    document = run_suite(loaded, BenchOptions(data_dir=data_dir, output=output, only=only, limit=limit, force=force, bootstrap=bootstrap, progress=out.progress_wanted(), device=device, precision=precision, executor=executor, address=address, cpus_per_run=cpus_per_run), echo=out.info)
    paths = write_reports(document, output)
    if as_json:
        out.echo_json(summary(document))
    else:
        click.echo(text_table(document, width=out.terminal_width()))
    failed = [r["name"] for r in document["runs"] if r.get("status") != "ok"]
    out.info(f"{len(document['runs'])} runs in {time.perf_counter() - start:.0f} s; results in {output}/ (results.json, {', '.join(p.name for p in paths.values())})")
    if failed:
        click.echo(f"Error: {len(failed)} run(s) failed: {', '.join(failed)} (errors recorded in {output}/results.json)", err=True)
        sys.exit(1)


@bench.command("compare")
@click.argument("baseline", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--tolerance", default=0.01, show_default=True, help="Score drop always allowed (absolute).")
@click.option("--throughput-ratio", default=0.8, show_default=True, help="Fail if examples/s falls below this × baseline.")
def bench_compare(baseline: Path, new: Path, tolerance: float, throughput_ratio: float) -> None:
    """Compare two results.json files; exit 1 on a regression (a CI gate)."""
    from nlpkit.bench.compare import compare, load_results, table

    differences = compare(load_results(baseline), load_results(new), tolerance=tolerance, throughput_ratio=throughput_ratio)
    if not differences:
        raise NlpkitError(f"{baseline} and {new} have no run in common")
    click.echo(table(differences))
    regressed = [d for d in differences if d.regressed]
    if regressed:
        out.info(f"{len(regressed)} regression(s)")
        sys.exit(1)
    out.info("no regression")


from nlpkit.cli_admin import add_admin_commands  # noqa: E402  (info, install, uninstall)

add_admin_commands(cli)


def main() -> None:
    """Console entry point: add plugin commands, then run."""
    try:
        _manager().add_commands(cli)
    except NlpkitError as exc:  # strict plugin mode
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    cli(prog_name="nlpkit")


if __name__ == "__main__":
    main()
