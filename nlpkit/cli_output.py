"""What the ``nlpkit`` command writes where: verbosity, progress, tables, JSON.

The rules (the CLI's conventions, documented in docs/cli.md):

- **stdout carries only the command's result**: JSON lines for ``predict``, a
  table (or JSON with ``--json``) for listings and summaries.
- **stderr carries status**: one line per phase (``loading…``, ``training…``,
  ``saved…``). Carriage-return progress bars only when stderr is a terminal;
  library banners (transformers' load reports, hub/datasets bars) only with
  ``-v``. ``-q`` leaves errors alone.

`configure` applies a verbosity to the process: environment switches the
libraries read at import (``TRANSFORMERS_VERBOSITY``, ``HF_HUB_DISABLE_PROGRESS_BARS``,
``HF_DATASETS_DISABLE_PROGRESS_BARS``, ``TQDM_DISABLE``), their logging when they
are already imported, and the ``nlpkit`` logger's handler. Nothing here imports a
heavy library.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import textwrap
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import click

QUIET, NORMAL, VERBOSE = -1, 0, 1

#: The logger library code reports phases on (``logging.getLogger("nlpkit")``).
logger = logging.getLogger("nlpkit")

_state: dict[str, Any] = {"verbosity": NORMAL, "configured": False}
_saved_env: dict[str, str | None] = {}
_LIBRARY_ENV = ("TRANSFORMERS_VERBOSITY", "HF_HUB_DISABLE_PROGRESS_BARS", "HF_DATASETS_DISABLE_PROGRESS_BARS", "TQDM_DISABLE")


def verbosity() -> int:
    """The current level: `QUIET`, `NORMAL` or `VERBOSE`."""
    return int(_state["verbosity"])


def stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress_wanted() -> bool:
    """Progress bars: always with -v, never with -q, else only when stderr is a terminal."""
    level = verbosity()
    return level >= VERBOSE or (level == NORMAL and stderr_is_tty())


class _ClickHandler(logging.Handler):
    """Writes records to the *current* sys.stderr (click's test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # never let status output break a command
            self.handleError(record)


_handler = _ClickHandler()
_handler.setFormatter(logging.Formatter("%(message)s"))


def _set_env(name: str, value: str | None) -> None:
    if name not in _saved_env:
        _saved_env[name] = os.environ.get(name)
    if value is None:
        original = _saved_env[name]
        if original is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = original
    else:
        os.environ[name] = value


def configure(level: int | None = None) -> None:
    """Apply `level` (default: the current one) to the environment, libraries and logger."""
    if level is not None:
        _state["verbosity"] = level
    level = verbosity()
    _state["configured"] = True
    bars = progress_wanted()
    # With -v the user's own settings (or the libraries' defaults) apply.
    _set_env("TRANSFORMERS_VERBOSITY", None if level >= VERBOSE else "error")
    for name in ("HF_HUB_DISABLE_PROGRESS_BARS", "HF_DATASETS_DISABLE_PROGRESS_BARS", "TQDM_DISABLE"):
        _set_env(name, None if bars else "1")
    if "transformers" in sys.modules:  # imported before us: switch it at run time too
        from transformers.utils import logging as hf_logging

        if level >= VERBOSE:
            hf_logging.set_verbosity_info()
        else:
            hf_logging.set_verbosity_error()
        (hf_logging.enable_progress_bar if bars else hf_logging.disable_progress_bar)()
    if "datasets" in sys.modules:
        import datasets

        (datasets.enable_progress_bars if bars else datasets.disable_progress_bars)()
    if "warning_filters" in _state:  # undo an earlier configure's filters
        warnings.filters[:] = _state["warning_filters"]
    else:
        _state["warning_filters"] = list(warnings.filters)
    if level <= QUIET:  # -q: errors only, so library warnings go too
        warnings.simplefilter("ignore")
    elif level == NORMAL:  # deprecation notices are for developers (-v shows them)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
    if _handler not in logger.handlers:
        logger.addHandler(_handler)
    logger.propagate = False
    logger.setLevel({QUIET: logging.ERROR, NORMAL: logging.INFO}.get(level, logging.DEBUG))


def reset() -> None:
    """Undo `configure` (tests): original environment, normal verbosity, no handler."""
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_env.clear()
    _state.update(verbosity=NORMAL, configured=False)
    if "warning_filters" in _state:
        warnings.filters[:] = _state.pop("warning_filters")
    logger.removeHandler(_handler)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def info(message: str) -> None:
    """A status line on stderr (hidden by -q)."""
    if verbosity() > QUIET:
        click.echo(message, err=True)


# -- the -q/-v options on every command ------------------------------------------------
def _verbosity_callback(level: int) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            configure(level)

    return callback


def verbosity_params() -> list[click.Option]:
    """Fresh ``-q/--quiet`` and ``-v/--verbose`` options (eager, not passed to the callback)."""
    return [
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, is_eager=True, callback=_verbosity_callback(QUIET), help="Print only errors on stderr."),
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, is_eager=True, callback=_verbosity_callback(VERBOSE), help="Show progress bars, library banners and logging."),
    ]


