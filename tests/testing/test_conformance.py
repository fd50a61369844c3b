"""The conformance kit: every bundled plugin passes it, and it fails the tasks it should."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from nlpkit import Task, hookimpl
from nlpkit.plugins import get_manager
from nlpkit.testing import ConformanceError, check_plugin
from nlpkit.testing.conformance import check_import_is_light, sample_path

BUNDLED = {
    "nlpkit-sentiment": {"sentiment"},
    "nlpkit-ner": {"ner", "relations"},
    "nlpkit-qa": {"qa"},
    "nlpkit-summarization": {"summarization"},
    "nlpkit-translation": {"translation"},
}

SAMPLE = "sentence\tlabel\n" + "".join(
    f"{text}\t{label}\n" for text, label in [
        ("the tea was hot and sweet", "positive"), ("the train was cold and late", "negative"),
        ("a bright and kind teacher", "positive"), ("a grey and noisy street", "negative"),
        ("lovely quiet rooms", "positive"), ("rude loud guests", "negative"),
    ]
)


pytestmark = pytest.mark.usefixtures("torch_single_thread")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.tsv"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


@pytest.mark.parametrize("distribution", sorted(BUNDLED))
def test_bundled_plugin_passes_the_conformance_kit(distribution: str, tmp_path: Path) -> None:
    report = check_plugin(distribution, workdir=tmp_path)
    assert {t.task for t in report.tasks} == BUNDLED[distribution], "every task of the plugin is checked"
    for task in report.tasks:
        assert task.examples >= 2 and task.record_types, task
        assert set(task.scores) == set(get_manager().get("tasks", task.task).default_metrics)
        assert {"read", "finetune", "predict", "evaluate", "save-load"} <= set(task.seconds)


def test_an_empty_task_subclass_fails_naming_what_is_missing() -> None:
    class Empty(Task):
        pass

    with pytest.raises(ConformanceError) as caught:
        check_plugin(Empty())
    message = str(caught.value)
    assert "task name None" in message and "head must be an nlpkit.Head" in message
    assert "no sample to run on" in message


def sentiment_subclass(**attributes: object) -> Task:
    base = type(get_manager().get("tasks", "sentiment"))
    return type("Variant", (base,), {"name": "variant", **attributes})()


def test_a_task_whose_predict_returns_the_wrong_count_fails(sample: Path) -> None:
    base = type(get_manager().get("tasks", "sentiment"))

    def predict(self, model, inputs, **kwargs):  # drops the last input's record
        return base.predict(self, model, inputs, **kwargs)[:-1]

    with pytest.raises(ConformanceError, match="predict returned 5 records for 6 inputs"):
        check_plugin(sentiment_subclass(predict=predict), samples={"variant": sample})


def test_a_task_that_returns_records_out_of_input_order_fails(sample: Path) -> None:
    base = type(get_manager().get("tasks", "sentiment"))

    def predict(self, model, inputs, **kwargs):  # records sorted by score, as a batching loop that forgot to restore order
        return sorted(base.predict(self, model, inputs, **kwargs), key=lambda record: record.score)

    with pytest.raises(ConformanceError, match="predictions depend on input order"):
        check_plugin(sentiment_subclass(predict=predict), samples={"variant": sample})


BAD_METRICS = """
from nlpkit.engines.metrics.classification import Accuracy

class MeanOff(Accuracy):
    @staticmethod
    def per_example(predictions, references, **kwargs):
        return {"accuracy": [0.123] * len(predictions)}

class ShortColumns(Accuracy):
    @staticmethod
    def per_example(predictions, references, **kwargs):
        return {"accuracy": [float(p == r) for p, r in zip(predictions, references)][1:]}
"""


@pytest.mark.parametrize(("metric", "problem"), [
    ("mean_off", "the mean of per_example['accuracy'] is 0.123"),
    ("short_columns", "per_example['accuracy'] has 5 values for 6 examples"),
])
def test_a_metric_not_aligned_per_example_fails(metric: str, problem: str, sample: Path, plugin_dir: Path) -> None:
    from nlpkit.contracts.specs import MetricSpec

    (plugin_dir / "fakeplugin_badmetrics.py").write_text(BAD_METRICS)

    @hookimpl
    def register_metrics(register):
        register(MetricSpec("mean_off", "fakeplugin_badmetrics:MeanOff", main_key="accuracy"))
        register(MetricSpec("short_columns", "fakeplugin_badmetrics:ShortColumns", main_key="accuracy"))

    plugin = types.ModuleType("badmetrics")
    plugin.register_metrics = register_metrics  # type: ignore[attr-defined]
    get_manager().register_plugin(plugin, "badmetrics")
    with pytest.raises(ConformanceError, match=problem.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        check_plugin(sentiment_subclass(default_metrics=("accuracy", metric)), samples={"variant": sample})


def test_a_missing_sample_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConformanceError, match="sample file .*nope.tsv does not exist"):
        check_plugin(sentiment_subclass(), samples={"variant": tmp_path / "nope.tsv"})


def test_the_sample_is_found_next_to_the_module_that_declares_it() -> None:
    task = get_manager().get("tasks", "ner")
    path = sample_path(task)
    assert path is not None and path.is_file() and path.parent.name == "samples"
    assert sample_path(sentiment_subclass()) == sample_path(get_manager().get("tasks", "sentiment")), "inherited from the class that declares it"


def test_a_plugin_module_that_imports_a_heavy_library_fails_the_light_import_check(plugin_dir: Path) -> None:
    (plugin_dir / "fakeplugin_weighty.py").write_text("WEIGHT = 1\n")
    (plugin_dir / "fakeplugin_heavyplug.py").write_text("import fakeplugin_weighty\n")
    (plugin_dir / "fakeplugin_lightplug.py").write_text("import json\n")
    assert check_import_is_light("fakeplugin_heavyplug", heavy=("fakeplugin_weighty",)) == [
        "importing fakeplugin_heavyplug imports fakeplugin_weighty: import heavy libraries inside functions"
    ]
    assert check_import_is_light("fakeplugin_lightplug", heavy=("fakeplugin_weighty",)) == []
