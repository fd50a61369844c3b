"""Commands that manage the installation: `nlpkit info`, `nlpkit install`, `nlpkit uninstall`.

`install`/`uninstall` run pip with the interpreter nlpkit runs on
(``sys.executable -m pip``), so plugins land in nlpkit's environment whichever
`pip` is first on PATH — as `llm install` does. `info` prints, as Markdown to paste
into a bug report, the versions, hardware and data directory that decide how
nlpkit behaves; torch is imported only when it is installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from typing import Any

import click

from nlpkit.distributions import UNRELATED_PYPI_NAME
from nlpkit.errors import NlpkitError
from nlpkit.plugins import CORE_DISTRIBUTION

#: Libraries whose versions decide behaviour, shown by `nlpkit info` when installed.
LIBRARIES = ("torch", "transformers", "datasets", "evaluate", "accelerate", "peft", "scikit-learn", "skops", "numpy")


def pip_command(*args: str) -> list[str]:
    """pip of the running interpreter: the environment nlpkit itself is installed in."""
    return [sys.executable, "-m", "pip", *args]


def run_pip(args: list[str]) -> None:
    """Run pip (output straight to the terminal); exit with pip's status if it fails."""
    done = subprocess.run(pip_command(*args))
    if done.returncode != 0:
        sys.exit(done.returncode)


@click.command()
@click.argument("packages", nargs=-1, required=True)
@click.option("-U", "--upgrade", is_flag=True, help="Upgrade packages to their newest version.")
@click.option("-e", "--editable", is_flag=True, help="Install the given folders in editable mode (plugin development).")
@click.option("--force-reinstall", is_flag=True, help="Reinstall even if up to date.")
@click.option("--pre", is_flag=True, help="Include pre-release versions.")
def install(packages: tuple[str, ...], upgrade: bool, editable: bool, force_reinstall: bool, pre: bool) -> None:
    """Install plugins (PyPI names, wheels or folders) into nlpkit's environment.

    Runs `python -m pip install` with nlpkit's own interpreter. Further pip options
    go after `--`, e.g. `nlpkit install -- --find-links wheels/ nlpkit-qa`.
    """
    if UNRELATED_PYPI_NAME in {p.lower() for p in packages}:
        raise NlpkitError(f"`{UNRELATED_PYPI_NAME}` on PyPI is an unrelated project; nlpkit's core is {CORE_DISTRIBUTION}: nlpkit install {CORE_DISTRIBUTION}")
    args = ["install"]
    if upgrade:
        args.append("--upgrade")
    if force_reinstall:
        args.append("--force-reinstall")
    if pre:
        args.append("--pre")
    for package in packages:
        args += ["--editable", package] if editable and not package.startswith("-") else [package]
    run_pip(args)


