"""Bundled task names and the install hint an unknown bundled task gets."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from nlpkit import distributions
from nlpkit.cli import cli
from nlpkit.plugins import get_manager, reset_manager


def test_bundled_tasks_are_exactly_what_the_bundled_plugins_register() -> None:
    registered = {entry.name: entry.distribution for entry in get_manager().registries["tasks"]}
    assert registered == distributions.BUNDLED_TASKS


def test_a_task_whose_plugin_is_uninstalled_names_the_distribution_and_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLPKIT_LOAD_PLUGINS", "nlpkit-sentiment")
    monkeypatch.setattr(distributions, "is_installed", lambda name: False)
    reset_manager()
    result = CliRunner().invoke(cli, ["predict", "qa", "Who? -- nobody"])
    assert result.exit_code == 2
    assert "task 'qa' is provided by nlpkit-qa: nlpkit install nlpkit-qa" in result.output


def test_a_task_whose_plugin_is_installed_but_not_loaded_points_to_nlpkit_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLPKIT_LOAD_PLUGINS", "nlpkit-sentiment")
    reset_manager()
    result = CliRunner().invoke(cli, ["evaluate", "relations", "--data", "x.json"])
    assert "task 'relations' is provided by nlpkit-ner, which is installed but did not load" in result.output


def test_an_unknown_task_nothing_provides_still_suggests_close_names() -> None:
    result = CliRunner().invoke(cli, ["predict", "sentimnet", "x"])
    assert "did you mean 'sentiment'" in result.output
