"""The public API: what `import nlpkit` offers plugin authors, and that it stays light."""

from __future__ import annotations

import subprocess
import sys

import nlpkit


def test_every_name_in_all_is_importable_from_nlpkit() -> None:
    assert [name for name in nlpkit.__all__ if not hasattr(nlpkit, name)] == []


def test_plugin_authors_find_every_spec_and_error_at_the_top_level() -> None:
    for name in ("hookimpl", "Task", "Head", "Backend", "Model", "ModelSpec", "DatasetSpec", "MetricSpec", "SuiteSpec", "Option",
                 "NlpkitError", "DataError", "PluginError", "UnknownNameError", "NameCollisionError", "ModelLoadError"):
        assert name in nlpkit.__all__, name


def test_importing_nlpkit_imports_no_heavy_library() -> None:
    code = "import sys, nlpkit; print(','.join(m for m in ('torch', 'transformers', 'evaluate', 'datasets', 'sklearn') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
