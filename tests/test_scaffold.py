"""`nlpkit new-plugin`: names, refusal to overwrite, and the generated plugin working
right away: pip install -e, its own tests pass, `nlpkit tasks` lists it, its suite runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlpkit.cli import cli
from nlpkit import NlpkitError
from nlpkit.scaffold import compatible_bound, core_distribution, new_plugin, plugin_names


def test_names_derive_from_the_plugin_name() -> None:
    names = plugin_names("nlpkit-ticket-topic")
    assert (names.task, names.dist, names.module, names.cls) == ("ticket_topic", "nlpkit-ticket-topic", "nlpkit_ticket_topic", "TicketTopicTask")
    import nlpkit

    major, minor = nlpkit.__version__.split(".")[:2]
    assert names.core_requirement.startswith(f"{core_distribution()[0]}>={major}.{minor},<")
    assert core_distribution()[1] == nlpkit.__version__


def test_core_bound_is_a_compatible_release_range() -> None:
    assert compatible_bound("nlpkit-core", "0.2.1") == "nlpkit-core>=0.2,<0.3"
    assert compatible_bound("nlpkit-core", "1.4.0") == "nlpkit-core>=1.4,<2"


def test_bad_name_and_existing_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NlpkitError, match="lower-case letters"):
        plugin_names("My Task")
    (tmp_path / "nlpkit-mytask").mkdir()
    (tmp_path / "nlpkit-mytask" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["new-plugin", "mytask", "--output", str(tmp_path)])
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert (tmp_path / "nlpkit-mytask" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(("kind", "data"), [("classification", {"train.tsv", "dev.tsv"}), ("tagging", {"train.conll", "dev.conll"}), ("seq2seq", {"train.jsonl", "dev.jsonl"})])
def test_generated_files_have_no_unfilled_placeholders(tmp_path: Path, kind: str, data: set[str]) -> None:
    folder = new_plugin("mytask", kind=kind, output=tmp_path)
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert {"pyproject.toml", "README.md", "__init__.py", "plugin.py", "task.py", "metric.py", "mytask.toml", "test_plugin.py"} | data <= {p.name for p in files}
    for path in files:
        assert "{{" not in path.read_text(encoding="utf-8"), path


def test_unknown_task_kind_is_refused_naming_the_kinds(tmp_path: Path) -> None:
    with pytest.raises(NlpkitError, match="kinds: classification, tagging, seq2seq"):
        new_plugin("mytask", kind="parsing", output=tmp_path)


def test_tagging_plugin_builds_on_the_core_block_and_requires_only_the_core(tmp_path: Path) -> None:
    folder = new_plugin("dishes", kind="tagging", output=tmp_path)
    pyproject = (folder / "pyproject.toml").read_text(encoding="utf-8")
    (requirements,) = re.findall(r"^dependencies = \[(.*)\]$", pyproject, flags=re.M)
    assert requirements.count('"') == 2 and requirements.startswith(f'"{core_distribution()[0]}>=')
    assert "(TokenClassificationTask)" in (folder / "nlpkit_dishes" / "task.py").read_text(encoding="utf-8")


def run(*command: str, cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("NLPKIT_DATA_DIR", None)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_generated_plugins_install_pass_their_tests_list_and_bench(tmp_path: Path) -> None:
    """Every kind in one install; the classification suite (TF-IDF, seconds) is benched,
    the tagging and seq2seq ones (they fine-tune MiniLM, minutes) only by hand."""
    nlpkit = [sys.executable, "-c", "from nlpkit.cli import main; main()"]
    classification = Path(run(*nlpkit, "new-plugin", "scaffoldcheck", "--output", str(tmp_path), cwd=tmp_path).stdout.strip())
    tagging = Path(run(*nlpkit, "new-plugin", "scaffoldtag", "--task-kind", "tagging", "--output", str(tmp_path), cwd=tmp_path).stdout.strip())
    seq2seq = Path(run(*nlpkit, "new-plugin", "scaffoldgen", "--task-kind", "seq2seq", "--output", str(tmp_path), cwd=tmp_path).stdout.strip())
    run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(classification), "-e", str(tagging), "-e", str(seq2seq), cwd=tmp_path)
    try:
        for folder in (classification, tagging, seq2seq):
            tests = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=folder, timeout=300)
            assert re.search(r"\b[34] passed", tests.stdout) and "failed" not in tests.stdout, folder.name
        tasks = {t["name"]: t for t in json.loads(run(*nlpkit, "tasks", "--json", cwd=tmp_path).stdout)}
        assert tasks["scaffoldcheck"]["plugin"] == "nlpkit-scaffoldcheck" and tasks["scaffoldcheck"]["head"] == "sequence-classification"
        assert tasks["scaffoldgen"]["plugin"] == "nlpkit-scaffoldgen" and tasks["scaffoldgen"]["head"] == "seq2seq"
        assert tasks["scaffoldtag"]["plugin"] == "nlpkit-scaffoldtag" and tasks["scaffoldtag"]["head"] == "token-classification"
        assert {"scaffoldcheck", "scaffoldtag", "scaffoldgen"} <= {s["name"] for s in json.loads(run(*nlpkit, "bench", "--list", "--json", cwd=tmp_path).stdout)}
        bench = run(*nlpkit, "bench", "scaffoldcheck", "--output", str(tmp_path / "bench"), "--json", cwd=tmp_path)
        (result,) = json.loads(bench.stdout)["runs"]
        assert result["status"] == "ok" and result["scores"]["accuracy"]["value"] >= 0.75
    finally:
        run(sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", "nlpkit-scaffoldcheck", "nlpkit-scaffoldtag", "nlpkit-scaffoldgen", cwd=tmp_path)
