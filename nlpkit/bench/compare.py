"""Compare two results documents: a table of differences and a pass/fail verdict.

A score regresses when it drops by more than the larger of the tolerance and the
baseline's own CI half-width below its value (so noise alone does not fail a
build); throughput regresses when it falls below `throughput_ratio` × baseline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpkit.contracts.errors import NlpkitError


@dataclass
class Difference:
    run: str
    measure: str
    baseline: float | None
    new: float | None
    allowed: str
    regressed: bool


def load_results(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NlpkitError(f"{path}: no such results file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise NlpkitError(f"{path}: not a results JSON file ({exc})") from None
    if not isinstance(document, dict) or "runs" not in document:
        raise NlpkitError(f"{path}: not an nlpkit bench results file (no 'runs')")
    return document


def compare(baseline: dict[str, Any], new: dict[str, Any], *, tolerance: float = 0.01, throughput_ratio: float = 0.8) -> list[Difference]:
    base_runs = {r["name"]: r for r in baseline["runs"] if r.get("status") == "ok"}
    out: list[Difference] = []
    new_names = {run["name"] for run in new["runs"]}
    for name in base_runs:  # a baseline run the new results lack is no pass
        if name not in new_names:
            out.append(Difference(name, "missing", None, None, "present", True))
    for run in new["runs"]:
        base = base_runs.get(run["name"])
        if base is None:
            continue
        if run.get("status") != "ok":
            out.append(Difference(run["name"], "status", None, None, "ok", True))
            continue
        for name, score in base.get("scores", {}).items():
            b = score.get("value")
            n = run.get("scores", {}).get(name, {}).get("value")
            if b is None:
                continue
            ci = score.get("ci95")
            allowed = max(tolerance, b - ci[0] if ci else 0.0)
            regressed = n is None or b - n > allowed
            out.append(Difference(run["name"], f"{name}.{score.get('main', name)}", b, n, f"-{allowed:.4f}", regressed))
        b_tp = base.get("inference", {}).get("examples_per_second")
        n_tp = run.get("inference", {}).get("examples_per_second")
        if b_tp:
            out.append(Difference(run["name"], "examples/s", b_tp, n_tp, f"≥ {throughput_ratio:.2f}×", n_tp is None or n_tp < throughput_ratio * b_tp))
    return out


def table(differences: list[Difference]) -> str:
    lines = ["| run | measure | baseline | new | change | allowed | verdict |", "|---|---|---|---|---|---|---|"]
    for d in differences:
        change = "—" if d.baseline is None or d.new is None else f"{d.new - d.baseline:+.4f}"
        fmt = lambda v: "—" if v is None else f"{v:.4f}"  # noqa: E731
        lines.append(f"| {d.run} | {d.measure} | {fmt(d.baseline)} | {fmt(d.new)} | {change} | {d.allowed} | {'REGRESSED' if d.regressed else 'ok'} |")
    return "\n".join(lines)
