"""Resolution searches the registries it is given and loads the plugin manager only without them."""

from __future__ import annotations

import pytest

import nlpkit.plugins
from nlpkit.contracts.errors import UnknownNameError
from nlpkit.contracts.registry import Registry
from nlpkit.contracts.specs import DatasetSpec, MetricSpec
from nlpkit.engines.classification import TextClassificationTask
from nlpkit.resolution import registries_or_loaded
from nlpkit.resolution.data import load_examples
from nlpkit.resolution.metrics import get_metric_spec
from nlpkit.resolution.models import resolve_model
from nlpkit.resolution.tasks import get_task, list_tasks


class Tiny(TextClassificationTask):
    name = "tiny"


def registries() -> dict[str, Registry]:
    kinds = {kind: Registry(kind[:-1]) for kind in ("tasks", "models", "backends", "datasets", "metrics", "suites")}
    kinds["tasks"].add("tiny", Tiny(), "test")
    kinds["metrics"].add("hits", MetricSpec("hits", "nowhere:Hits"), "test")
    kinds["datasets"].add("tinyset", DatasetSpec(name="tinyset", task="tiny", folder="tiny", files={"train": "t.tsv"}), "test")
    return kinds


def test_lookups_search_the_registries_given_without_loading_plugins() -> None:
    given = registries()
    assert get_task("tiny", registries=given).name == "tiny"
    assert [t.name for t in list_tasks(registries=given)] == ["tiny"]
    assert get_metric_spec("hits", registries=given).path == "nowhere:Hits"
    with pytest.raises(UnknownNameError, match="did you mean 'hits'"):
        get_metric_spec("hit", registries=given)
    with pytest.raises(UnknownNameError, match="unknown backend 'transformers'"):
        resolve_model("org/some-model", Tiny(), check_hub=False, registries=given)
    assert nlpkit.plugins._manager is None, "the global plugin manager must not load"


def test_a_registered_dataset_is_found_in_the_registries_given(tmp_path) -> None:
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "t.tsv").write_text("sentence\tlabel\ngood\tpos\nbad\tneg\n", encoding="utf-8")
    examples = load_examples(Tiny(), "tinyset:train", data_dir=tmp_path, registries=registries())
    assert [e.label for e in examples] == ["pos", "neg"]
    assert nlpkit.plugins._manager is None


def test_without_registries_the_loaded_managers_are_used() -> None:
    assert "sentiment" in registries_or_loaded()["tasks"]
    assert nlpkit.plugins._manager is not None
