"""Where a model runs and at what precision: the `--device` and `--precision` choices.

`resolve("auto", "fp32")` turns what a user asked for into a `Placement` (a concrete
torch device such as ``cuda:0`` and a precision), or a one-line `NlpkitError`
naming what this machine has. Rules (docs/design-notes.md, "Devices and precision"):

- device ``auto`` is CUDA when there is a GPU, else Apple's MPS, else the CPU;
  ``cuda`` means the current CUDA device (``cuda:0`` unless changed), ``cuda:N`` one GPU.
- precision defaults to ``fp32`` everywhere. ``auto`` asks for the fastest the
  hardware supports for inference: bf16 on a CUDA card that has it, else fp16;
  fp32 on the CPU and MPS. Half precision stays opt-in until the GPU benchmark
  (benchmarks/device.py) has shown its predictions agree with fp32.
- fp16 on the CPU is refused, and bf16 on a CPU only where the hardware has bf16
  arithmetic (AVX512-BF16 or AMX): emulated bf16 is far slower (issue 16 reports
  450x on the machine it was filed from).
- a backend that computes on the CPU only (scikit-learn) runs there whatever was
  asked, and says so (a warning, and the `note` of its placement).

Only the functions import torch, so the CLI's `--help` stays fast.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from nlpkit.contracts.errors import NlpkitError

__all__ = [
    "DEFAULT_DEVICE",
    "DEFAULT_PRECISION",
    "PRECISIONS",
    "Placement",
    "accelerator_info",
    "available_devices",
    "check_training",
    "cpu_bf16_supported",
    "parse_device",
    "parse_precision",
    "resolve",
    "resolve_for_training",
    "to_device",
]

log = logging.getLogger("nlpkit.contracts.device")

DEFAULT_DEVICE = "auto"
DEFAULT_PRECISION = "fp32"
PRECISIONS = ("auto", "fp32", "fp16", "bf16")
#: How `--device` is spelled in help texts and errors.
DEVICE_HELP = "auto, cpu, cuda, cuda:N or mps"
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda)(?::(\d+))?$")


@dataclass(frozen=True)
class Placement:
    """A concrete device and precision, and what the user asked for."""

    #: A torch device string: ``cpu``, ``cuda:0``, ``mps``.
    device: str = "cpu"
    #: ``fp32``, ``fp16`` or ``bf16``.
    precision: str = "fp32"
    #: The ``--device`` value as given (``auto``, ``cuda``…).
    requested: str = DEFAULT_DEVICE
    #: The accelerator's name (``NVIDIA A100-SXM4-40GB``), empty on the CPU.
    name: str = ""
    #: Why the placement differs from the request (e.g. a CPU-only backend).
    note: str = ""

    @property
    def kind(self) -> str:
        """``cpu``, ``cuda`` or ``mps``."""
        return self.device.split(":", 1)[0]

    @property
    def accelerator(self) -> bool:
        return self.kind != "cpu"

    @property
    def dtype(self) -> Any:
        """The torch dtype of `precision`."""
        import torch

        return {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[self.precision]

    def describe(self) -> str:
        """``cuda:0 (NVIDIA A100, bf16)`` — the line `-v` prints."""
        details = ", ".join(part for part in (self.name, self.precision) if part)
        text = f"{self.device} ({details})"
        return f"{text}; {self.note}" if self.note else text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_device(text: str | None) -> str:
    """Check the spelling of a `--device` value (not whether this machine has it)."""
    value = (text or DEFAULT_DEVICE).strip().lower()
    match = _DEVICE.match(value)
    if not match or (match.group(2) is not None and match.group(1) != "cuda"):
        raise NlpkitError(f"unknown device {text!r}; expected {DEVICE_HELP}")
    return value


def parse_precision(text: str | None) -> str:
    """Check the spelling of a `--precision` value."""
    value = (text or DEFAULT_PRECISION).strip().lower()
    if value not in PRECISIONS:
        raise NlpkitError(f"unknown precision {text!r}; expected {', '.join(PRECISIONS)}")
    return value


def _mps_available() -> bool:
    import torch

    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def available_devices() -> list[str]:
    """Every device this process can use: ``cpu``, then ``cuda:0…``, then ``mps``."""
    import torch

    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        devices.append("mps")
    return devices


def _resolve_device(requested: str) -> str:
    import torch

    available = available_devices()
    has_cuda = any(d.startswith("cuda:") for d in available)
    # the current CUDA device, without starting CUDA (which would fix CUDA_VISIBLE_DEVICES)
    current = f"cuda:{torch.cuda.current_device() if torch.cuda.is_initialized() else 0}"
    if requested == "auto":
        return current if has_cuda else ("mps" if "mps" in available else "cpu")
    if requested == "cuda" and has_cuda:
        return current
    if requested in available:
        return requested
    raise NlpkitError(f"{requested} is not available here (available: {', '.join(available)})")


def cpu_bf16_supported() -> bool:
    """True if this CPU computes bf16 natively (AVX512-BF16 or AMX), so bf16 is not emulated."""
    import torch

    cpu = torch.cpu
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def _mps_bf16_supported() -> bool:
    import torch

    try:
        torch.ones(1, dtype=torch.bfloat16, device="mps")
    except (RuntimeError, TypeError):
        return False
    return True


def _cuda_bf16_native(device: str) -> bool:
    """True if the card computes bf16 natively (compute capability 8.0+, or ROCm). Not
    `torch.cuda.is_bf16_supported()`: by default it also says yes where bf16 is emulated."""
    import torch

    if torch.version.hip:
        return True
    return int(torch.cuda.get_device_capability(torch.device(device))[0]) >= 8


def _device_name(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return str(torch.cuda.get_device_name(torch.device(device)))
    return "Apple MPS" if device == "mps" else ""


def _resolve_precision(precision: str, device: str, name: str) -> str:
    kind = device.split(":", 1)[0]
    if precision == "auto":
        if kind == "cuda":
            return "bf16" if _cuda_bf16_native(device) else "fp16"
        return "fp32"
    if precision == "fp16" and kind == "cpu":
        raise NlpkitError("fp16 is not supported on the CPU (PyTorch has no fast CPU kernels for it); use --precision fp32 (or bf16 on a CPU with AVX512-BF16/AMX)")
    if precision == "bf16":
        if kind == "cpu" and not cpu_bf16_supported():
            raise NlpkitError("bf16 on this CPU would be emulated (no AVX512-BF16 or AMX), which is far slower than fp32; use --precision fp32")
        if kind == "cuda" and not _cuda_bf16_native(device):
            raise NlpkitError(f"{name or device} does not support bf16 (it needs compute capability 8.0 or newer); use --precision fp16 or fp32")
        if kind == "mps" and not _mps_bf16_supported():
            raise NlpkitError("this Mac's MPS does not support bf16 (it needs macOS 14 or newer); use --precision fp16 or fp32")
    return precision


def resolve(device: str | None = DEFAULT_DEVICE, precision: str | None = DEFAULT_PRECISION, *, cpu_only: str | None = None) -> Placement:
    """The placement for what was asked; `cpu_only` names a backend that computes on the CPU only.

    An absent device is an error even for a CPU-only backend (the request is wrong on
    this machine); an available accelerator asked of a CPU-only backend falls back to
    the CPU at fp32, with a warning and a `note`.
    """
    requested = parse_device(device)
    wanted_precision = parse_precision(precision)
    if cpu_only is not None:
        # auto/cpu need no look at the hardware: a TF-IDF run never imports torch
        resolved = "cpu" if requested in ("auto", "cpu") else _resolve_device(requested)
        note = ""
        if resolved != "cpu" or wanted_precision not in ("auto", "fp32"):
            note = f"the {cpu_only} backend runs on the CPU at fp32 only"
            log.warning("%s; using cpu (fp32) instead of %s (%s)", note, requested, wanted_precision)
        return Placement("cpu", "fp32", requested, "", note)
    resolved = _resolve_device(requested)
    name = _device_name(resolved)
    return Placement(resolved, _resolve_precision(wanted_precision, resolved, name), requested, name)


def resolve_for_training(device: str | None = DEFAULT_DEVICE, precision: str | None = DEFAULT_PRECISION, *, cpu_only: str | None = None) -> Placement:
    """The placement to fine-tune on: as `resolve`, and

    - fp16/bf16 mean mixed-precision training, which nlpkit runs on CUDA, and bf16 also on a
      CPU with bf16 arithmetic (`resolve` has refused it where it would be emulated);
    - ``cuda:N`` on a machine with several GPUs narrows ``CUDA_VISIBLE_DEVICES`` to that
      GPU (the Trainer always trains on ``cuda:0``, or on every visible GPU), so the
      process then sees it as ``cuda:0``; ``auto``/``cuda`` leave the choice to the
      Trainer (every visible GPU, through ``DataParallel``).
    """
    requested = parse_device(device)
    note = "" if cpu_only else _pin_trainer_gpu(requested)
    placement = resolve("cuda:0" if note else requested, precision, cpu_only=cpu_only)
    if note:
        placement = replace(placement, requested=requested, note=note)
    return check_training(placement)


def check_training(placement: Placement) -> Placement:
    """`placement`, if one can fine-tune there: fp16/bf16 (mixed precision) on CUDA, bf16 also
    on the CPU (autocast; `resolve` allows it only where the CPU computes bf16 natively, where
    it trains MiniLM 2-3x faster than fp32 at one thread)."""
    if placement.precision != "fp32" and placement.kind != "cuda" and not (placement.kind == "cpu" and placement.precision == "bf16"):
        raise NlpkitError(f"{placement.precision} fine-tuning (mixed precision) runs on CUDA (bf16 also on a CPU with bf16 arithmetic), not {placement.device}; use --precision fp32 to fine-tune here")
    return placement


def _pin_trainer_gpu(requested: str) -> str:
    """Make GPU N the only one the Trainer sees, for ``cuda:N`` with several GPUs; a note saying so, or ''."""
    import torch

    match = _DEVICE.match(requested)
    if not match or match.group(1) != "cuda" or match.group(2) is None:
        return ""
    index = int(match.group(2))
    if int(os.environ.get("WORLD_SIZE", "1") or 1) > 1:
        raise NlpkitError(f"--device {requested} under torchrun: the launcher gives each process its GPU (LOCAL_RANK); use --device cuda (or auto), and CUDA_VISIBLE_DEVICES to choose the GPUs")
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if index >= count:
        _resolve_device(requested)  # the "not available here" error
    if count == 1:
        return ""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    ids = [part.strip() for part in visible.split(",")] if visible else [str(i) for i in range(count)]
    if torch.cuda.is_initialized():
        raise NlpkitError(f"cannot fine-tune on {requested} once CUDA has started in this process (the Trainer takes cuda:0 or every GPU); start it with CUDA_VISIBLE_DEVICES={ids[index]} and --device cuda")
    os.environ["CUDA_VISIBLE_DEVICES"] = ids[index]
    return f"CUDA_VISIBLE_DEVICES={ids[index]}: this process sees only that GPU, as cuda:0"


def accelerator_info() -> dict[str, Any]:
    """What a benchmark record says about accelerators: kind, name and count, or kind ``none``."""
    import torch

    if torch.cuda.is_available() and torch.cuda.device_count() > 0:
        count = torch.cuda.device_count()
        names = list(dict.fromkeys(str(torch.cuda.get_device_name(i)) for i in range(count)))
        return {"kind": "cuda", "name": ", ".join(names), "count": count, "cuda_version": torch.version.cuda}
    if _mps_available():
        return {"kind": "mps", "name": "Apple MPS", "count": 1}
    return {"kind": "none", "name": "none", "count": 0}


def to_device(batch: Any, device: Any) -> Any:
    """A CPU tensor, or a dict of them, on `device`: CUDA copies go through pinned memory,
    asynchronously (the caching host allocator keeps the pinned block until the copy is done);
    other values, and tensors already there, are left as they are."""
    import torch

    device = torch.device(device)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    if not isinstance(batch, torch.Tensor) or batch.device == device:
        return batch
    if device.type == "cuda" and batch.device.type == "cpu":
        return batch.pin_memory().to(device, non_blocking=True)
    return batch.to(device)
