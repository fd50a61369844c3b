"""Reports: the HTML table (aligned numbers, unbroken CIs, bootstrap count), charts named
after their metric on honest ranges with readable ticks and meaningful alt texts, and the
plain-text terminal table."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nlpkit.bench import report


def run(name: str, examples: int, accuracy: float, per_label: dict[str, float], rate: float) -> dict[str, Any]:
    return {
        "name": name, "task": "sentiment", "model": "tfidf-logreg", "data": "sst2:dev", "status": "ok", "examples": 872,
        "scores": {
            "accuracy": {"main": "accuracy", "value": accuracy, "ci95": [accuracy - 0.02, accuracy + 0.02], "result": {"accuracy": accuracy}},
            "f1": {"main": "f1", "value": accuracy - 0.01, "ci95": [accuracy - 0.03, accuracy + 0.01],
                   "result": {"f1": accuracy - 0.01, "per_label": {k: {"f1": v, "precision": v, "recall": v} for k, v in per_label.items()}}},
        },
        "inference": {"examples_per_second": rate, "tokens_per_second": rate * 24, "latency_p50_ms": 1.25, "latency_p95_ms": 6.1, "peak_rss_mb": 1188.0},
        "finetune": {"examples": examples, "seconds": 3.9, "examples_per_second": 17111.1},
    }


@pytest.fixture
def document() -> dict[str, Any]:
    return {
        "suite": {"name": "demo", "description": "a demo", "bootstrap": 1000},
        "environment": {"date": "2026-01-01", "cpu": "CPU", "cpu_count": 2, "torch_threads": 1, "python": "3.11", "git_revision": "abc", "seed": 42,
                        "versions": {f"package{i}": "1.0" for i in range(30)}},
        "runs": [
            run("tfidf-100", 100, 0.56, {"positive": 0.52, "negative": 0.59}, 28557.4),
            run("tfidf-8000", 8000, 0.77, {"positive": 0.79, "negative": 0.75}, 11740.8),
            {"name": "broken", "task": "sentiment", "model": "x", "data": "sst2:dev", "status": "error", "error": "it's broken"},
        ],
    }


def test_html_table_right_aligns_numbers_in_one_format_and_keeps_cis_whole(document: dict[str, Any]) -> None:
    page = report.html_report(document)
    assert "<td class=num>11,740.8</td>" in page and "<td class=num>1,188</td>" in page and "<td class=num>8,000</td>" in page
    assert "<td class=num><b>0.7700</b><br><span class=ci>[0.7500, 0.7900]</span></td>" in page
    assert re.search(r"\.ci\{[^}]*white-space:nowrap", page) and re.search(r"td\.num\{[^}]*white-space:nowrap", page)
    assert "from 1,000 bootstrap resamples" in page
    assert "it&#x27;s broken" in page  # escaped once, shown as text


def test_environment_wraps_instead_of_a_preformatted_line(document: dict[str, Any]) -> None:
    page = report.html_report(document)
    assert "<pre>" not in page and "<dl class=env>" in page and "overflow-wrap:anywhere" in page


def test_charts_are_named_after_the_metric_with_alt_texts_that_give_the_numbers(document: dict[str, Any]) -> None:
    figures = {f.key: f for f in report.figures(document)}
    assert set(figures) == {"quality_vs_throughput", "data_efficiency", "per_class_f1"}  # one grouped per-class chart
    assert "accuracy" in figures["quality_vs_throughput"].alt and "tfidf-8000 0.770" in figures["quality_vs_throughput"].alt
    assert "8,000 → 0.770" in figures["data_efficiency"].alt
    assert "2 classes" in figures["per_class_f1"].alt and "lowest: positive in tfidf-100 at 0.52" in figures["per_class_f1"].alt
    page = report.html_report(document)
    assert 'alt="Scatter plot of accuracy' in page


def test_score_axes_span_zero_to_one_with_plain_tick_labels(document: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    fig = report.data_efficiency_figure(report.sweep_groups(document), "accuracy")
    ax = fig.axes[0]
    assert ax.get_ylim() == (0.0, 1.0) and ax.get_ylabel().startswith("accuracy")
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["100", "8,000"]


def test_per_class_chart_labels_every_bar_with_its_value(document: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    captured = []
    original = plt.close
    plt.close = lambda fig=None: captured.append(fig)  # type: ignore[assignment]
    try:
        report._per_class_figures(document)
    finally:
        plt.close = original
    texts = sorted(t.get_text() for t in captured[0].axes[0].texts)
    assert texts == ["0.52", "0.59", "0.75", "0.79"]


def test_terminal_table_is_plain_text_that_fits(document: dict[str, Any]) -> None:
    text = report.text_table(document, width=80)
    assert max(map(len, text.splitlines())) <= 80
    assert "**" not in text and "<br>" not in text and "&#x27;" not in text and "|" not in text
    assert "FAILED:" in text and "it's" in text  # the error as text, not HTML-escaped
