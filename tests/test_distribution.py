"""The wheels as a pip user gets them: built, installed non-editable in a fresh venv, run outside the repo.

Slow (about two minutes: a venv and the light dependencies from the pip cache/index),
marked `slow`, and part of `.ci/run`. The base install has no torch: the sentiment
and summarization plugins come with their dependencies; NER, QA and translation,
which require `nlpkit-core[transformers]` (torch), are installed `--no-deps`, which is
enough to list their tasks. With ``NLPKIT_PIP_SESSION=FILE`` the session (commands
and output) is written to FILE as Markdown (benchmarks/results/pip_session.md).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import nlpkit

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))
WITH_DEPS = ["nlpkit-core", "nlpkit-sentiment", "nlpkit-summarization"]
HEAVY = ("torch", "transformers", "datasets", "evaluate")


@dataclass
class Session:
    """Runs commands like a user would (no PYTHONPATH, outside the repo) and keeps a transcript."""

    cwd: Path
    env: dict[str, str]
    transcript: list[str] = field(default_factory=list)

    def run(self, *args: str | Path, ok: bool = True, shown: str | None = None, record: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(a) for a in args]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=600)
        seconds = time.perf_counter() - start
        output = (done.stdout + done.stderr).rstrip()
        if record:
            self.transcript.append(f"$ {shown or shlex.join(command)}\n{output}\n[exit {done.returncode}, {seconds:.1f} s]".replace("\n\n[", "\n["))
        if ok:
            assert done.returncode == 0, f"{shlex.join(command)} failed:\n{output}"
        return done


def user_env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "LC_ALL", "TMPDIR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE", "SSL_CERT_FILE"}}
    return {**keep, "HOME": str(home), "OMP_NUM_THREADS": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "HF_HUB_OFFLINE": "1"}


def task_names(done: subprocess.CompletedProcess[str]) -> set[str]:
    return {row["name"] for row in json.loads(done.stdout)}


def build_sdist(folder: Path, out: Path) -> Path:
    code = "import sys, setuptools.build_meta as b; print(b.build_sdist(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def sdists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An sdist of every distribution (the wheels are built from these, as `python -m build`
    does: a file the sdist misses is missing from the wheel too, and stale `build/` folders
    in the checkout cannot leak into a wheel)."""
    out = tmp_path_factory.mktemp("sdists")
    return {folder.name if folder != ROOT else "nlpkit-core": build_sdist(folder, out) for folder in [ROOT, *PLUGINS]}


def test_sdists_carry_licence_readme_and_the_tests_conftest_included(sdists: dict[str, Path]) -> None:
    for folder in [ROOT, *PLUGINS]:
        with tarfile.open(sdists[folder.name if folder != ROOT else "nlpkit-core"]) as archive:
            names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        assert {"LICENSE", "pyproject.toml", "PKG-INFO"} <= names, folder.name
        tests = {n for n in names if n.startswith("tests/")}
        assert tests, f"{folder.name}: no tests in the sdist"
        for conftest in ("tests/conftest.py", "conftest.py"):
            if (folder / conftest).exists():
                assert conftest in names, f"{folder.name}: {conftest} missing from the sdist"


def test_a_plugin_sdist_runs_its_own_tests_from_the_unpacked_folder(tmp_path: Path, sdists: dict[str, Path]) -> None:
    """The translation plugin's tests (parity fixture included) pass from its sdist alone."""
    with tarfile.open(sdists["nlpkit-translation"]) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (folder,) = (tmp_path / "unpacked").iterdir()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=folder, capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout


