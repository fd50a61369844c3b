"""Reports from a results document: a Markdown table and an HTML page with plots.

The JSON results are the source of truth; these are views of them.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def score_lines(record: dict[str, Any], bold: str = "") -> list[str]:
    """One ``name value [low, high]`` string per scored metric (`bold` wraps the value)."""
    lines = []
    for name, score in record.get("scores", {}).items():
        if score.get("value") is None:
            continue
        ci = score.get("ci95")
        lines.append(f"{name} {bold}{score['value']:.4f}{bold}" + (f" [{ci[0]:.4f}, {ci[1]:.4f}]" if ci else ""))
    return lines


def score_cells(record: dict[str, Any]) -> str:
    return "<br>".join(score_lines(record, bold="**")) or "—"


def markdown(document: dict[str, Any]) -> str:
    """The results as a Markdown table (one row per run)."""
    env = document["environment"]
    suite = document["suite"]
    lines = [
        f"# Benchmark: {suite['name']}",
        "",
        suite.get("description") or "",
        "",
        f"{env['date']} · {env['cpu']} ({env['cpu_count']} CPUs, torch threads {env['torch_threads']}) · accelerator {_accelerator(env)} · "
        f"nlpkit {env['versions'].get('nlpkit-core', env['versions'].get('nlpkit', '?'))} · torch {env['versions'].get('torch', '?')} · "
        f"transformers {env['versions'].get('transformers', '?')} · git {(env.get('git_revision') or '?')[:12]} · seed {env['seed']} · "
        f"95% CIs from {suite['bootstrap']} bootstrap resamples",
        "",
        "| run | task | model | data | n | scores (95% CI) | examples/s | tokens/s | batch p50 / p95 ms | peak MiB | fine-tuning |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in document["runs"]:
        if r.get("status") != "ok":
            lines.append(f"| {r['name']} | {r['task']} | {r['model']} | {r['data']} | — | **failed**: {html.escape(str(r.get('error', '')))[:200]} | | | | | |")
            continue
        inf = r.get("inference", {})
        ft = r.get("finetune")
        train = "—"
        if ft:
            rate = f", {ft['examples_per_second']:.1f} ex/s" if ft.get("examples_per_second") else ""
            train = f"{ft['examples']:,} ex, {ft['seconds']:.0f} s{rate}"
        lines.append(
            f"| {r['name']} | {r['task']} | {r['model']}{_placement(r)} | {r['data']} | {r.get('examples', '—')} | {score_cells(r)} | "
            f"{_fmt(inf.get('examples_per_second'), 1)} | {_fmt(inf.get('tokens_per_second'), 0)} | "
            f"{_fmt(inf.get('latency_p50_ms'), 1)} / {_fmt(inf.get('latency_p95_ms'), 1)} | {_fmt(inf.get('peak_rss_mb'), 0)} | {train} |"
        )
    return "\n".join(lines) + "\n"


def _placement(record: dict[str, Any]) -> str:
    """` on cuda:0 fp16` after the model name, when a run did not compute on the CPU at fp32."""
    device = record.get("device") or {}
    if not device or (device.get("device") == "cpu" and device.get("precision") == "fp32"):
        return ""
    return f" on {device['device']} {device['precision']}"


def _accelerator(env: dict[str, Any]) -> str:
    acc = env.get("accelerator") or {}
    if not acc or acc.get("kind") == "none":
        return "none"
    return f"{acc['count']}× {acc['name']}"
def summary(document: dict[str, Any]) -> dict[str, Any]:
    """The results in brief, for ``nlpkit bench --json``: per run its status, scores with
    CIs, throughput and fine-tuning, without per-class details or predictions."""
    runs = []
    for r in document["runs"]:
        entry: dict[str, Any] = {k: r.get(k) for k in ("name", "task", "model", "data", "status", "examples")}
        if r.get("status") != "ok":
            entry["error"] = r.get("error")
        else:
            entry["scores"] = {name: {"main": sc.get("main"), "value": sc.get("value"), "ci95": sc.get("ci95")} for name, sc in r.get("scores", {}).items()}
            inf = r.get("inference", {})
            entry["inference"] = {k: inf.get(k) for k in ("examples_per_second", "tokens_per_second", "latency_p50_ms", "latency_p95_ms", "peak_rss_mb")}
            if r.get("finetune"):
                entry["finetune"] = {k: r["finetune"].get(k) for k in ("examples", "seconds", "examples_per_second")}
        runs.append(entry)
    return {"suite": document["suite"]["name"], "bootstrap": document["suite"].get("bootstrap"), "runs": runs}


def text_table(document: dict[str, Any], width: int = 80) -> str:
    """The results as a plain-text table for a terminal (fits `width` columns)."""
    from nlpkit.cli_output import table

    rows = []
    for r in document["runs"]:
        if r.get("status") != "ok":
            rows.append([r["name"], r["model"], r["data"], "—", "FAILED: " + str(r.get("error", ""))[:200], ""])
            continue
        rows.append([r["name"], r["model"], r["data"], str(r.get("examples", "—")), "\n".join(score_lines(r)) or "—", _fmt(r.get("inference", {}).get("examples_per_second"), 1)])
    bootstrap = document["suite"].get("bootstrap")
    return table(rows, ["run", "model", "data", "n", f"score [95% CI, {bootstrap} resamples]", "ex/s"], width=width, wrap=[1, 2, 4])


def _main_score(record: dict[str, Any]) -> tuple[str, float, list[float] | None] | None:
    """(metric name, value, 95% CI) of the run's first scored metric: its headline."""
    for name, score in record.get("scores", {}).items():
        if score.get("value") is not None:
            return _metric_label(name, score.get("main")), score["value"], score.get("ci95")
    return None


