"""A TF-IDF model is trained, run and scored without importing the deep-learning stack.

`nlpkit evaluate` on a TF-IDF model used to import evaluate, datasets, transformers
and torch (15 s for 4 examples). Each command runs in a fresh interpreter that
reports which heavy modules ended up in `sys.modules`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "transformers", "evaluate", "datasets", "accelerate", "peft")

RUNNER = """
import atexit, json, sys
atexit.register(lambda: print("HEAVY=" + json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr))
sys.argv = ["nlpkit", *{args!r}]
from nlpkit.cli import main
main()
"""


def run_cli(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    code = RUNNER.format(heavy=HEAVY, args=list(args))
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"})
    heavy_line = [line for line in done.stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy_line, done.stderr
    return done, json.loads(heavy_line[-1][len("HEAVY="):])


@pytest.fixture(scope="module")
def tfidf_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nlpkit.testing import SENTIMENT_FIXTURE

    root = tmp_path_factory.mktemp("tfidf")
    data = root / "reviews.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"{text}\t{label}\n" for text, label in SENTIMENT_FIXTURE), encoding="utf-8")
    done, heavy = run_cli("finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(data), "--output", str(root / "model"), cwd=root)
    assert done.returncode == 0, done.stderr
    assert heavy == [], f"a TF-IDF finetune imported {heavy}"
    return root


def test_tfidf_evaluate_never_imports_torch_transformers_evaluate_or_datasets(tfidf_folder: Path) -> None:
    done, heavy = run_cli("evaluate", "sentiment", "--model", "model", "--data", "reviews.tsv", "--json", cwd=tfidf_folder)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["metrics"]["accuracy"]["accuracy"] > 0.5
    assert heavy == []


def test_tfidf_predict_never_imports_the_deep_learning_stack(tfidf_folder: Path) -> None:
    done, heavy = run_cli("predict", "sentiment", "--model", "model", "a lovely film", cwd=tfidf_folder)
    assert done.returncode == 0, done.stderr
    assert "label" in json.loads(done.stdout.splitlines()[0])
    assert heavy == []


def test_torch_stays_importable_after_a_tfidf_model_loaded(tfidf_folder: Path) -> None:
    """skops is imported with torch imports refused; that must not leak past the import."""
    code = (
        "import sys; from nlpkit.engines.backends.sklearn import import_skops_io; import_skops_io(); "
        "assert 'torch' not in sys.modules; import torch; print(torch.tensor([1, 2]).sum().item())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
