"""Multi-process runs under `torchrun` (one node or several): who writes, and how ranks agree.

`torchrun` sets ``RANK``/``WORLD_SIZE``; the transformers `Trainer` splits batches across
ranks. Everything else a fine-tune writes (the ``OUTPUT.partial`` lock, the model folder,
its card, README and metrics, the final rename) is done by rank 0 alone; the other ranks wait
for rank 0's outcome (`on_main`) and return the same result, or raise its error, so no rank
hangs and the command fails with the failing rank's message. Without `torchrun` (world size
1) every helper here is a no-op.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from typing import Any, TypeVar

from nlpkit.contracts.errors import NlpkitError

__all__ = ["world_size", "rank", "is_main", "ensure_process_group", "share", "on_main"]

T = TypeVar("T")


def world_size() -> int:
    """Processes in this job (``WORLD_SIZE`` from torchrun; 1 otherwise)."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def rank() -> int:
    """This process's global rank (``RANK`` from torchrun; 0 otherwise)."""
    return int(os.environ.get("RANK", "0") or 0)


def is_main() -> bool:
    """True on the process that writes (rank 0, or the only process)."""
    return rank() == 0


def ensure_process_group(device: str | None) -> None:
    """Join the job's process group (gloo on CPU, NCCL on CUDA) early, so ranks can agree on the
    work folder before training; the Trainer reuses it. No-op in a single process."""
    if world_size() == 1:
        return
    import torch.distributed as dist

    if dist.is_initialized():
        return
    backend = "nccl" if (device or "").startswith("cuda") else "gloo"
    dist.init_process_group(backend=backend)
    atexit.register(lambda: dist.is_initialized() and dist.destroy_process_group())


def share(value: Any) -> Any:
    """Rank 0's `value` on every rank (a collective: every rank must call it)."""
    if world_size() == 1:
        return value
    import torch.distributed as dist

    box = [value if is_main() else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def on_main(work: Callable[[], T]) -> T:
    """Run `work` on rank 0 only; every rank returns its result, or raises its error
    (other ranks: an `NlpkitError` naming rank 0). A barrier for every rank."""
    if world_size() == 1:
        return work()
    if is_main():
        try:
            result = work()
        except BaseException as exc:
            share(("error", str(exc) or type(exc).__name__))
            raise
        share(("ok", result))
        return result
    status, value = share(None)
    if status == "error":
        raise NlpkitError(f"rank 0 failed: {value}")
    return value  # type: ignore[no-any-return]
