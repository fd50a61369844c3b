"""Hub ids without a network fail in about a second with a hint, not after ~30 s of retries."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from nlpkit import api, hub
from nlpkit.errors import ModelLoadError
from nlpkit.models import resolve_model


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REAL_PROBE = hub.hub_reachable


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch: pytest.MonkeyPatch):
    REAL_PROBE.cache_clear()
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    yield
    REAL_PROBE.cache_clear()


def test_probe_sees_a_listening_port_and_a_closed_one(closed_port: int) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert hub.hub_reachable("127.0.0.1", server.getsockname()[1])
    assert not hub.hub_reachable("127.0.0.1", closed_port)


def test_unreachable_hub_fails_a_hub_id_at_once_with_the_offline_hint(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    start = time.perf_counter()
    with pytest.raises(ModelLoadError) as caught:
        resolve_model("some-org/no-such-model", api.get_task("sentiment"))
    assert time.perf_counter() - start < 3
    message = str(caught.value)
    assert "cannot be reached" in message and "HF_HUB_OFFLINE" in message and "nlpkit models" in message and "local model folder" in message


def test_offline_mode_fails_an_uncached_hub_id_without_touching_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "hub_reachable", lambda *a, **k: pytest.fail("probed the network in offline mode"))
    with pytest.raises(ModelLoadError, match="not in the local Hugging Face cache"):
        resolve_model("some-org/no-such-model", api.get_task("sentiment"))


def test_a_cached_model_with_the_hub_unreachable_switches_to_offline_mode(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setattr(hub, "in_cache", lambda repo_id: True)
    hub.check_hub_model("some-org/cached-model")
    assert hub.offline_mode()


def test_cli_with_no_network_errors_in_under_three_seconds(closed_port: int, tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_ENDPOINT": f"http://127.0.0.1:{closed_port}", "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nlpkit", "predict", "sentiment", "--model", "some-org/no-such-model", "a film"], capture_output=True, text=True, env=env, timeout=60)
    assert time.perf_counter() - start < 3
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "HF_HUB_OFFLINE" in done.stderr
