"""Plugin discovery through real entry points: isolation, strict mode, selection."""

from __future__ import annotations

import json
import os
import re
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


def set_installed(plugin_dir: Path, dist: str, mtime: float) -> None:
    """Pretend `dist` was installed at `mtime` (its dist-info folder's modification time)."""
    (info,) = (plugin_dir / dist).glob("*.dist-info")
    os.utime(info, (mtime, mtime))


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


def test_name_collision_between_third_parties_keeps_the_first_installed(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    install(plugin_dir, "fake-collide", "fakeplugin_collide", COLLIDES)
    # fake-collide sorts first by name but was installed later: installation order decides
    set_installed(plugin_dir, "fake-good", 1_000_000)
    set_installed(plugin_dir, "fake-collide", 2_000_000)
    manager, lines = load(only=["fake-good", "fake-collide"])
    assert manager.registries["tasks"].entry("echo").distribution == "fake-good"
    assert len(lines) == 1
    assert "plugin 'fakeplugin_collide' (fake-collide)" in lines[0] and "task 'echo' (kept by fake-good)" in lines[0]
    assert [c.to_dict() for c in manager.collisions] == [{"kind": "task", "name": "echo", "kept_by": "fake-good", "skipped_from": "fake-collide"}]
    set_installed(plugin_dir, "fake-good", 3_000_000)  # now installed last: it loses
    manager, _ = load(only=["fake-good", "fake-collide"])
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
    assert rows["nlpkit-core"]["error"] is None
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


# -- type checks, all-or-nothing, pluggy calling ---------------------------------------
WRONG_TYPE = """
from nlpkit import DatasetSpec, hookimpl

@hookimpl
def register_tasks(register):
    register(DatasetSpec(name="notatask", task="x", folder="x", files={}))
"""

FAILS_IN_A_LATER_HOOK = """
from nlpkit import DatasetSpec, hookimpl

@hookimpl
def register_datasets(register):
    register(DatasetSpec(name="orphan_data", task="x", folder="x", files={}))

@hookimpl
def register_suites(register):
    raise RuntimeError("suite folder missing")
"""

SPECNAME = """
from nlpkit import hookimpl
from nlpkit.classification import TextClassificationTask

class Renamed(TextClassificationTask):
    name = "renamed"

@hookimpl(specname="register_tasks")
def add_my_tasks(register):
    register(Renamed())
"""

MISSPELLED_HOOK = """
from nlpkit import hookimpl

@hookimpl
def regster_tasks(register):
    pass
"""

HIJACK = """
from nlpkit import MetricSpec, hookimpl
from nlpkit.classification import TextClassificationTask

class FakeSentiment(TextClassificationTask):
    name = "sentiment"

class Own(TextClassificationTask):
    name = "own_task"

@hookimpl
def register_tasks(register):
    register(FakeSentiment())
    register(Own())

@hookimpl
def register_metrics(register):
    register(MetricSpec("accuracy", "fakeplugin_hijack:Nope"))
"""


def test_registering_the_wrong_type_is_that_plugins_error_naming_hook_and_types(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-wrong", "fakeplugin_wrong", WRONG_TYPE)
    manager, lines = load(only=["fake-wrong"])
    assert "notatask" not in manager.registries["tasks"] and "notatask" not in manager.registries["datasets"]
    assert len(lines) == 1
    line = lines[0]
    assert "'fakeplugin_wrong' (fake-wrong)" in line and "register_tasks" in line
    assert "nlpkit.data.DatasetSpec ('notatask')" in line and "expected nlpkit.Task" in line


def test_a_plugin_failing_in_any_hook_registers_nothing_from_any_hook(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-later", "fakeplugin_later", FAILS_IN_A_LATER_HOOK)
    manager, lines = load(only=["fake-later"])
    assert "orphan_data" not in manager.registries["datasets"], "the earlier hook's dataset must be rolled back too"
    assert len(lines) == 1 and "register_suites failed" in lines[0] and "suite folder missing" in lines[0]
    info = next(p for p in manager.plugins if p.distribution == "fake-later")
    assert info.registered == {} and info.error


def test_hooks_are_called_through_pluggy_so_specname_works(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-specname", "fakeplugin_specname", SPECNAME)
    manager, lines = load(only=["fake-specname"])
    assert lines == []
    assert manager.registries["tasks"].entry("renamed").distribution == "fake-specname"


def test_a_misspelled_hook_is_reported_with_the_close_hook_name(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-typo", "fakeplugin_typo", MISSPELLED_HOOK)
    _, lines = load(only=["fake-typo"])
    assert len(lines) == 1 and "'regster_tasks'" in lines[0] and "did you mean 'register_tasks'" in lines[0]


def test_a_third_party_cannot_hijack_bundled_names_and_every_collision_is_listed(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-hijack", "fakeplugin_hijack", HIJACK)
    set_installed(plugin_dir, "fake-hijack", 1)  # installed long before the bundled plugins: still loses
    manager, lines = load(only=["fake-hijack", "nlpkit-sentiment"])
    assert manager.registries["tasks"].entry("sentiment").distribution == "nlpkit-sentiment"
    assert manager.registries["metrics"].entry("accuracy").distribution == "nlpkit-core"
    assert manager.registries["tasks"].entry("own_task").distribution == "fake-hijack", "its other items still register"
    info = next(p for p in manager.plugins if p.distribution == "fake-hijack")
    assert {(c.kind, c.name, c.kept_by) for c in info.skipped} == {("task", "sentiment", "nlpkit-sentiment"), ("metric", "accuracy", "nlpkit-core")}
    assert len(lines) == 1 and "task 'sentiment' (kept by nlpkit-sentiment)" in lines[0] and "metric 'accuracy' (kept by nlpkit-core)" in lines[0]


def test_strict_mode_makes_a_collision_an_error(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-hijack", "fakeplugin_hijack", HIJACK)
    with pytest.raises(PluginError, match=re.escape("task 'sentiment' (kept by nlpkit-sentiment)")):
        load(only=["fake-hijack", "nlpkit-sentiment"], strict=True)


# -- heavy imports, selection, tracing --------------------------------------------------
def test_a_plugin_that_imports_a_heavy_library_is_reported_naming_the_importer(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nlpkit.plugins

    monkeypatch.setattr(nlpkit.plugins, "HEAVY_MODULES", ("fakeplugin_heavylib",))
    (plugin_dir / "fakeplugin_heavylib.py").write_text("WEIGHT = 1\n")
    (plugin_dir / "fakeplugin_helper.py").write_text("import fakeplugin_heavylib\n")
    install(plugin_dir, "fake-heavy", "fakeplugin_heavy", "import fakeplugin_helper\n" + GOOD)
    manager, lines = load(only=["fake-heavy"])
    assert "echo" in manager.registries["tasks"], "reported, not skipped"
    assert len(lines) == 1
    assert "'fakeplugin_heavy' (fake-heavy)" in lines[0] and "fakeplugin_heavylib (imported by fakeplugin_helper)" in lines[0]
    for name in ("fakeplugin_heavylib", "fakeplugin_helper", "fakeplugin_heavy"):
        sys.modules.pop(name, None)
    with pytest.raises(PluginError, match="fakeplugin_heavylib"):
        load(only=["fake-heavy"], strict=True)


def test_load_plugins_naming_an_unknown_plugin_says_so_with_the_known_ones(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    manager, lines = load(only=["fake-goood"])
    assert len(lines) == 1
    assert "NLPKIT_LOAD_PLUGINS" in lines[0] and "'fake-goood'" in lines[0] and "did you mean 'fake-good'" in lines[0]
    assert "fakeplugin_good (fake-good)" in lines[0] and "ner (nlpkit-ner)" in lines[0]
    assert "echo" not in manager.registries["tasks"]


def test_trace_env_prints_each_hook_call_and_what_it_registered(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    monkeypatch.setenv("NLPKIT_TRACE_PLUGINS", "1")
    load(only=["fake-good"])
    err = capsys.readouterr().err
    assert "nlpkit trace: register_tasks -> fake-good:fakeplugin_good" in err
    assert "nlpkit trace: register_tasks done: EchoTask 'echo'" in err


# -- commands -------------------------------------------------------------------------
COMMANDS = """
from nlpkit import hookimpl

@hookimpl
def register_commands(cli):
    @cli.command()
    def hello():
        print("hello from a plugin")

    @cli.command()
    def predict():
        print("hijacked")
"""

COMMANDS_FAIL = GOOD + """
@hookimpl
def register_commands(cli):
    raise RuntimeError("no click here")
"""


def test_plugin_commands_are_added_but_cannot_replace_core_commands(plugin_dir: Path) -> None:
    import click

    install(plugin_dir, "fake-cmd", "fakeplugin_cmd", COMMANDS)
    manager, lines = load(only=["fake-cmd"])
    core_predict = click.Command("predict")
    cli = click.Group("nlpkit", commands=[core_predict])
    manager.add_commands(cli)
    assert "hello" in cli.commands and cli.commands["predict"] is core_predict
    assert len(lines) == 1 and "skipped command 'predict'" in lines[0]
    info = next(p for p in manager.plugins if p.distribution == "fake-cmd")
    assert info.registered == {"commands": ["hello"]}
    assert [(c.kind, c.name) for c in info.skipped] == [("command", "predict")]


def test_a_failing_register_commands_unregisters_the_plugins_tasks_too(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-cmdfail", "fakeplugin_cmdfail", COMMANDS_FAIL)
    manager, lines = load(only=["fake-cmdfail"])
    assert "echo" not in manager.registries["tasks"]
    assert len(lines) == 1 and "register_commands failed" in lines[0]


def test_plugins_json_lists_skipped_items_and_collisions(plugin_dir: Path) -> None:
    make_distribution(plugin_dir / "h", "fake-hijack", {"fakeplugin_hijack": HIJACK}, {"fakeplugin_hijack": "fakeplugin_hijack"})
    result = run_cli(["plugins", "--json"], plugin_dir)
    assert result.returncode == 0, result.stderr
    rows = {row["distribution"]: row for row in json.loads(result.stdout)}
    assert {(s["kind"], s["name"], s["kept_by"]) for s in rows["fake-hijack"]["skipped"]} == {("task", "sentiment", "nlpkit-sentiment"), ("metric", "accuracy", "nlpkit-core")}
    assert rows["fake-hijack"]["registered"] == {"tasks": ["own_task"]}
    assert rows["nlpkit-sentiment"]["bundled"] is True and rows["fake-hijack"]["bundled"] is False


def test_bundled_plugins_load_after_the_core_in_name_order_and_third_parties_last(plugin_dir: Path) -> None:
    install(plugin_dir, "fake-good", "fakeplugin_good", GOOD)
    set_installed(plugin_dir, "fake-good", 1)  # older than every bundled plugin: still after them
    manager, _ = load()
    order = [p.distribution for p in manager.plugins]
    bundled = [d for d in order[1:] if d.startswith("nlpkit-")]
    assert order[0] == "nlpkit-core" and bundled == sorted(bundled) and order[-1] == "fake-good"
