"""Typed options: what ``-O key=value`` may say, declared once per task and per backend.

A task (or backend) lists its options as a class attribute::

    options = (Option("top_k", int, 1, "answers per question", minimum=1),
               Option("scheme", str, None, "tag scheme of CoNLL files", choices=("iob1", "iob2"), stages=READ))

and the core does the rest: unknown keys are rejected with a did-you-mean that
names the task, values are converted to the declared type (a wrong one names the
option and the type expected), `finetune` saves the values given in
``nlpkit.json`` and `predict`/`evaluate` reload them as defaults. `stages` says
where an option acts: reading data (`read`), building training features
(`train`), or predicting (`predict`); `finetune` accepts all of them (prediction
options given there become the saved model's defaults), `predict`/`evaluate`
refuse a training-only one.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlpkit.contracts.errors import NlpkitError

__all__ = [
    "ALL",
    "PREDICT",
    "READ",
    "TRAIN",
    "TRAIN_PREDICT",
    "Option",
    "check_options",
    "convert",
    "resolve",
    "saved_options",
    "split_backend_options",
]

READ = frozenset({"read"})
TRAIN = frozenset({"train"})
PREDICT = frozenset({"predict"})
TRAIN_PREDICT = frozenset({"train", "predict"})
ALL = frozenset({"read", "train", "predict"})
#: Which stages each command accepts options of.
COMMAND_STAGES = {"predict": frozenset({"predict", "read"}), "evaluate": frozenset({"predict", "read"}), "finetune": ALL}
_TYPES = (int, float, bool, str, list, dict)
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Option:
    """One named setting: its type, default, one-line help, allowed values and stages.

    `keywords` are string values accepted besides the type (``no_relation_bias``:
    a float or ``prior``); `minimum` bounds numbers from below."""

    name: str
    type: type
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] | None = None
    stages: frozenset[str] = PREDICT
    keywords: tuple[str, ...] = ()
    minimum: float | None = None

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise TypeError(f"option {self.name!r}: type must be one of {', '.join(t.__name__ for t in _TYPES)}")

    def convert(self, value: Any, owner: str = "") -> Any:
        """`value` (a CLI string or a Python value) as this option's type, checked."""
        if isinstance(value, str) and value in self.keywords:
            return value
        converted = convert(value, self.type)
        where = f"option {self.name!r}" + (f" of {owner}" if owner else "")
        if converted is _INVALID:
            extra = f" or one of {', '.join(map(repr, self.keywords))}" if self.keywords else ""
            raise NlpkitError(f"{where} must be {_a(self.type)}{extra}, not {value!r}")
        if self.choices is not None and converted not in self.choices:
            raise NlpkitError(f"{where} must be one of {', '.join(map(str, self.choices))}, not {value!r}")
        if self.minimum is not None and isinstance(converted, (int, float)) and converted < self.minimum:
            raise NlpkitError(f"{where} must be at least {self.minimum:g}, not {value!r}")
        return converted

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (`nlpkit task TASK --json`)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type.__name__, "default": self.default, "help": self.help, "stages": sorted(self.stages)}
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.keywords:
            out["keywords"] = list(self.keywords)
        return out


class _Invalid:
    pass


_INVALID: Any = _Invalid()


def _a(kind: type) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a text", list: "a JSON list", dict: "a JSON object"}
    return names[kind]


def convert(value: Any, kind: type) -> Any:
    """`value` as `kind`, or `_INVALID`. Strings (from the command line) are parsed:
    ``"3"`` → 3, ``"yes"`` → True, ``'["a"]'`` → a list."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else _INVALID
    if kind is int:
        if isinstance(value, bool):
            return _INVALID
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value) if value.is_integer() else _INVALID
        try:
            return int(str(value).strip())
        except ValueError:
            return _INVALID
    if kind is float:
        if isinstance(value, bool):
            return _INVALID
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(str(value).strip())
        except ValueError:
            return _INVALID
    if kind is str:
        return value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _INVALID
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return _INVALID
    if kind is list and isinstance(value, tuple):
        value = list(value)
    return value if isinstance(value, kind) else _INVALID


def _index(declared: Iterable[Option]) -> dict[str, Option]:
    return {option.name: option for option in declared}


def _unknown(name: str, owner: str, known: Sequence[str]) -> NlpkitError:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listing = ", ".join(sorted(known)) or "none"
    return NlpkitError(f"{owner} has no option {name!r}{hint} (its options: {listing}; see `nlpkit task NAME`)")


def check_options(declared: Iterable[Option], given: Mapping[str, Any] | None, *, owner: str, command: str | None = None) -> dict[str, Any]:
    """The given options, converted; unknown names, wrong types and (for `command`)
    options of another stage are errors. Defaults are not filled in (see `resolve`)."""
    options = _index(declared)
    out: dict[str, Any] = {}
    allowed = COMMAND_STAGES.get(command or "", ALL)
    for name, value in (given or {}).items():
        option = options.get(name)
        if option is None:
            raise _unknown(name, owner, list(options))
        if not option.stages & allowed:
            raise NlpkitError(f"option {name!r} of {owner} applies to {' and '.join(sorted(option.stages))}, not to {command}: give it to `nlpkit finetune`")
        if value is None:
            continue
        out[name] = option.convert(value, owner)
    return out


def resolve(declared: Iterable[Option], given: Mapping[str, Any] | None, *, owner: str, stage: str, saved: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every option of `stage`: its default, overridden by `saved` (what a fine-tuned
    model recorded), overridden by `given`. Unknown names are errors; known options
    of other stages are dropped (a prediction option given to `finetune` is saved,
    not used by training)."""
    options = _index(declared)
    values = check_options(options.values(), given, owner=owner)
    out: dict[str, Any] = {}
    for name, option in options.items():
        if stage not in option.stages:
            continue
        if name in values:
            out[name] = values[name]
        elif saved and saved.get(name) is not None:
            out[name] = option.convert(saved[name], owner)
        else:
            out[name] = option.default
    return out


def saved_options(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """The task options a model was fine-tuned with: ``training.task_options`` in its nlpkit.json."""
    return dict((((meta or {}).get("training") or {}).get("task_options")) or {})


def split_backend_options(task_options: Iterable[Option], backend_options: Iterable[Option], given: Mapping[str, Any] | None, *, task: str, backend: str, command: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``-O`` values into (task options, backend options), each checked against
    its declaration; a name neither declares is an error naming both."""
    task_index, backend_index = _index(task_options), _index(backend_options)
    for_task, for_backend = {}, {}
    for name, value in (given or {}).items():
        if name in task_index:
            for_task[name] = value
        elif name in backend_index:
            for_backend[name] = value
        else:
            known = [*task_index, *backend_index]
            raise _unknown(name, f"task {task!r}" + (f" (with the {backend} backend)" if backend_index else ""), known)
    return (
        check_options(task_index.values(), for_task, owner=f"task {task!r}", command=command),
        check_options(backend_index.values(), for_backend, owner=f"the {backend} backend", command=command),
    )
