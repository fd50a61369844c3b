"""Shared fixtures: fake plugin distributions and tiny models built from configs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nlpkit.plugins import reset_manager


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path where tests install fake plugin distributions."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in list(sys.modules):
        if name.startswith("fakeplugin_"):
            del sys.modules[name]


@pytest.fixture(autouse=True)
def fresh_plugin_manager(monkeypatch: pytest.MonkeyPatch):
    """Each test sees plugins loaded afresh, with no plugin-selection env leaking in."""
    monkeypatch.delenv("NLPKIT_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("NLPKIT_STRICT_PLUGINS", raising=False)
    monkeypatch.delenv("NLPKIT_DATA_DIR", raising=False)
    reset_manager()
    yield
    reset_manager()


@pytest.fixture(autouse=True)
def fresh_cli_output():
    """A CLI run's verbosity (environment switches, log handler) does not leak into the next test."""
    from nlpkit import cli_output

    yield
    cli_output.reset()


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT encoder (no head) that knows the fixture words."""
    from nlpkit.testing import SENTIMENT_FIXTURE, tiny_bert

    return tiny_bert(tmp_path_factory.mktemp("tiny") / "bert", [text for text, _ in SENTIMENT_FIXTURE])


@pytest.fixture
def sentiment_tsv(tmp_path: Path) -> Path:
    """A labelled TSV in the SST-2 layout (header `sentence<TAB>label`)."""
    from nlpkit.testing import SENTIMENT_FIXTURE

    path = tmp_path / "reviews.tsv"
    rows = ["sentence\tlabel"] + [f"{text}\t{label}" for text, label in SENTIMENT_FIXTURE]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def no_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine has neither CUDA nor MPS, whatever it really has."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.fixture
def one_fake_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """torch reports one CUDA card (for paths that never run a kernel on it, e.g. a CPU-only backend)."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Fake GPU")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT sentiment classifier (random weights, labels negative/positive), a plain checkpoint folder."""
    from nlpkit.testing import SENTIMENT_FIXTURE, tiny_bert

    return tiny_bert(tmp_path_factory.mktemp("tiny") / "classifier", [text for text, _ in SENTIMENT_FIXTURE], head="sequence-classification", labels=["negative", "positive"])


@pytest.fixture(scope="module")
def torch_single_thread():
    """Run a module's tiny models on one torch thread: fastest for them, and on a busy
    CPU two threads spin-wait for seconds."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
