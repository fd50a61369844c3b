import subprocess
import sys

import nlpkit
from nlpkit.testing import check_task


def test_importing_the_plugin_and_tasks_loads_no_heavy_library():
    code = (
        "import sys, nlpkit_ner.plugin, nlpkit_ner.ner, nlpkit_ner.relations;"
        "print(sorted(m for m in ('torch', 'transformers', 'datasets', 'evaluate') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_tasks_conform_and_are_registered():
    for name in ("ner", "relations"):
        assert check_task(nlpkit.get_task(name)) == []


def test_datasets_metrics_and_suite_are_registered():
    from nlpkit.plugins import get_manager

    manager = get_manager()
    for name in ("conll2003", "wnut17", "conll04", "conll04_entities", "ade", "semeval2010_task8"):
        assert name in manager.registries["datasets"]
    for name in ("seqeval", "relation_f1", "relation_macro_f1", "semeval_f1"):
        assert name in manager.registries["metrics"]
    assert "ner" in manager.registries["suites"]


def test_packaged_suite_names_registered_tasks_datasets_and_metrics():
    import tomllib
    from pathlib import Path

    import nlpkit_ner
    from nlpkit.plugins import get_manager

    manager = get_manager()
    suite = tomllib.loads((Path(nlpkit_ner.__file__).parent / "suites" / "ner.toml").read_text())
    for run in suite["runs"]:
        assert run["task"] in manager.registries["tasks"] and run["dataset"] in manager.registries["datasets"]
        assert all(m in manager.registries["metrics"] for m in run["metrics"])
