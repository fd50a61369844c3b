"""Hugging Face hub ids without a network: a clear error in about a second, not ~30 s of retries.

Before a hub id is handed to transformers, nlpkit checks whether the hub can be
reached (one TCP connection, 1.5 s at most, DNS included) unless the model is
already in the local cache or `HF_HUB_OFFLINE` is set. A model found in the cache
while the hub is unreachable loads offline at once (this process switches to
offline mode) instead of retrying the network first.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from functools import lru_cache
from urllib.parse import urlparse

from nlpkit.errors import ModelLoadError

#: How long the reachability probe may take (seconds), DNS lookup included.
PROBE_TIMEOUT = 1.5
HINT = "set HF_HUB_OFFLINE=1 to use models already in the local cache, pass a local model folder, or use a name from `nlpkit models`"

_TRUE = {"1", "true", "yes", "on"}


def offline_mode() -> bool:
    """True when the user asked for no network (`HF_HUB_OFFLINE` or `TRANSFORMERS_OFFLINE`)."""
    return any(os.environ.get(name, "").strip().lower() in _TRUE for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def endpoint() -> tuple[str, int]:
    """Host and port of the hub (`HF_ENDPOINT` or huggingface.co)."""
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    return url.hostname or "huggingface.co", url.port or (80 if url.scheme == "http" else 443)


@lru_cache(maxsize=None)
def hub_reachable(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a TCP connection to the hub opens within `timeout` (run in a thread: DNS has no timeout)."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def in_cache(repo_id: str) -> bool:
    """Whether the local hub cache holds `repo_id` (its config.json)."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # a malformed id or an unreadable cache: not usable offline
        return False


def go_offline() -> None:
    """Switch this process to offline mode, also if huggingface_hub is already imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_OFFLINE = True


def check_hub_model(repo_id: str) -> None:
    """Raise `ModelLoadError` at once if `repo_id` cannot be had: offline and not cached."""
    if in_cache(repo_id):
        if not offline_mode() and not hub_reachable(*endpoint()):
            go_offline()  # use the cached copy without retrying the network first
        return
    if offline_mode():
        raise ModelLoadError(f"{repo_id}: not a local folder or registered model, and not in the local Hugging Face cache (HF_HUB_OFFLINE is set); pass a local model folder, use a name from `nlpkit models`, or download it once with network")
    host, _ = endpoint()
    if not hub_reachable(*endpoint()):
        raise ModelLoadError(f"{repo_id}: not a local folder or registered model, and the Hugging Face hub ({host}) cannot be reached (no network?); {HINT}")


__all__ = ["HINT", "check_hub_model", "endpoint", "go_offline", "hub_reachable", "in_cache", "offline_mode"]
