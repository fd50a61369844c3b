"""Torch dynamic int8 quantization: full 8-bit activations where the CPU allows them (`nlpkit.engines.backends.quantization`)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from nlpkit.engines.backends.quantization import FullRangeDynamicLinear, full_range_supported, quantize_int8  # noqa: E402


def _layer_and_input() -> tuple[torch.nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Linear(64, 16))
    x = torch.randn(8, 64) * 3
    x[0, 0] = 40.0  # one outlier, as GELU outputs have: it stretches the activation scale
    return network, x


def _reference(layer: torch.nn.Module, x: torch.Tensor, levels: int) -> torch.Tensor:
    """`layer`'s int8 weights applied to `x` quantized to `levels` unsigned steps over [min(x, 0), max(x, 0)]."""
    low, high = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (high - low) / (levels - 1)
    zero = round(-low / scale)
    xq = torch.clamp(torch.round(x / scale) + zero, 0, levels - 1)
    return ((xq - zero) * scale) @ layer.weight().dequantize().T + layer.bias()


needs_vnni = pytest.mark.skipif(not full_range_supported(), reason="full-range activations are only exact with VNNI (FBGEMM's AVX2 kernels may saturate)")


@needs_vnni
def test_full_range_layers_quantize_activations_to_8_bits_where_torch_uses_7():
    full, x = _layer_and_input()
    reduced, _ = _layer_and_input()
    quantize_int8(full, full_range=True)
    quantize_int8(reduced, full_range=False)
    assert isinstance(full[0], FullRangeDynamicLinear) and not isinstance(reduced[0], FullRangeDynamicLinear)
    with torch.inference_mode():
        y_full, y_reduced = full(x), reduced(x)
    ref8, ref7 = _reference(full[0], x, 256), _reference(reduced[0], x, 128)
    assert torch.allclose(y_full, ref8, atol=0.02)
    assert torch.allclose(y_reduced, ref7, atol=0.02)
    assert (y_full - ref7).abs().max() > 0.1  # the two schemes differ measurably on this input


@needs_vnni
def test_full_range_is_closer_to_fp32_than_torchs_7_bit_default():
    network, x = _layer_and_input()
    with torch.inference_mode():
        exact = network(x)
    full, reduced = _layer_and_input()[0], _layer_and_input()[0]
    quantize_int8(full, full_range=True)
    quantize_int8(reduced, full_range=False)
    with torch.inference_mode():
        assert (full(x) - exact).abs().mean() < (reduced(x) - exact).abs().mean()


@pytest.mark.parametrize("vnni", [True, False])
def test_the_default_follows_the_cpus_vnni_support(monkeypatch, vnni):
    monkeypatch.setattr(torch.cpu, "_is_vnni_supported", lambda: vnni)
    network, _ = _layer_and_input()
    assert full_range_supported() is vnni
    assert quantize_int8(network) is vnni
    assert isinstance(network[0], FullRangeDynamicLinear) is vnni


def test_a_failing_or_missing_vnni_probe_falls_back_to_7_bits(monkeypatch):
    def broken() -> bool:
        raise RuntimeError("no cpuinfo")

    monkeypatch.setattr(torch.cpu, "_is_vnni_supported", broken)
    assert full_range_supported() is False
    monkeypatch.delattr(torch.cpu, "_is_vnni_supported")
    assert full_range_supported() is False