def test_wheels_install_in_a_fresh_venv_and_work_outside_the_repo(tmp_path: Path, sdists: dict[str, Path]) -> None:
    wheels, venv, work = tmp_path / "wheels", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    s = Session(work, user_env(tmp_path))
    s.transcript.append("$ # an sdist of the core and of each plugin (setuptools.build_meta.build_sdist), then:")
    s.run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", wheels, *sdists.values(),
          shown="python -m pip wheel --no-deps --no-build-isolation --wheel-dir wheels sdists/*.tar.gz")
    built = sorted(p.name for p in wheels.glob("*.whl"))
    assert built == sorted(f"{d.replace('-', '_')}-{nlpkit.__version__}-py3-none-any.whl" for d in ["nlpkit-core", *(p.name for p in PLUGINS)])
    with zipfile.ZipFile(wheels / f"nlpkit_qa-{nlpkit.__version__}-py3-none-any.whl") as wheel:
        meta = wheel.read(f"nlpkit_qa-{nlpkit.__version__}.dist-info/METADATA").decode()
        assert any(n.endswith("licenses/LICENSE") for n in wheel.namelist())
    assert "Requires-Dist: nlpkit-core[transformers]<0.3,>=0.2" in meta

    s.run(sys.executable, "-m", "venv", venv, shown="python -m venv venv")
    py, nlpkit_cmd = venv / "bin" / "python", venv / "bin" / "nlpkit"
    s.run(py, "-m", "pip", "install", "--quiet", "--find-links", wheels, *WITH_DEPS, shown=f"venv/bin/python -m pip install --find-links wheels {' '.join(WITH_DEPS)}")
    heavy_names = [p.name for p in PLUGINS if p.name not in WITH_DEPS]  # they require nlpkit-core[transformers]
    heavy_plugins = {d: wheels / f"{d.replace('-', '_')}-{nlpkit.__version__}-py3-none-any.whl" for d in heavy_names}
    s.run(py, "-m", "pip", "install", "--quiet", "--no-deps", *heavy_plugins.values(),
          shown=f"venv/bin/python -m pip install --no-deps wheels/{{{','.join(d.replace('-', '_') for d in heavy_names)}}}-*.whl")

    located = s.run(py, "-c", "import nlpkit, importlib.util as u; print(nlpkit.__file__); print([m for m in %r if u.find_spec(m)])" % (HEAVY,),
                    shown="venv/bin/python -c 'import nlpkit …; print(nlpkit.__file__); print(installed among torch, transformers, datasets, evaluate)'")
    where, heavy = located.stdout.splitlines()
    assert Path(where).is_relative_to(venv), "the installed copy, not the repository"
    assert heavy == "[]", "the base install pulled in the deep-learning stack"

    assert s.run(nlpkit_cmd, "--version").stdout.strip() == f"nlpkit {nlpkit.__version__} (distribution nlpkit-core)"
    assert s.run(py, "-m", "nlpkit", "--version").stdout.startswith("nlpkit ")
    s.run(nlpkit_cmd, "plugins")
    plugins = s.run(nlpkit_cmd, "plugins", "--json", record=False).stdout
    for dist in ["nlpkit-core", *(p.name for p in PLUGINS)]:
        assert f'"distribution": "{dist}"' in plugins
    assert task_names(s.run(nlpkit_cmd, "tasks", "--json", record=False)) == {"sentiment", "ner", "relations", "qa", "summarization", "translation"}
    s.run(nlpkit_cmd, "tasks")

    from nlpkit.testing import SENTIMENT_FIXTURE

    rows = "".join(f"{text}\t{label}\n" for text, label in SENTIMENT_FIXTURE)
    (work / "train.tsv").write_text("text\tlabel\n" + rows, encoding="utf-8")
    (work / "test.tsv").write_text("text\tlabel\n" + rows, encoding="utf-8")
    s.run(nlpkit_cmd, "finetune", "sentiment", "--model", "tfidf-logreg", "--train", "train.tsv", "--output", "tfidf")
    assert '"label"' in s.run(nlpkit_cmd, "predict", "sentiment", "--model", "tfidf", "a lovely film").stdout
    assert '"accuracy"' in s.run(nlpkit_cmd, "evaluate", "sentiment", "--model", "tfidf", "--data", "test.tsv", "--json").stdout
    refused = s.run(nlpkit_cmd, "predict", "sentiment", "--model", "minilm", "a film", ok=False)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1, "one-line error without torch, not a traceback"
    s.run(nlpkit_cmd, "info")

    s.run(py, "-m", "pip", "uninstall", "--yes", "nlpkit-qa", shown="venv/bin/python -m pip uninstall -y nlpkit-qa")
    assert "qa" not in task_names(s.run(nlpkit_cmd, "tasks", "--json", record=False))
    s.run(nlpkit_cmd, "tasks")
    missing = s.run(nlpkit_cmd, "predict", "qa", "Who? -- nobody", ok=False)
    assert missing.returncode == 2
    assert "task 'qa' is provided by nlpkit-qa: nlpkit install nlpkit-qa" in missing.stderr

    s.run(nlpkit_cmd, "install", "--", "--no-deps", heavy_plugins["nlpkit-qa"], shown="nlpkit install -- --no-deps wheels/nlpkit_qa-*.whl")
    assert "qa" in task_names(s.run(nlpkit_cmd, "tasks", "--json", record=False))
    s.run(nlpkit_cmd, "predict", "qa", "--model", "minilm", "Who? -- nobody", ok=False)  # back: now it needs torch

    record = os.environ.get("NLPKIT_PIP_SESSION")
    if record:
        text = "\n\n".join(s.transcript).replace(str(tmp_path), "$TMP").replace(str(venv / "bin") + "/", "venv/bin/")
        Path(record).write_text(
            "# Fresh-venv wheel session\n\n"
            "`tests/test_distribution.py` (marked slow, run by `.ci/run`): every wheel built, installed\n"
            "non-editable into a fresh venv (no torch), and run from a folder outside the repository.\n"
            "Recorded with `NLPKIT_PIP_SESSION=benchmarks/results/pip_session.md .venv/bin/python -m pytest tests/test_distribution.py -k fresh_venv`\n"
            "(shared CPU, other agents running; times are wall clock).\n\n"
            "```console\n" + text.replace("$TMP/venv/bin/", "venv/bin/").replace("$TMP/work", "~/work") + "\n```\n",
            encoding="utf-8",
        )
