"""`nlpkit info`, `nlpkit install`, `nlpkit uninstall` and `python -m nlpkit`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner

from nlpkit import __version__, cli_admin
from nlpkit.cli import cli


class FakeRun:
    """Stands in for `subprocess.run`: records the command, returns a set exit status."""

    def __init__(self, returncode: int = 0):
        self.returncode = returncode
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.commands.append(command)
        return subprocess.CompletedProcess(command, self.returncode)


@pytest.fixture
def fake_pip(monkeypatch: pytest.MonkeyPatch) -> FakeRun:
    fake = FakeRun()
    monkeypatch.setattr(cli_admin.subprocess, "run", fake)
    return fake


def test_install_runs_pip_of_the_interpreter_nlpkit_runs_on(fake_pip: FakeRun) -> None:
    result = CliRunner().invoke(cli, ["install", "-U", "nlpkit-qa", "nlpkit-ner"])
    assert result.exit_code == 0, result.output
    assert fake_pip.commands == [[sys.executable, "-m", "pip", "install", "--upgrade", "nlpkit-qa", "nlpkit-ner"]]


def test_install_passes_pip_options_given_after_double_dash(fake_pip: FakeRun) -> None:
    CliRunner().invoke(cli, ["install", "--", "--find-links", "wheels", "nlpkit-qa"])
    assert fake_pip.commands[0][3:] == ["install", "--find-links", "wheels", "nlpkit-qa"]


def test_install_editable_marks_each_folder_editable(fake_pip: FakeRun) -> None:
    CliRunner().invoke(cli, ["install", "-e", "plugins/a", "plugins/b"])
    assert fake_pip.commands[0][3:] == ["install", "--editable", "plugins/a", "--editable", "plugins/b"]


def test_uninstall_with_yes_does_not_ask(fake_pip: FakeRun) -> None:
    result = CliRunner().invoke(cli, ["uninstall", "-y", "nlpkit-qa"])
    assert result.exit_code == 0
    assert fake_pip.commands == [[sys.executable, "-m", "pip", "uninstall", "nlpkit-qa", "--yes"]]


def test_a_failing_pip_gives_its_exit_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_admin.subprocess, "run", FakeRun(returncode=1))
    assert CliRunner().invoke(cli, ["install", "nlpkit-nope"]).exit_code == 1


def test_installing_the_unrelated_pypi_nlpkit_is_refused_with_the_right_name(fake_pip: FakeRun) -> None:
    result = CliRunner().invoke(cli, ["install", "nlpkit"])
    assert result.exit_code == 2
    assert "nlpkit install nlpkit-core" in result.output
    assert fake_pip.commands == []


def test_info_is_markdown_with_versions_python_os_cpu_and_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLPKIT_DATA_DIR", "/data/mirror")
    monkeypatch.setattr(cli_admin, "_torch_facts", lambda: {"torch_threads": 2, "gpu": None, "gpu_note": "none visible to torch"})
    result = CliRunner().invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "## nlpkit info"
    fields = {line.split("**")[1]: line for line in lines if line.startswith("- **")}
    assert {"nlpkit", "Plugins", "Libraries", "Python", "OS", "CPU", "GPU", "Data dir"} <= set(fields)
    assert __version__ in fields["nlpkit"] and "nlpkit-core" in fields["nlpkit"]
    assert "nlpkit-sentiment" in fields["Plugins"]
    assert "/data/mirror" in fields["Data dir"]
    assert "torch uses 2" in fields["CPU"]


def test_info_json_has_the_same_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_admin, "_torch_facts", lambda: {"torch_threads": None, "gpu": None, "gpu_note": "torch not installed"})
    facts = json.loads(CliRunner().invoke(cli, ["info", "--json"]).output)
    assert facts["nlpkit"] == __version__
    assert {p["distribution"] for p in facts["plugins"]} >= {"nlpkit-sentiment", "nlpkit-qa"}
    assert facts["python"].startswith(".".join(map(str, sys.version_info[:2])))


def test_python_dash_m_nlpkit_is_the_nlpkit_command() -> None:
    done = subprocess.run([sys.executable, "-m", "nlpkit", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"nlpkit {__version__}")
