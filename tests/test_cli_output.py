"""CLI conventions: -q/-v everywhere, stdout only for results, bars only on a terminal,
tables that fit, --json on listings and summaries, shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nlpkit import cli_output
from nlpkit.cli import cli


def invoke(*args: str, **kwargs):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, command in group.commands.items():
        out.append(((*prefix, name), command))
        if isinstance(command, click.Group):
            out.extend(all_commands(command, (*prefix, name)))
    return out


# -- tables ----------------------------------------------------------------------------
def test_table_wraps_the_description_column_to_fit_the_width() -> None:
    rows = [["sentiment", "nlpkit-sentiment", "sentiment of a text (binary or multi-class, named labels) " * 3]]
    text = cli_output.table(rows, ["task", "plugin", "description"], width=60)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert lines[2].startswith("sentiment  nlpkit-sentiment  ")  # short columns stay whole
    assert len(lines) > 3  # the description wrapped onto more lines
    words = " ".join(line[len("sentiment  nlpkit-sentiment  "):].strip() for line in lines[2:]).split()
    assert words == rows[0][2].split()  # nothing lost in the wrapping


def test_table_narrows_every_column_when_wrapping_one_is_not_enough() -> None:
    rows = [["x" * 50, "y" * 50, "z" * 50]]
    text = cli_output.table(rows, ["a", "b", "c"], width=40)
    assert max(len(line) for line in text.splitlines()) <= 40


def test_table_keeps_natural_widths_when_they_fit() -> None:
    assert cli_output.table([["a", "bb"]], ["x", "y"], width=80).splitlines() == ["x  y", "-  --", "a  bb"]


# -- verbosity ---------------------------------------------------------------------------
def test_every_command_offers_quiet_and_verbose() -> None:
    commands = all_commands(cli)
    assert {("finetune",), ("predict",), ("evaluate",), ("bench", "run"), ("tasks",)} <= {path for path, _ in commands}
    for path, command in commands:
        opts = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert {"-q", "--quiet", "-v", "--verbose"} <= opts, path


def test_default_verbosity_silences_libraries_and_bars_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRANSFORMERS_VERBOSITY", raising=False)
    cli_output.configure(cli_output.NORMAL)  # pytest's stderr is not a terminal
    assert not cli_output.progress_wanted()
    assert os.environ["TRANSFORMERS_VERBOSITY"] == "error"
    assert os.environ["TQDM_DISABLE"] == "1" and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
    cli_output.configure(cli_output.VERBOSE)
    assert cli_output.progress_wanted()
    assert "TRANSFORMERS_VERBOSITY" not in os.environ and "TQDM_DISABLE" not in os.environ


def test_verbose_turns_transformers_logging_back_on_when_it_is_already_imported() -> None:
    from transformers.utils import logging as hf_logging

    cli_output.configure(cli_output.NORMAL)
    assert hf_logging.get_verbosity() == hf_logging.ERROR and not hf_logging.is_progress_bar_enabled()
    cli_output.configure(cli_output.VERBOSE)
    assert hf_logging.get_verbosity() == hf_logging.INFO and hf_logging.is_progress_bar_enabled()


def test_quiet_hides_status_lines_but_not_errors(tmp_path: Path, sentiment_tsv: Path) -> None:
    result = invoke("finetune", "sentiment", "-q", "-m", "tfidf-logreg", "--train", str(sentiment_tsv), "-o", str(tmp_path / "m"))
    assert result.exit_code == 0 and result.stderr == ""
    result = invoke("finetune", "sentiment", "-m", "tfidf-logreg", "--train", str(sentiment_tsv), "-o", str(tmp_path / "n"))
    assert "saved" in result.stderr and "fine-tuning tfidf-logreg" in result.stderr
    result = invoke("-q", "predict", "sentimnt", "hello")
    assert result.exit_code == 2 and "did you mean 'sentiment'" in result.stderr


# -- stdout: results only ----------------------------------------------------------------
@pytest.mark.parametrize("args", [["tasks"], ["models"], ["datasets"], ["metrics"], ["plugins"], ["bench", "--list"]])
def test_every_listing_prints_json_with_json(args: list[str]) -> None:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    names = [entry["name"] for entry in (listing["models"] if isinstance(listing, dict) else listing)]
    assert names and all(isinstance(n, str) for n in names)


def test_listings_fit_80_columns() -> None:
    for args in (["tasks"], ["models"], ["metrics"], ["bench", "--list"], ["datasets"], ["plugins"]):
        result = invoke(*args, env={"COLUMNS": "80"})
        table_lines = [line for line in result.stdout.splitlines() if not line.startswith(("backends:", "Any "))]
        assert max(map(len, table_lines)) <= 80, args


def test_finetune_prints_the_metrics_table_or_json_and_never_a_python_dict(tmp_path: Path, sentiment_tsv: Path) -> None:
    result = invoke("finetune", "sentiment", "-m", "tfidf-logreg", "--train", str(sentiment_tsv), "--eval", str(sentiment_tsv), "-o", str(tmp_path / "m"))
    assert result.stdout.splitlines()[0].split() == ["metric", "key", "value"]
    assert "{" not in result.stdout
    result = invoke("finetune", "sentiment", "-m", "tfidf-logreg", "--train", str(sentiment_tsv), "--eval", str(sentiment_tsv), "-o", str(tmp_path / "j"), "--json")
    summary = json.loads(result.stdout)
    assert summary["train_examples"] == 8 and summary["metrics"]["accuracy"]["accuracy"] == 1.0


def test_evaluate_prints_a_table_by_default_and_only_json_with_json(tmp_path: Path, sentiment_tsv: Path) -> None:
    invoke("finetune", "sentiment", "-m", "tfidf-logreg", "--train", str(sentiment_tsv), "-o", str(tmp_path / "m"))
    table = invoke("evaluate", "sentiment", "-m", str(tmp_path / "m"), "--data", str(sentiment_tsv))
    assert table.stdout.splitlines()[0].split() == ["metric", "key", "value"] and "{" not in table.stdout
    as_json = invoke("evaluate", "sentiment", "-m", str(tmp_path / "m"), "--data", str(sentiment_tsv), "--json")
    assert json.loads(as_json.stdout)["metrics"]["accuracy"]["accuracy"] == 1.0


# -- completion --------------------------------------------------------------------------
def complete(words: str) -> list[str]:
    env = {"_NLPKIT_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    result = CliRunner().invoke(cli, [], prog_name="nlpkit", env=env)
    return [line.split(",", 1)[1] for line in result.output.splitlines()]


def test_shell_completion_offers_commands_task_names_and_model_names() -> None:
    assert "finetune" in complete("nlpkit fin")
    assert complete("nlpkit predict sen") == ["sentiment"]
    assert "tfidf-logreg" in complete("nlpkit finetune sentiment --model tf")


# -- a real process with stderr in a file ------------------------------------------------
def test_transformers_finetune_writes_phase_lines_not_bars_or_banners_to_a_file(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    stderr_file = tmp_path / "stderr.txt"
    command = [sys.executable, "-c", "from nlpkit.cli import main; main()", "finetune", "sentiment", "-m", str(tiny_encoder),
               "--train", str(sentiment_tsv), "--eval", str(sentiment_tsv), "--max-steps", "2", "-o", str(tmp_path / "m")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRANSFORMERS_", "TQDM_", "HF_"))} | {"OMP_NUM_THREADS": "1"}
    with stderr_file.open("w") as err:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=err, text=True, env=env, timeout=300)
    stderr = stderr_file.read_text()
    assert done.returncode == 0, stderr
    assert "\r" not in stderr and "\x1b[" not in stderr and "LOAD REPORT" not in stderr
    lines = stderr.splitlines()
    assert lines[0].startswith("fine-tuning") and lines[-1].startswith("saved")
    assert any(line.startswith("trained 2 steps in") for line in lines)
    assert "train_runtime" not in done.stdout and done.stdout.splitlines()[0].split() == ["metric", "key", "value"]


def test_quiet_silences_library_warnings_and_reset_restores_them() -> None:
    import warnings

    cli_output.configure(cli_output.QUIET)
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn("a library's chatter", UserWarning)
    assert caught == []
    cli_output.reset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("shown again", UserWarning)
    assert len(caught) == 1


def test_table_keeps_fixed_columns_whole_when_a_wrap_column_is_narrow_already() -> None:
    rows = [["ticket_urgency-tfidf", "tfidf-logreg", "ticket_urgency_demo:dev", "8", "accuracy 1.0000 [1.0000, 1.0000]", "12350.0"]]
    text = cli_output.table(rows, ["run", "model", "data", "n", "score", "ex/s"], width=80, wrap=[1, 2, 4])
    assert text.splitlines()[2].startswith("ticket_urgency-tfidf  tfidf-logreg")
    assert max(map(len, text.splitlines())) <= 80


def test_default_verbosity_hides_deprecation_notices_that_verbose_shows() -> None:
    import warnings

    before = list(warnings.filters)
    cli_output.configure(cli_output.NORMAL)
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn("old API", FutureWarning)
        warnings.warn("real problem", UserWarning)
    assert [str(w.message) for w in caught] == ["real problem"]
    cli_output.configure(cli_output.VERBOSE)
    assert warnings.filters == before  # -v: the filters the process had, nothing hidden by nlpkit
