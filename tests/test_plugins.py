"""Plugin discovery through real entry points: isolation, strict mode, selection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nlpkit.errors import PluginError
from nlpkit.plugins import PluginManager
from nlpkit.testing import make_distribution

GOOD = """
from nlpkit import hookimpl
from nlpkit.classification import TextClassificationTask

class EchoTask(TextClassificationTask):
    name = "echo"
    description = "a test task"

@hookimpl
def register_tasks(register):
    register(EchoTask())
"""

RAISES_IN_HOOK = """
from nlpkit import hookimpl
from nlpkit.classification import TextClassificationTask

class HalfTask(TextClassificationTask):
    name = "half"

@hookimpl
def register_tasks(register):
    register(HalfTask())
    raise RuntimeError("database of labels is missing")
"""

COLLIDES = """
from nlpkit import hookimpl
from nlpkit.classification import TextClassificationTask

class OtherEcho(TextClassificationTask):
    name = "echo"

@hookimpl
def register_tasks(register):
    register(OtherEcho())
"""


def install(plugin_dir: Path, dist: str, module: str, source: str) -> None:
    make_distribution(plugin_dir / dist, dist, {module: source}, {module: module})
    sys.path.insert(0, str(plugin_dir / dist))


def load(**kwargs) -> tuple[PluginManager, list[str]]:
    lines: list[str] = []
    manager = PluginManager(report=lines.append, **kwargs).load()
    return manager, lines


def test_good_plugin_registers_its_task(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    manager, lines = load(only=["fake-good"])
    assert manager.get("tasks", "echo").name == "echo"
    info = next(p for p in manager.plugins if p.distribution == "fake-good")
    assert info.hooks == ["register_tasks"]
    assert info.registered == {"tasks": ["echo"]}
    assert lines == []


def test_plugin_that_fails_to_import_is_reported_once_and_skipped(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    install(plugin_dir, "fake-broken", "fakeplugin_broken", "import a_module_that_does_not_exist\n")
    manager, lines = load(only=["fake-good", "fake-broken"])
    assert "echo" in manager.registries["tasks"]
    assert len(lines) == 1
    assert "fakeplugin_broken" in lines[0] and "fake-broken" in lines[0] and "ModuleNotFoundError" in lines[0]
    broken = next(p for p in manager.plugins if p.distribution == "fake-broken")
    assert broken.error and "import failed" in broken.error


def test_hook_that_raises_registers_nothing_and_others_keep_working(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    install(plugin_dir, "fake-half", "fakeplugin_half", RAISES_IN_HOOK)
    manager, lines = load(only=["fake-good", "fake-half"])
    assert "half" not in manager.registries["tasks"], "a failing hook must not leave half its registrations"
    assert "echo" in manager.registries["tasks"]
    assert len(lines) == 1 and "database of labels is missing" in lines[0]


def test_name_collision_names_both_distributions(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    install(plugin_dir, "fake-collide", "fakeplugin_collide", COLLIDES)
    manager, lines = load(only=["fake-good", "fake-collide"])
    assert len(lines) == 1
    assert "fake-good" in lines[0] and "fake-collide" in lines[0] and "'echo'" in lines[0]
    # plugins load in entry-point name order, so the first keeps the name and the second is skipped
    assert "plugin 'fakeplugin_good' (fake-good) skipped" in lines[0]
    assert manager.registries["tasks"].entry("echo").distribution == "fake-collide"


def test_strict_mode_turns_a_broken_plugin_into_an_error(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-broken", "fakeplugin_broken", "raise ValueError('boom at import')\n")
    with pytest.raises(PluginError, match="boom at import"):
        load(only=["fake-broken"], strict=True)


def test_load_plugins_selects_by_name_and_empty_means_none(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    manager, _ = load(only=[])
    assert [p.name for p in manager.plugins] == ["nlpkit"]
    assert "accuracy" in manager.registries["metrics"], "the core's built-ins always load"
    manager, _ = load(only=["fakeplugin_good"])  # entry-point name works as well as the distribution
    assert "echo" in manager.registries["tasks"]


def run_cli(args: list[str], plugin_dir: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **env}
    if plugin_dir is not None:
        environ["PYTHONPATH"] = os.pathsep.join([str(p) for p in plugin_dir.iterdir()] + [environ.get("PYTHONPATH", "")])
    code = "import sys; from nlpkit.cli import main; sys.argv = ['nlpkit'] + sys.argv[1:]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=environ, timeout=120)


def test_plugins_json_lists_broken_plugin_with_its_error_and_exits_zero(plugin_dir: Path) -> None:
    make_distribution(plugin_dir / "b", "fake-broken", {"fakeplugin_broken": "import nope_nope\n"}, {"fakeplugin_broken": "fakeplugin_broken"})
    result = run_cli(["plugins", "--json"], plugin_dir)
    assert result.returncode == 0, result.stderr
    rows = {row["distribution"]: row for row in json.loads(result.stdout)}
    assert "nope_nope" in rows["fake-broken"]["error"]
    assert rows["nlpkit"]["error"] is None
    assert result.stderr.count("fake-broken") == 1, "reported once, on one line"


def test_strict_env_makes_the_cli_fail_with_a_clear_message(plugin_dir: Path) -> None:
    make_distribution(plugin_dir / "b", "fake-broken", {"fakeplugin_broken": "import nope_nope\n"}, {"fakeplugin_broken": "fakeplugin_broken"})
    result = run_cli(["tasks"], plugin_dir, NLPKIT_STRICT_PLUGINS="1")
    assert result.returncode == 2
    assert "fake-broken" in result.stderr and "nope_nope" in result.stderr


def test_help_and_plugins_do_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from nlpkit.cli import cli\n"
        "from nlpkit.plugins import get_manager\n"
        "get_manager().add_commands(cli)\n"
        "for args in (['--help'], ['plugins'], ['tasks'], ['models']):\n"
        "    assert CliRunner().invoke(cli, args).exit_code == 0, args\n"
        "heavy = [m for m in ('torch', 'transformers', 'datasets', 'evaluate', 'sklearn') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
