"""Helpers for testing tasks and plugins: tiny models and conformance checks.

Tiny models are built from configs (2 layers, a vocabulary of the fixture
words), saved to a folder, and loaded like any checkpoint: no downloads, a
second or two to build, deterministic under a seed.

    from nlpkit.testing import tiny_bert
    folder = tiny_bert(tmp_path / "bert", words=["good", "bad", "film"])

`check_plugin` (`nlpkit.testing.conformance`) runs a plugin's tasks end to end on
such a model and fails with every problem it finds.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlpkit.testing.conformance import ConformanceError, ConformanceReport, check_plugin, check_task
from nlpkit.testing.models import BASE_WORDS, SENTIMENT_FIXTURE, SPECIAL_TOKENS, tiny_bert, tiny_gpt2, tiny_t5, tiny_tokenizer, vocabulary

__all__ = ["BASE_WORDS", "ConformanceError", "ConformanceReport", "SENTIMENT_FIXTURE", "SPECIAL_TOKENS", "check_plugin", "check_reader_never_crashes", "check_task", "make_distribution", "tiny_bert", "tiny_gpt2", "tiny_t5", "tiny_tokenizer", "vocabulary"]


def make_distribution(root: Path, dist: str, modules: dict[str, str], entry_points: dict[str, str]) -> Path:
    """Write an installed-looking distribution (dist-info + modules) under `root`.

    `importlib.metadata` finds it once `root` is on `sys.path`, exactly like a
    pip-installed plugin: discovery tests exercise the real entry-point path.
    """
    root.mkdir(parents=True, exist_ok=True)
    info = root / f"{dist.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    lines = ["[nlpkit]"] + [f"{name} = {target}" for name, target in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))
    return root


# -- reader fuzzing ----------------------------------------------------------------------
def check_reader_never_crashes(read: Any, suffix: str, seeds: Sequence[str], *, alphabet: str = "", max_examples: int = 60) -> None:
    """Property test (hypothesis): `read(path)` on any byte string gives records or a `DataError`.

    Inputs are random bytes, text over the format's `alphabet`, and mutations of the
    valid `seeds` (spliced, cut, with a BOM); anything but `DataError` fails the test.
    Call it from a plugin's test of its reader; needs ``hypothesis`` (the test extra)."""
    import tempfile

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from nlpkit.contracts.errors import DataError

    chars = alphabet + "\t\n\r ,;:\"'{}[]0123456789-_.abcXYZ\ufeff\u00e9\x00"
    seed_texts = st.sampled_from(list(seeds))
    mutated = st.tuples(seed_texts, st.integers(0, 400), st.integers(0, 40), st.text(alphabet=chars, max_size=20)).map(
        lambda t: t[0][: t[1]] + t[3] + t[0][t[1] + t[2] :]
    )
    texts = st.one_of(st.text(alphabet=chars, max_size=300), mutated, seed_texts.map(lambda s: "\ufeff" + s))
    data = st.one_of(st.binary(max_size=300), texts.map(lambda s: s.encode("utf-8", "surrogatepass")))

    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data)
    def run(raw: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"data{suffix}"
            path.write_bytes(raw)
            try:
                records = read(path)
            except DataError:
                return
            assert isinstance(records, list)

    run()
