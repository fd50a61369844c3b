"""Torch dynamic int8 quantization of an encoder's linear layers (``-O quantize=int8``).

Weights become int8 per output channel (symmetric); activations are quantized per batch
to unsigned 8 bits (asymmetric), the layer computes in int32 and returns fp32. That is the
scheme ONNX Runtime's ``quantize_dynamic`` uses, with one default that differs in torch:
`torch.ao.nn.quantized.dynamic.Linear` always quantizes activations to **7** bits
(``reduce_range=True``), because FBGEMM's AVX2 kernels add pairs of u8×s8 products in 16
bits and full-range activations could saturate them. CPUs with VNNI dot-product
instructions (AVX512-VNNI, AVX-VNNI) accumulate in 32 bits, so there the layers use the
full 8 bits, as ONNX Runtime does. On SST-2 dev (two fine-tuned MiniLMs, four batch sizes)
8-bit activations kept 98.3-99.0% of fp32's labels where 7-bit kept 96.1-98.6%, and moved
accuracy by -0.46 to +0.23 points where 7-bit moved it by -1.15 to +0.57
(`benchmarks/results/int8_activations.md`).

Imported only when a model is quantized (it imports torch).
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

__all__ = ["FullRangeDynamicLinear", "full_range_supported", "quantize_int8"]


class FullRangeDynamicLinear(DynamicLinear):
    """A dynamic int8 linear layer whose activations use the full unsigned 8-bit range."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._packed_params.dtype != torch.qint8:
            return super().forward(x)
        return torch.ops.quantized.linear_dynamic(x, self._packed_params._packed_params, reduce_range=False).to(x.dtype)

    def _get_name(self) -> str:
        return "FullRangeDynamicQuantizedLinear"


def full_range_supported() -> bool:
    """Whether this CPU's int8 kernels accumulate without 16-bit saturation (VNNI), so 8-bit activations are safe."""
    probe = getattr(torch.cpu, "_is_vnni_supported", None)  # private but long-standing; absent → the safe 7 bits
    try:
        return bool(probe()) if probe is not None else False
    except Exception:  # noqa: BLE001 - a probe failing is no reason to refuse quantizing
        return False


def quantize_int8(network: Any, *, full_range: bool | None = None) -> bool:
    """Quantize the encoder's `nn.Linear` layers (``network.base_model``) to int8 in place and
    return whether activations use the full 8 bits (`full_range`; default: where the CPU has
    VNNI, see the module docstring). The task head stays fp32, so pooling that reads the
    classifier's layout (`classify_pooled`) is unchanged."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    full_range = full_range_supported() if full_range is None else full_range
    layer = FullRangeDynamicLinear if full_range else DynamicLinear
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice (torchao is its successor; not a dependency)
        quantize_dynamic(getattr(network, "base_model", network), {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, mapping={torch.nn.Linear: layer}, inplace=True)
    return full_range
