"""Fault injection: run ``nlpkit`` in a subprocess that SIGKILLs itself at a chosen point.

Used by the reliability tests and `benchmarks/kill_resume.py` to check what a real
kill (no cleanup, no `finally`) leaves behind and that the rerun recovers:

- ``"save"``: during the N-th checkpoint save, after the weights and optimizer are
  written and before ``trainer_state.json`` (an incomplete checkpoint);
- ``"step"``: right after optimizer step N;
- ``"rename"``: at the final rename of the finished model into ``--output``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

__all__ = ["FAULTS", "run_cli_with_fault"]

FAULTS = ("save", "step", "rename", "none")

_SCRIPT = r"""
import os, signal, sys
fault, at = sys.argv[1], int(sys.argv[2])
sys.argv = ["nlpkit", *sys.argv[3:]]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if fault == "save":
    import transformers
    real_rng = transformers.Trainer._save_rng_state
    saves = {"n": 0}
    def save_rng_state(self, *args, **kwargs):
        saves["n"] += 1
        if saves["n"] == at:
            die()
        return real_rng(self, *args, **kwargs)
    transformers.Trainer._save_rng_state = save_rng_state
elif fault == "step":
    from transformers.trainer_callback import CallbackHandler
    real_step_end = CallbackHandler.on_step_end
    def on_step_end(self, args, state, control):
        if state.global_step == at:
            die()
        return real_step_end(self, args, state, control)
    CallbackHandler.on_step_end = on_step_end
elif fault == "rename":
    real_replace = os.replace
    def replace(src, dst, *args, **kwargs):
        if str(src).endswith(".partial" + os.sep + "model"):
            die()
        return real_replace(src, dst, *args, **kwargs)
    os.replace = replace

from nlpkit.cli import main
main()
"""


def run_cli_with_fault(args: Sequence[str], fault: str = "none", at: int = 0, *, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``nlpkit ARGS`` in a fresh interpreter that SIGKILLs itself at `fault` number `at`.

    The return code is ``-9`` when the fault fired; output is captured as text."""
    if fault not in FAULTS:
        raise ValueError(f"fault must be one of {', '.join(FAULTS)}, not {fault!r}")
    environment = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"), **(env or {})}
    return subprocess.run([sys.executable, "-c", _SCRIPT, fault, str(at), *args], capture_output=True, text=True, timeout=timeout, env=environment)