@click.command()
@click.argument("packages", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(packages: tuple[str, ...], yes: bool) -> None:
    """Uninstall plugins from nlpkit's environment (`python -m pip uninstall`)."""
    run_pip(["uninstall", *packages, *(["--yes"] if yes else [])])


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    from nlpkit.bench.environment import cpu_model

    return cpu_model()


def _torch_facts() -> dict[str, Any]:
    """torch's view of the hardware, or why there is none (torch imported only if installed)."""
    if importlib.util.find_spec("torch") is None:
        return {"torch_threads": None, "gpu": None, "gpu_note": "torch not installed (TF-IDF models only; pip install 'nlpkit-core[transformers]')"}
    try:
        import torch
    except Exception as exc:  # a broken torch install is exactly what a bug report needs to show
        return {"torch_threads": None, "gpu": None, "gpu_note": f"import torch failed: {type(exc).__name__}: {exc}"}
    gpus = []
    if torch.cuda.is_available():
        gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if not gpus and mps is not None and mps.is_available():
        gpus = ["Apple MPS"]
    return {"torch_threads": torch.get_num_threads(), "gpu": ", ".join(gpus) or None, "gpu_note": None if gpus else "none visible to torch", "cuda": torch.version.cuda}


def collect_info() -> dict[str, Any]:
    """Everything `nlpkit info` shows, as plain data."""
    from nlpkit import __version__
    from nlpkit.plugins import get_manager

    plugins = [
        {"name": p.name, "distribution": p.distribution, "version": p.version, "error": p.error}
        for p in get_manager().plugins
        if p.distribution != CORE_DISTRIBUTION
    ]
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = os.cpu_count()
    warnings = []
    if _version(UNRELATED_PYPI_NAME) is not None:
        warnings.append(f"a distribution called `{UNRELATED_PYPI_NAME}` is installed too (the unrelated PyPI project, or nlpkit before 0.2): pip uninstall {UNRELATED_PYPI_NAME}")
    return {
        "nlpkit": __version__,
        "distribution": CORE_DISTRIBUTION,
        "distribution_version": _version(CORE_DISTRIBUTION),
        "location": os.path.dirname(os.path.abspath(__file__)),
        "plugins": plugins,
        "libraries": {name: _version(name) for name in LIBRARIES},
        "python": f"{platform.python_version()} ({platform.python_implementation()}) {sys.executable}",
        "os": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        **_torch_facts(),
        "data_dir": os.environ.get("NLPKIT_DATA_DIR"),
        "hub_offline": os.environ.get("HF_HUB_OFFLINE"),
        "warnings": warnings,
    }


def info_markdown(info: dict[str, Any]) -> str:
    """`collect_info()` as a Markdown list to paste into a bug report."""
    def plugin_line(p: dict[str, Any]) -> str:
        return f"{p['distribution']} {p['version']}" + (f" (ERROR: {p['error']})" if p["error"] else "")

    libraries = ", ".join(f"{name} {version}" for name, version in info["libraries"].items() if version) or "none"
    missing = [name for name, version in info["libraries"].items() if not version]
    threads = f"{info['cpu_count']} logical, {info['cpus_usable']} usable"
    if info["omp_num_threads"]:
        threads += f", OMP_NUM_THREADS={info['omp_num_threads']}"
    if info["torch_threads"] is not None:
        threads += f", torch uses {info['torch_threads']}"
    gpu = info["gpu"] or info["gpu_note"]
    if info["gpu"] and info.get("cuda"):
        gpu += f" (CUDA {info['cuda']})"
    lines = [
        "## nlpkit info",
        "",
        f"- **nlpkit**: {info['nlpkit']} ({info['distribution']} {info['distribution_version'] or 'not installed as a distribution'}, {info['location']})",
        f"- **Plugins**: {', '.join(plugin_line(p) for p in info['plugins']) or 'none'}",
        f"- **Libraries**: {libraries}" + (f" (not installed: {', '.join(missing)})" if missing else ""),
        f"- **Python**: {info['python']}",
        f"- **OS**: {info['os']}",
        f"- **CPU**: {info['cpu']} ({threads})",
        f"- **GPU**: {gpu}",
        f"- **Data dir** (NLPKIT_DATA_DIR): {info['data_dir'] or 'not set (datasets load from the Hugging Face hub)'}",
    ]
    if info["hub_offline"]:
        lines.append(f"- **HF_HUB_OFFLINE**: {info['hub_offline']}")
    lines += [f"- **Warning**: {w}" for w in info["warnings"]]
    return "\n".join(lines)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def info(as_json: bool) -> None:
    """Versions, hardware and settings, as Markdown to paste into a bug report."""
    facts = collect_info()
    click.echo(json.dumps(facts, indent=2) if as_json else info_markdown(facts))


def add_admin_commands(group: click.Group) -> None:
    """Register `info`, `install` and `uninstall` on the `nlpkit` command group."""
    for command in (info, install, uninstall):
        group.add_command(command)


__all__ = ["add_admin_commands", "collect_info", "info_markdown", "pip_command", "run_pip"]
