"""Registration through the plugin hooks, and a light import."""

from __future__ import annotations

import subprocess
import sys

import nlpkit
from nlpkit.plugins import get_manager
from nlpkit.testing import check_task


def test_task_datasets_metrics_and_suite_are_registered() -> None:
    manager = get_manager()
    assert check_task(nlpkit.get_task("qa")) == []
    for name in ("squad_v1.1", "squadshifts_amazon", "squadshifts_reddit", "squadshifts_amazon_reddit"):
        assert manager.get("datasets", name).task == "qa"
    assert manager.get("metrics", "squad").main_key == "f1"
    assert manager.get("metrics", "squad_v2").path.endswith(":SquadV2")
    from pathlib import Path

    assert Path(manager.get("suites", "qa").path).is_file()


def test_registered_dataset_reads_from_a_data_folder(tmp_path, squad_v1) -> None:
    folder = tmp_path / "mirror" / "qa" / "squad_v1.1"
    folder.mkdir(parents=True)
    (folder / "dev-v1.1.json").write_text(squad_v1.read_text(encoding="utf-8"), encoding="utf-8")
    examples = nlpkit.load_examples(nlpkit.get_task("qa"), "squad_v1.1:dev", data_dir=tmp_path / "mirror")
    assert len(examples) == 3


def test_plugin_import_loads_no_heavy_library() -> None:
    code = "import sys, nlpkit_qa.plugin, nlpkit_qa.task; print([m for m in ('torch', 'transformers', 'datasets', 'evaluate') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