def _metric_label(name: str, key: str | None) -> str:
    return name if not key or key == name else f"{name} ({key})"


def sweep_groups(document: dict[str, Any]) -> dict[str, list[tuple[int, float, list[float] | None]]]:
    """Runs that differ only by training-set size, as (examples, score, ci) per group."""
    groups: dict[str, list[tuple[int, float, list[float] | None]]] = {}
    for r in document["runs"]:
        ft = r.get("finetune") or {}
        main = _main_score(r)
        if r.get("status") != "ok" or not ft or main is None:
            continue
        base = re.sub(r"-\d+$", "", r["name"])
        groups.setdefault(base, []).append((int(ft["examples"]), main[1], main[2]))
    return {k: sorted(v) for k, v in groups.items() if len(v) > 1}


def _headline_label(document: dict[str, Any]) -> str:
    """The y-axis name: the headline metric when every run shares it."""
    labels = {m[0] for r in document["runs"] if r.get("status") == "ok" and (m := _main_score(r))}
    return labels.pop() if len(labels) == 1 else "headline score (first metric of each run)"


# -- figures ----------------------------------------------------------------------------
@dataclass
class Figure:
    """One chart of the HTML report: a PNG (base64), its caption and its alt text."""

    key: str
    png: str
    caption: str
    alt: str


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _plain_log_ticks(axis: Any, values: list[float] | None = None) -> None:
    """Log-scale ticks written as plain numbers (100, 1,000) — at `values` when given."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    if values:
        axis.set_ticks(values)
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _score_range(values: list[float]) -> tuple[float, float] | None:
    """The full 0–1 range for fractions (so small gaps are not blown up); None otherwise."""
    return (0.0, 1.0) if values and all(0.0 <= v <= 1.0 for v in values) else None


def figures(document: dict[str, Any]) -> list[Figure]:
    """The report's charts: quality vs throughput, the data-efficiency curve, and one
    grouped per-class chart per metric that reports per-class F1."""
    import matplotlib

    matplotlib.use("Agg")
    out: list[Figure] = []
    label = _headline_label(document)
    ok = [r for r in document["runs"] if r.get("status") == "ok" and _main_score(r) and r.get("inference", {}).get("examples_per_second")]
    if ok:
        out.append(_quality_vs_throughput(ok, label))
    groups = sweep_groups(document)
    if groups:
        fig = data_efficiency_figure(groups, label)
        points = "; ".join(f"{name}: " + ", ".join(f"{n:,} → {v:.3f}" for n, v, _ in pts) for name, pts in groups.items())
        out.append(Figure("data_efficiency", _png(fig), f"Data efficiency: {label} against training-set size (band: 95% CI)",
                          f"Line chart of {label} against the number of training examples (log scale). {points}."))
    out.extend(_per_class_figures(document))
    return out


def _quality_vs_throughput(runs: list[dict[str, Any]], label: str) -> Figure:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    values: list[float] = []
    described = []
    for r in runs:
        _, value, ci = _main_score(r)  # type: ignore[misc]
        x = r["inference"]["examples_per_second"]
        err = [[value - ci[0]], [ci[1] - value]] if ci else None
        ax.errorbar([x], [value], yerr=err, fmt="o", capsize=3, label=r["name"])
        values += [value, *(ci or [])]
        described.append(f"{r['name']} {value:.3f}" + (f" (95% CI {ci[0]:.3f}–{ci[1]:.3f})" if ci else "") + f" at {x:,.0f} examples/s")
    ax.set_xscale("log")
    _plain_log_ticks(ax.xaxis)
    limits = _score_range(values)
    if limits:
        ax.set_ylim(*limits)
    ax.set_xlabel("inference throughput (examples/s, log scale)")
    ax.set_ylabel(f"{label} (bars: 95% CI)")
    ax.set_title(f"{label} vs throughput")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="run", title_fontsize=8)  # beside: labels never overlap points
    alt = f"Scatter plot of {label} against inference throughput, one point per run: " + "; ".join(described) + "."
    return Figure("quality_vs_throughput", _png(fig), f"Quality vs throughput: {label} (95% CI) against examples per second", alt)


def data_efficiency_figure(groups: dict[str, list[tuple[int, float, list[float] | None]]], label: str = "headline score") -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    values: list[float] = []
    sizes: set[int] = set()
    for name, points in groups.items():
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        ax.plot(xs, ys, marker="o", label=name)
        if all(p[2] for p in points):
            ax.fill_between(xs, [p[2][0] for p in points], [p[2][1] for p in points], alpha=0.15)  # type: ignore[index]
            values += [v for p in points for v in p[2]]  # type: ignore[union-attr]
        values += ys
        sizes.update(xs)
    ax.set_xscale("log")
    _plain_log_ticks(ax.xaxis, sorted(sizes))
    limits = _score_range(values)
    if limits:
        ax.set_ylim(*limits)
    ax.set_xlabel("training examples (log scale)")
    ax.set_ylabel(f"{label} (band: 95% CI)")
    ax.set_title("Data efficiency")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def _per_class_figures(document: dict[str, Any]) -> list[Figure]:
    """For each metric with per-class F1: one horizontal grouped bar chart, classes × runs."""
    import matplotlib.pyplot as plt

    table: dict[str, dict[str, dict[str, float]]] = {}  # metric -> run -> class -> f1
    for r in document["runs"]:
        if r.get("status") != "ok":
            continue
        for name, score in r.get("scores", {}).items():
            per = score.get("result", {}).get("per_type") or score.get("result", {}).get("per_label")
            if isinstance(per, dict) and 1 < len(per) <= 40 and all(isinstance(v, dict) and "f1" in v for v in per.values()):
                table.setdefault(name, {})[r["name"]] = {k: float(v["f1"]) for k, v in per.items()}
    out = []
    for metric, runs in table.items():
        classes = sorted({c for per in runs.values() for c in per})
        names = list(runs)
        height = 0.8 / len(names)
        fig, ax = plt.subplots(figsize=(7.5, max(2.5, 0.32 * len(classes) * len(names) + 1.3)))
        for i, run in enumerate(names):
            ys = [c_index + (len(names) - 1 - i - (len(names) - 1) / 2) * height for c_index in range(len(classes))]
            bars = ax.barh(ys, [runs[run].get(c, 0.0) for c in classes], height=height * 0.92, label=run)
            ax.bar_label(bars, labels=[f"{runs[run][c]:.2f}" if c in runs[run] else "n/a" for c in classes], padding=2, fontsize=7)
        ax.set_yticks(range(len(classes)), classes)
        ax.set_xlim(0, 1.08)
        ax.set_xlabel("F1 per class")
        ax.set_title(f"{metric}: F1 per class, by run")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="run", title_fontsize=7)  # beside the bars, never over them
        ax.grid(axis="x", alpha=0.3)
        lowest = min(((v, c, run) for run, per in runs.items() for c, v in per.items()))
        alt = (f"Grouped bar chart of per-class F1 ({metric}) for {len(classes)} classes ({', '.join(classes[:12])}{'…' if len(classes) > 12 else ''}) "
               f"and {len(names)} runs; lowest: {lowest[1]} in {lowest[2]} at {lowest[0]:.2f}.")
        out.append(Figure(f"per_class_{metric}", _png(fig), f"Per-class F1 ({metric}) for every run", alt))
    return out


def plots(document: dict[str, Any]) -> dict[str, str]:
    """Base64 PNGs by key (the figures without their captions)."""
    return {f.key: f.png for f in figures(document)}


# -- the HTML page ------------------------------------------------------------------------
STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.name{white-space:nowrap}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap}th{max-width:7em}
.scroll{overflow-x:auto}
.ci{color:#555;font-size:12px;white-space:nowrap}.failed{color:#a00}
.env{font-size:12px;color:#444;overflow-wrap:anywhere}.env dt{font-weight:600;float:left;clear:left;width:9em}.env dd{margin-left:9.5em}
figure{display:inline-block;margin:1em;vertical-align:top;max-width:100%}figure img{max-width:100%}figcaption{font-size:13px;color:#444;max-width:600px}"""