def add_verbosity_options(command: click.Command) -> click.Command:
    """Give `command` (and, for a group, its subcommands) ``-q``/``-v`` unless it has them."""
    names = {opt for p in command.params for opt in getattr(p, "opts", [])}
    if "--quiet" not in names and "--verbose" not in names:
        command.params.extend(verbosity_params())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_verbosity_options(sub)
    return command


# -- stdout: JSON and tables -----------------------------------------------------------
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")


def echo_json(value: Any) -> None:
    """`value` as indented JSON on stdout."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


#: Narrowest a wrapped column gets before the other columns are narrowed too.
MIN_WRAP = 10


def terminal_width() -> int:
    """Columns of the terminal (``COLUMNS`` or 80 when stdout is not one)."""
    return shutil.get_terminal_size((80, 24)).columns


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], width: int | None = None, wrap: Sequence[int] | None = None) -> str:
    """A plain-text table that fits `width` columns (default: the terminal's).

    Cells may hold several lines. When the natural widths do not fit, the columns
    in `wrap` (default: the last, where descriptions go) are narrowed to a common
    cap and their text wrapped at word boundaries; only if that is not enough are
    the other columns narrowed too. Every line is at most `width` characters.
    """
    width = width or terminal_width()
    cells = [[str(h) for h in headers]] + [[("" if c is None else str(c)) for c in row] for row in rows]
    natural = [max((len(line) for row in cells for line in row[i].splitlines() or [""]), default=0) for i in range(len(headers))]
    budget = max(width - 2 * (len(headers) - 1), len(headers))
    flexible = sorted({i % len(headers) for i in (wrap if wrap is not None else [-1])})
    fixed = sum(n for i, n in enumerate(natural) if i not in flexible)
    if sum(natural) > budget and budget - fixed >= sum(min(natural[i], MIN_WRAP) for i in flexible):
        squeezed = _fit([natural[i] for i in flexible], budget - fixed)
        widths = list(natural)
        for i, w in zip(flexible, squeezed):
            widths[i] = w
    else:
        widths = _fit(natural, budget)
    out = []
    for index, row in enumerate(cells):
        wrapped = [_wrap(cell, w) for cell, w in zip(row, widths)]
        for line_no in range(max(len(w) for w in wrapped)):
            parts = [(w[line_no] if line_no < len(w) else "").ljust(widths[i]) for i, w in enumerate(wrapped)]
            out.append("  ".join(parts).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _fit(natural: list[int], budget: int) -> list[int]:
    """Lower the widest columns to one cap until the sum fits `budget`."""
    if sum(natural) <= budget:
        return natural
    low, high = 1, max(natural)
    while low < high:  # the largest cap that fits
        cap = (low + high + 1) // 2
        if sum(min(n, cap) for n in natural) <= budget:
            low = cap
        else:
            high = cap - 1
    return [min(n, low) for n in natural]


def _wrap(cell: str, width: int) -> list[str]:
    lines: list[str] = []
    for line in cell.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, width, break_long_words=True, break_on_hyphens=False) or [""])
    return lines


__all__ = [
    "QUIET", "NORMAL", "VERBOSE", "logger", "verbosity", "progress_wanted", "configure", "reset", "info",
    "verbosity_params", "add_verbosity_options", "json_option", "echo_json", "terminal_width", "table",
]
