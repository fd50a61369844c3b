"""Reports from a results document: a Markdown table and an HTML page with plots.

The JSON results are the source of truth; these are views of them.
"""

from __future__ import annotations

import base64
import html
import io
import re
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
        f"{env['date']} · {env['cpu']} ({env['cpu_count']} CPUs, torch threads {env['torch_threads']}) · "
        f"nlpkit {env['versions'].get('nlpkit', '?')} · torch {env['versions'].get('torch', '?')} · "
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
            f"| {r['name']} | {r['task']} | {r['model']} | {r['data']} | {r.get('examples', '—')} | {score_cells(r)} | "
            f"{_fmt(inf.get('examples_per_second'), 1)} | {_fmt(inf.get('tokens_per_second'), 0)} | "
            f"{_fmt(inf.get('latency_p50_ms'), 1)} / {_fmt(inf.get('latency_p95_ms'), 1)} | {_fmt(inf.get('peak_rss_mb'), 0)} | {train} |"
        )
    return "\n".join(lines) + "\n"


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
    for name, score in record.get("scores", {}).items():
        if score.get("value") is not None:
            return f"{name}.{score['main']}", score["value"], score.get("ci95")
    return None


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


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def plots(document: dict[str, Any]) -> dict[str, str]:
    """Base64 PNGs: quality vs throughput, data-efficiency curve, per-class breakdowns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, str] = {}
    ok = [r for r in document["runs"] if r.get("status") == "ok" and _main_score(r) and r.get("inference", {}).get("examples_per_second")]
    if ok:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for r in ok:
            label, value, ci = _main_score(r)  # type: ignore[misc]
            x = r["inference"]["examples_per_second"]
            err = [[value - ci[0]], [ci[1] - value]] if ci else None
            ax.errorbar([x], [value], yerr=err, fmt="o", capsize=3)
            ax.annotate(r["name"], (x, value), textcoords="offset points", xytext=(5, 4), fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("inference throughput (examples/s, log scale)")
        ax.set_ylabel("headline score (95% CI)")
        ax.set_title("Quality vs throughput")
        ax.grid(alpha=0.3)
        out["quality_vs_throughput"] = _png(fig)
    groups = sweep_groups(document)
    if groups:
        out["data_efficiency"] = _png(data_efficiency_figure(groups))
    for r in document["runs"]:
        for name, score in r.get("scores", {}).items():
            per = score.get("result", {}).get("per_type") or score.get("result", {}).get("per_label")
            if isinstance(per, dict) and 1 < len(per) <= 40 and all(isinstance(v, dict) and "f1" in v for v in per.values()):
                fig, ax = plt.subplots(figsize=(6, 0.3 * len(per) + 1.2))
                labels = sorted(per)
                ax.barh(labels, [per[k]["f1"] for k in labels], color="#4c72b0")
                ax.set_xlim(0, 1)
                ax.set_xlabel("F1")
                ax.set_title(f"{r['name']}: {name} per class")
                out[f"breakdown_{r['name']}_{name}"] = _png(fig)
                break
    return out


def data_efficiency_figure(groups: dict[str, list[tuple[int, float, list[float] | None]]]) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, points in groups.items():
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        ax.plot(xs, ys, marker="o", label=name)
        if all(p[2] for p in points):
            ax.fill_between(xs, [p[2][0] for p in points], [p[2][1] for p in points], alpha=0.15)  # type: ignore[index]
    ax.set_xscale("log")
    ax.set_xlabel("training examples (log scale)")
    ax.set_ylabel("headline score (band: 95% CI)")
    ax.set_title("Data efficiency")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def html_report(document: dict[str, Any]) -> str:
    """A self-contained HTML page: the table and the plots."""
    images = plots(document)
    table = markdown_table_html(document)
    figures = "\n".join(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(key)}"><figcaption>{html.escape(key.replace("_", " "))}</figcaption></figure>' for key, data in images.items())
    title = html.escape(document["suite"]["name"])
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>nlpkit bench: {title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}figure{{display:inline-block;margin:1em}}</style>
</head><body><h1>nlpkit bench: {title}</h1>
<p>{html.escape(document["suite"].get("description") or "")}</p>
<pre>{html.escape(_env_text(document))}</pre>
{table}
{figures}
</body></html>
"""


def _env_text(document: dict[str, Any]) -> str:
    env = document["environment"]
    versions = ", ".join(f"{k} {v}" for k, v in sorted(env["versions"].items()))
    return f"{env['date']}  {env['cpu']}  CPUs {env['cpu_count']}  torch threads {env['torch_threads']}  python {env['python']}\ngit {env.get('git_revision')}  seed {env['seed']}\n{versions}"


def markdown_table_html(document: dict[str, Any]) -> str:
    rows = [line for line in markdown(document).splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    body = []
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        cells = [re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(c).replace("&lt;br&gt;", "<br>")) for c in cells]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>" + "".join(body) + "</table>"


def write_reports(document: dict[str, Any], output: Path) -> dict[str, Path]:
    """Write report.md, report.html and the data-efficiency PNG (when there is a sweep)."""
    paths = {"markdown": output / "report.md", "html": output / "report.html"}
    paths["markdown"].write_text(markdown(document))
    paths["html"].write_text(html_report(document))
    groups = sweep_groups(document)
    if groups:
        import matplotlib

        matplotlib.use("Agg")
        fig = data_efficiency_figure(groups)
        paths["data_efficiency"] = output / "data_efficiency.png"
        fig.savefig(paths["data_efficiency"], dpi=110, bbox_inches="tight")
    return paths
