"""Errors nlpkit shows to users: one clear line that says what and where.

Anything raised as an `NlpkitError` is printed by the CLI as `Error: <message>`
(exit status 2) instead of a traceback. Library code converts the failures it can
foresee (a bad data line, a missing model file, an unknown name) into these.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class NlpkitError(Exception):
    """A failure caused by the user's input or set-up, with a message fit to show as is."""


class UnknownNameError(NlpkitError, KeyError):
    """A task, model, dataset, metric or suite name that nothing registered."""

    def __init__(self, kind: str, name: str, known: Iterable[str]):
        known = sorted(known)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        message = f"unknown {kind} {name!r}"
        if close:
            message += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
        elif known:
            message += f"; known {kind}s: " + ", ".join(known)
        else:
            message += f"; no {kind}s are registered (is the plugin installed? see `nlpkit plugins`)"
        super().__init__(message)
        self.kind, self.name, self.close_matches = kind, name, close

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class DataError(NlpkitError):
    """Bad content in a data file, located by file, line (or record) and field."""

    def __init__(self, path: str | Path | None, message: str, *, line: int | None = None, field: str | None = None):
        where = str(path) if path is not None else "<input>"
        if line is not None:
            where += f":{line}"
        if field is not None:
            message = f"field {field!r}: {message}"
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.field = path, line, field


class PluginError(NlpkitError):
    """A plugin that failed to load or raised inside a hook (strict mode only)."""


class ModelLoadError(NlpkitError):
    """A model that could not be found or loaded."""
