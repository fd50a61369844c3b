"""`nlpkit new-plugin`: write a complete, installable task plugin from templates.

The templates live in ``templates/common/`` and ``templates/<kind>/`` (whose files
win) as package data: ``package/`` becomes
the import package, a ``.tmpl`` suffix marks files whose ``{{placeholders}}`` are
filled in, other files (the demo data) are copied as they are. The generated
distribution requires the core under its installed distribution name with a
compatible-release bound, read from the installed metadata at generation time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nlpkit import NlpkitError

#: Task kinds with a template (``--task-kind``).
KINDS = ("classification", "tagging", "seq2seq")
#: Per kind: the metric the template ships (name suffix), the default description, and
#: the distribution whose building block the task extends when it is not the core's.
_KIND_METRIC = {"classification": "balanced_accuracy", "tagging": "tag_accuracy", "seq2seq": "exact_match"}
_KIND_DESCRIPTION = {"classification": "text classification", "tagging": "tagging words with typed spans", "seq2seq": "text in, text out"}
_KIND_BUILDS_ON: dict[str, tuple[str, str]] = {}  # kind -> (distribution, import package), when not the core
_NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")


@dataclass(frozen=True)
class PluginNames:
    """Every name the templates use, derived from the plugin NAME."""

    task: str
    dist: str
    module: str
    cls: str
    dataset: str
    metric: str
    core: str
    core_requirement: str
    description: str
    #: Every requirement, as TOML strings: the core, and the plugin the kind builds on.
    requirements: str = ""

    def placeholders(self) -> dict[str, str]:
        return {
            "task": self.task, "dist": self.dist, "module": self.module, "class": self.cls, "dataset": self.dataset,
            "metric": self.metric, "core": self.core, "core_requirement": self.core_requirement, "description": self.description,
            "requirements": self.requirements or f'"{self.core_requirement}"',
        }


def core_distribution() -> tuple[str, str]:
    """(distribution name, version) of the installed distribution that provides ``nlpkit``."""
    import nlpkit

    return installed_distribution("nlpkit", nlpkit.__version__) or ("nlpkit-core", nlpkit.__version__)


def installed_distribution(package: str, expected_version: str | None = None) -> tuple[str, str] | None:
    """(distribution, version) that provides import package `package`, or None."""
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    found = []
    for dist in packages_distributions().get(package, []):
        try:
            found.append((dist, version(dist)))
        except PackageNotFoundError:
            continue
    # a stale metadata folder (an old egg-info in a checkout) can name another version:
    # the one matching the imported package is the real one
    matching = [f for f in found if f[1] == expected_version]
    return (matching or found or [None])[0]


def compatible_bound(dist: str, version: str) -> str:
    """``"nlpkit-core", "0.2.1"`` → ``"nlpkit-core>=0.2,<0.3"`` (``>=1.4,<2`` from 1.0 on)."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]] + [0, 0]
    major, minor = parts[0], parts[1]
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f"{dist}>={major}.{minor},<{upper}"


def plugin_names(name: str, description: str | None = None, kind: str = "classification") -> PluginNames:
    """Names for plugin `name` (``"mytask"`` or ``"nlpkit-mytask"``); a bad name is a clear error."""
    base = name.strip().lower()
    base = base.removeprefix("nlpkit-").removeprefix("nlpkit_")
    if not _NAME.fullmatch(base):
        raise NlpkitError(f"plugin name {name!r}: use lower-case letters and digits, words joined by '-' or '_' (e.g. 'ticket-urgency')")
    task = base.replace("-", "_")
    core, core_version = core_distribution()
    requirements = [compatible_bound(core, core_version)]
    if kind in _KIND_BUILDS_ON:
        dist, package = _KIND_BUILDS_ON[kind]
        found = installed_distribution(package)
        if found is None:
            raise NlpkitError(f"--task-kind {kind} builds on {dist}, which is not installed: pip install {dist} (or nlpkit install {dist})")
        requirements.append(compatible_bound(*found))
    return PluginNames(
        task=task,
        dist=f"nlpkit-{base.replace('_', '-')}",
        module=f"nlpkit_{task}",
        cls="".join(w.capitalize() for w in re.split(r"[-_]", base)) + "Task",
        dataset=f"{task}_demo",
        metric=f"{task}_{_KIND_METRIC[kind]}",
        core=core,
        core_requirement=compatible_bound(core, core_version),
        description=description or f"{base}: {_KIND_DESCRIPTION[kind]}",
        requirements=", ".join(f'"{r}"' for r in requirements),
    )


def new_plugin(name: str, *, kind: str = "classification", output: str | Path = ".", description: str | None = None) -> Path:
    """Write the plugin distribution for `name` under `output`; return its folder.

    The folder (``OUTPUT/nlpkit-NAME``) must not exist or be empty, so nothing is overwritten.
    """
    if kind not in KINDS:
        raise NlpkitError(f"task kind {kind!r} has no template; kinds: {', '.join(KINDS)}")
    names = plugin_names(name, description, kind)
    target = Path(output).expanduser() / names.dist
    if target.exists() and any(target.iterdir()):
        raise NlpkitError(f"{target} already exists and is not empty; choose another --output or NAME")
    templates = resources.files("nlpkit.scaffold") / "templates"
    values = names.placeholders()
    files = {p.relative_to(Path(str(root))): p for root in (templates / "common", templates / kind) for p in _walk(root)}  # the kind's files win
    for relative, source in sorted(files.items()):
        parts = [names.module if p == "package" else p for p in relative.parts]
        if parts[-1] == "suite.toml.tmpl":
            parts[-1] = f"{names.task}.toml.tmpl"
        destination = target.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.suffix == ".tmpl":
            destination = destination.with_suffix("")
            destination.write_text(_fill(source.read_text(encoding="utf-8"), values), encoding="utf-8")
        else:
            destination.write_bytes(source.read_bytes())
    return target


def _walk(folder: Path) -> list[Path]:
    return sorted(p for p in Path(str(folder)).rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _fill(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise NlpkitError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return re.sub(r"\{\{(\w+)\}\}", replace, text)


__all__ = ["KINDS", "PluginNames", "new_plugin", "plugin_names", "core_distribution", "compatible_bound"]