def _num(value: Any, digits: int) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def results_table_html(document: dict[str, Any]) -> str:
    """The runs as an HTML table: one column per metric (value over its CI), numbers
    right-aligned with thousands separators, nothing that can wrap inside a number."""
    metrics: list[str] = []
    for r in document["runs"]:
        for name, score in r.get("scores", {}).items():
            if score.get("value") is not None and name not in metrics:
                metrics.append(name)
    e = html.escape
    columns = ["name", "task", "model", "data"]
    if len({r.get("task") for r in document["runs"]}) == 1:  # one task: said once, above the table
        columns.remove("task")
    head = ["".join(f"<th>{'run' if c == 'name' else c}</th>" for c in columns) + "<th class=num>n</th>"]
    head += [f"<th class=num>{e(m)}<br><span class=ci>95% CI</span></th>" for m in metrics]
    head += ["<th class=num>examples/s</th><th class=num>tokens/s</th><th class=num>batch p50 ms</th><th class=num>batch p95 ms</th><th class=num>peak MiB</th>"
             "<th class=num>trained on</th><th class=num>training s</th><th class=num>training ex/s</th>"]
    rows = []
    for r in document["runs"]:
        cells = [f"<td class=name>{e(str(r.get(k, '')) + (_placement(r) if k == 'model' else ''))}</td>" for k in columns]
        if r.get("status") != "ok":
            span = len(metrics) + 9
            cells.append(f"<td class=failed colspan={span}><b>failed</b>: {e(str(r.get('error', '')))[:300]}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
            continue
        examples = r.get("examples")
        cells.append(f"<td class=num>{_num(examples, 0) if isinstance(examples, int) else '—'}</td>")
        for m in metrics:
            score = r.get("scores", {}).get(m)
            if not score or score.get("value") is None:
                cells.append("<td class=num>—</td>")
                continue
            ci = score.get("ci95")
            ci_text = f"<br><span class=ci>[{ci[0]:.4f}, {ci[1]:.4f}]</span>" if ci else ""
            cells.append(f"<td class=num><b>{score['value']:.4f}</b>{ci_text}</td>")
        inf = r.get("inference", {})
        for key, digits in (("examples_per_second", 1), ("tokens_per_second", 0), ("latency_p50_ms", 1), ("latency_p95_ms", 1), ("peak_rss_mb", 0)):
            cells.append(f"<td class=num>{_num(inf.get(key), digits)}</td>")
        ft = r.get("finetune") or {}
        for key, digits in (("examples", 0), ("seconds", 1), ("examples_per_second", 1)):
            cells.append(f"<td class=num>{_num(ft.get(key), digits)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<div class=scroll><table><tr>" + "".join(head) + "</tr>\n" + "\n".join(rows) + "</table></div>"


def _environment_html(document: dict[str, Any]) -> str:
    env = document["environment"]
    suite = document["suite"]
    versions = ", ".join(f"{k} {v}" for k, v in sorted(env["versions"].items()))
    items = [
        ("date", env["date"]),
        ("machine", f"{env['cpu']} · {env['cpu_count']} CPUs · torch threads {env['torch_threads']} · accelerator {_accelerator(env)} · python {env['python']}"),
        ("code", f"git {env.get('git_revision') or '?'} · seed {env['seed']}"),
        ("statistics", f"95% confidence intervals from {suite.get('bootstrap') or 0:,} bootstrap resamples of the scored examples"),
        ("versions", versions),
    ]
    return "<dl class=env>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in items) + "</dl>"


def html_report(document: dict[str, Any]) -> str:
    """A self-contained HTML page: the environment, the table and the charts."""
    e = html.escape
    shown = "\n".join(
        f'<figure><img src="data:image/png;base64,{f.png}" alt="{e(f.alt)}"><figcaption>{e(f.caption)}</figcaption></figure>'
        for f in figures(document)
    )
    title = e(document["suite"]["name"])
    task_names = sorted({str(r.get("task")) for r in document["runs"]})
    tasks = f" Task: {e(task_names[0])}." if len(task_names) == 1 else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nlpkit bench: {title}</title>
<style>{STYLE}</style>
</head><body><h1>nlpkit bench: {title}</h1>
<p>{e(document["suite"].get("description") or "")}{tasks}</p>
{_environment_html(document)}
{results_table_html(document)}
{shown}
</body></html>
"""


def write_reports(document: dict[str, Any], output: Path) -> dict[str, Path]:
    """Write report.md, report.html and the data-efficiency PNG (when there is a sweep)."""
    paths = {"markdown": output / "report.md", "html": output / "report.html"}
    paths["markdown"].write_text(markdown(document))
    paths["html"].write_text(html_report(document))
    groups = sweep_groups(document)
    if groups:
        import matplotlib

        matplotlib.use("Agg")
        fig = data_efficiency_figure(groups, _headline_label(document))
        paths["data_efficiency"] = output / "data_efficiency.png"
        fig.savefig(paths["data_efficiency"], dpi=110, bbox_inches="tight")
    return paths
