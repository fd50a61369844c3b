"""The distributions' metadata: one version, compatible-release bounds, licences, a light base install."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import nlpkit
from nlpkit.plugins import CORE_DISTRIBUTION
from nlpkit.resolution.distributions import BUNDLED_TASKS

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))
HEAVY = {"torch", "transformers", "datasets", "evaluate", "accelerate", "peft"}


def project(folder: Path) -> dict:
    return tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirement_name(requirement: str) -> str:
    for stop in "[<>=!~; ":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower()


def compatible_bound(version: str) -> str:
    """``0.2.0`` → ``>=0.2,<0.3``: the core's compatible releases while it is 0.x."""
    major, minor = (int(x) for x in version.split(".")[:2])
    return f">=0.{minor},<0.{minor + 1}" if major == 0 else f">={major}.{minor},<{major + 1}"


def test_core_distribution_is_nlpkit_core_and_its_version_is_nlpkit_version() -> None:
    core = project(ROOT)
    assert core["name"] == CORE_DISTRIBUTION == "nlpkit-core"
    assert core["version"] == nlpkit.__version__
    assert metadata.version(CORE_DISTRIBUTION) == nlpkit.__version__, "installed metadata is stale: pip install -e ."


@pytest.mark.parametrize("folder", PLUGINS, ids=lambda p: p.name)
def test_each_plugin_has_the_core_version_and_requires_compatible_core_releases(folder: Path) -> None:
    plugin = project(folder)
    assert plugin["name"] == folder.name
    assert plugin["version"] == nlpkit.__version__
    bound = compatible_bound(nlpkit.__version__)
    cores = [r for r in plugin["dependencies"] + sum(plugin.get("optional-dependencies", {}).values(), []) if requirement_name(r) == CORE_DISTRIBUTION]
    assert cores, f"{folder.name} does not require {CORE_DISTRIBUTION}"
    for requirement in cores:
        assert requirement.replace(" ", "").endswith(bound), requirement
    assert not any(requirement_name(r) == "nlpkit" for r in plugin["dependencies"]), "`nlpkit` on PyPI is another project"


@pytest.mark.parametrize("folder", [ROOT, *PLUGINS], ids=lambda p: p.name)
def test_every_distribution_ships_the_apache_licence_text_and_pypi_metadata(folder: Path) -> None:
    meta = project(folder)
    assert meta["license"] == "Apache-2.0" and meta["license-files"] == ["LICENSE"]
    assert (folder / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert "Apache License" in (ROOT / "LICENSE").read_text() and "END OF TERMS AND CONDITIONS" in (ROOT / "LICENSE").read_text()
    assert any(c.startswith("Programming Language :: Python :: 3.11") for c in meta["classifiers"])
    assert {"Homepage", "Source", "Issues"} <= set(meta["urls"])
    readme = meta["readme"] if isinstance(meta["readme"], str) else meta["readme"]["file"]
    text = (folder / readme).read_text(encoding="utf-8")
    assert "pip install" in text
    assert "](." not in text and "../" not in text, "a PyPI page needs absolute links"
    assert "graft tests" in (folder / "MANIFEST.in").read_text(), "sdists must carry tests/ (conftest.py too)"


def test_the_core_base_install_needs_no_deep_learning_stack() -> None:
    core = project(ROOT)
    assert not HEAVY & {requirement_name(r) for r in core["dependencies"]}
    assert HEAVY <= {requirement_name(r) for r in core["optional-dependencies"]["transformers"]}


def test_plugins_whose_every_model_needs_transformers_depend_on_the_extra() -> None:
    needs_torch = {"nlpkit-ner", "nlpkit-qa", "nlpkit-translation", "nlpkit-onnx"}
    for folder in PLUGINS:
        core = next(r for r in project(folder)["dependencies"] if requirement_name(r) == CORE_DISTRIBUTION)
        assert ("[transformers]" in core) == (folder.name in needs_torch), core


def test_all_extra_installs_every_bundled_plugin() -> None:
    extra = {requirement_name(r) for r in project(ROOT)["optional-dependencies"]["all"]}
    assert {folder.name for folder in PLUGINS} | {CORE_DISTRIBUTION} == extra
