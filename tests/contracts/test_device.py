"""Device and precision resolution, with CUDA and MPS availability faked on CPU-only machines."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest
import torch

from nlpkit.contracts import device as dev
from nlpkit.contracts.device import Placement, accelerator_info, check_training, resolve, resolve_for_training
from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.training import device_arguments


def fake_gpus(monkeypatch: pytest.MonkeyPatch, count: int, *, bf16: bool = True, initialized: bool = False) -> None:
    """Make torch report `count` CUDA cards (without touching a real one)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: initialized)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: f"Fake GPU {device if isinstance(device, int) else torch.device(device).index}")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 0) if bf16 else (7, 5))
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)  # what torch says by default even where bf16 is emulated
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def cpu_bf16(monkeypatch: pytest.MonkeyPatch, supported: bool) -> None:
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: supported)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: supported)


# -- devices --------------------------------------------------------------------
def test_auto_is_the_cpu_at_fp32_without_an_accelerator(no_accelerator: None) -> None:
    placement = resolve()
    assert (placement.device, placement.precision, placement.requested) == ("cpu", "fp32", "auto")
    assert not placement.accelerator


def test_auto_prefers_cuda_then_mps(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 2)
    assert resolve("auto").device == "cuda:0"
    assert resolve("cuda").device == "cuda:0"
    assert resolve("cuda:1").name == "Fake GPU 1"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert resolve("auto").device == "mps"
    assert resolve("mps").kind == "mps"


def test_absent_gpu_is_one_line_naming_what_is_available(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 1)
    with pytest.raises(NlpkitError, match=r"^cuda:1 is not available here \(available: cpu, cuda:0\)$"):
        resolve("cuda:1")


@pytest.mark.parametrize("asked", ["cuda", "cuda:0", "mps"])
def test_absent_accelerator_on_a_cpu_machine_is_refused(no_accelerator: None, asked: str) -> None:
    with pytest.raises(NlpkitError, match=rf"^{asked} is not available here \(available: cpu\)$"):
        resolve(asked)


@pytest.mark.parametrize("spelling", ["gpu", "cuda:", "cuda:x", "mps:1", "cpu:0 ", "tpu"])
def test_misspelt_device_lists_the_choices(spelling: str) -> None:
    with pytest.raises(NlpkitError, match="expected auto, cpu, cuda, cuda:N or mps"):
        resolve(spelling)


def test_device_spelling_is_case_and_space_tolerant(no_accelerator: None) -> None:
    assert resolve(" CPU ").device == "cpu"


# -- precision ------------------------------------------------------------------
def test_fp32_stays_the_default_on_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 1)
    assert resolve("cuda").precision == "fp32"


@pytest.mark.parametrize("bf16, expected", [(True, "bf16"), (False, "fp16")])
def test_auto_precision_on_cuda_is_the_fastest_the_card_has(monkeypatch: pytest.MonkeyPatch, bf16: bool, expected: str) -> None:
    fake_gpus(monkeypatch, 1, bf16=bf16)
    assert resolve("cuda", "auto").precision == expected


def test_auto_precision_is_fp32_on_the_cpu(no_accelerator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cpu_bf16(monkeypatch, True)
    assert resolve("cpu", "auto").precision == "fp32"


def test_fp16_on_the_cpu_is_refused(no_accelerator: None) -> None:
    with pytest.raises(NlpkitError, match="fp16 is not supported on the CPU.*--precision fp32"):
        resolve("cpu", "fp16")


def test_bf16_on_a_cpu_without_bf16_hardware_is_refused(no_accelerator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cpu_bf16(monkeypatch, False)
    with pytest.raises(NlpkitError, match="bf16 on this CPU would be emulated"):
        resolve("cpu", "bf16")


def test_bf16_on_a_cpu_with_bf16_hardware_is_allowed(no_accelerator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cpu_bf16(monkeypatch, True)
    assert resolve("cpu", "bf16").dtype is torch.bfloat16


def test_bf16_on_an_old_card_names_the_card(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 1, bf16=False)
    with pytest.raises(NlpkitError, match="Fake GPU 0 does not support bf16.*fp16"):
        resolve("cuda:0", "bf16")


def test_unknown_precision_lists_the_choices() -> None:
    with pytest.raises(NlpkitError, match="unknown precision 'int8'; expected auto, fp32, fp16, bf16"):
        resolve("cpu", "int8")


# -- CPU-only backends ----------------------------------------------------------
def test_cpu_only_backend_falls_back_to_the_cpu_and_says_so(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fake_gpus(monkeypatch, 1)
    with caplog.at_level(logging.WARNING, logger="nlpkit.contracts.device"):
        placement = resolve("cuda", "fp16", cpu_only="sklearn")
    assert (placement.device, placement.precision, placement.requested) == ("cpu", "fp32", "cuda")
    assert "sklearn backend runs on the CPU" in placement.note
    assert "using cpu (fp32) instead of cuda" in caplog.text


def test_cpu_only_backend_on_auto_is_quietly_the_cpu(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fake_gpus(monkeypatch, 1)
    with caplog.at_level(logging.WARNING, logger="nlpkit.contracts.device"):
        placement = resolve("auto", cpu_only="sklearn")
    assert placement.device == "cpu" and placement.note == "" and caplog.text == ""


def test_cpu_only_backend_still_refuses_a_device_the_machine_lacks(no_accelerator: None) -> None:
    with pytest.raises(NlpkitError, match="cuda is not available here"):
        resolve("cuda", cpu_only="sklearn")


# -- fine-tuning ----------------------------------------------------------------
def test_mixed_precision_training_off_cuda_is_bf16_on_a_cpu_with_bf16_arithmetic_only(no_accelerator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cpu_bf16(monkeypatch, True)
    assert resolve_for_training("cpu", "bf16").precision == "bf16"
    with pytest.raises(NlpkitError, match="fp16 fine-tuning \\(mixed precision\\) runs on CUDA \\(bf16 also on a CPU with bf16 arithmetic\\), not mps"):
        check_training(Placement("mps", "fp16"))
    cpu_bf16(monkeypatch, False)
    with pytest.raises(NlpkitError, match="bf16 on this CPU would be emulated"):
        resolve_for_training("cpu", "bf16")


def test_training_on_gpu_n_narrows_cuda_visible_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 2)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,6")
    placement = resolve_for_training("cuda:1", "fp16")
    assert dev.os.environ["CUDA_VISIBLE_DEVICES"] == "6"
    assert (placement.device, placement.requested, placement.precision) == ("cuda:0", "cuda:1", "fp16")
    assert "CUDA_VISIBLE_DEVICES=6" in placement.note


def test_training_on_the_only_gpu_leaves_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 1)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert resolve_for_training("cuda:0").device == "cuda:0"
    assert "CUDA_VISIBLE_DEVICES" not in dev.os.environ


def test_training_on_gpu_n_after_cuda_started_says_how_to_choose_it(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 2, initialized=True)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    with pytest.raises(NlpkitError, match="start it with CUDA_VISIBLE_DEVICES=1 and --device cuda"):
        resolve_for_training("cuda:1")


def test_training_on_auto_with_several_gpus_leaves_the_choice_to_the_trainer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 2)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    placement = resolve_for_training("auto", "bf16")
    assert (placement.device, placement.note) == ("cuda:0", "") and "CUDA_VISIBLE_DEVICES" not in dev.os.environ
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)  # the recipe resolves the stored device again, after CUDA started
    assert check_training(resolve(placement.device, placement.precision)).device == "cuda:0"


def test_gpu_n_under_torchrun_is_refused_in_favour_of_the_launcher(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 2)
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(NlpkitError, match="under torchrun: the launcher gives each process its GPU"):
        resolve_for_training("cuda:1")
    assert resolve_for_training("cuda").device == "cuda:0"


def test_trainer_arguments_follow_the_placement() -> None:
    assert device_arguments(Placement("cpu", "fp32")) == {"use_cpu": True, "fp16": False, "bf16": False, "dataloader_pin_memory": False}
    assert device_arguments(Placement("cuda:0", "fp16")) == {"use_cpu": False, "fp16": True, "bf16": False, "dataloader_pin_memory": True}
    assert device_arguments(Placement("cuda:0", "bf16"))["bf16"] is True
    assert device_arguments(Placement("cpu", "bf16")) == {"use_cpu": True, "fp16": False, "bf16": True, "dataloader_pin_memory": False}
    assert device_arguments(Placement("mps", "fp32")) == {"use_cpu": False, "fp16": False, "bf16": False, "dataloader_pin_memory": False}


# -- records --------------------------------------------------------------------
def test_accelerator_record_is_none_on_a_cpu_machine(no_accelerator: None) -> None:
    assert accelerator_info() == {"kind": "none", "name": "none", "count": 0}


def test_accelerator_record_names_the_cards(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gpus(monkeypatch, 2)
    info = accelerator_info()
    assert (info["kind"], info["name"], info["count"]) == ("cuda", "Fake GPU 0, Fake GPU 1", 2)


def test_placement_describes_itself_for_the_verbose_line() -> None:
    assert Placement("cuda:0", "bf16", "auto", "Fake GPU 0").describe() == "cuda:0 (Fake GPU 0, bf16)"
    assert Placement("cpu", "fp32", "cuda", "", "the sklearn backend runs on the CPU at fp32 only").describe() == "cpu (fp32); the sklearn backend runs on the CPU at fp32 only"


def test_cpu_batches_are_not_copied() -> None:
    batch = {"input_ids": torch.ones(2, 3, dtype=torch.long)}
    assert dev.to_device(batch, "cpu")["input_ids"] is batch["input_ids"]


class FakeTensor(torch.Tensor):
    """A CPU tensor that records the calls a move to CUDA makes (none of them reach a GPU)."""

    calls: ClassVar[list[str]] = []

    def pin_memory(self, *args: object, **kwargs: object) -> FakeTensor:
        FakeTensor.calls.append("pin_memory")
        return self

    def to(self, *args: object, **kwargs: object) -> FakeTensor:
        FakeTensor.calls.append(f"to {args[0]} non_blocking={kwargs.get('non_blocking', False)}")
        return self


def test_cuda_copies_go_through_pinned_memory_asynchronously() -> None:
    from nlpkit.engines.inference import to_device as loop_to_device

    FakeTensor.calls = []
    ids = torch.ones(2, 3, dtype=torch.long).as_subclass(FakeTensor)
    loop_to_device({"input_ids": ids, "n": 2}, "cuda:0")
    loop_to_device(ids, "cuda:0")
    assert FakeTensor.calls == ["pin_memory", "to cuda:0 non_blocking=True"] * 2
    FakeTensor.calls = []
    dev.to_device(ids, "mps")
    assert FakeTensor.calls == ["to mps non_blocking=False"]  # no pinning off CUDA


# -- every head in half precision (the arithmetic an fp16/bf16 GPU run does, on the CPU) --
@pytest.mark.parametrize(
    ("task", "build", "inputs"),
    [
        ("sentiment", lambda t, f: t.tiny_bert(f, ["a good film"], head="sequence-classification", labels=["negative", "positive"]), ["a good film", "bad"]),
        ("ner", lambda t, f: t.tiny_bert(f, ["alice visited paris"], head="token-classification", labels=["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]), ["Alice visited Paris .", "Paris"]),
        ("qa", lambda t, f: t.tiny_bert(f, ["where did the cat sit on the mat"], head="span-extraction"), ['{"question": "Where did the cat sit?", "context": "The cat sat on the mat."}']),
        ("summarization", lambda t, f: t.tiny_t5(f, ["the cat sat on the mat"]), ["The cat sat on the mat. It was sunny."]),
    ],
)
def test_every_head_predicts_from_a_bf16_cast_model(tmp_path: object, task: str, build: object, inputs: list[str]) -> None:
    import nlpkit
    from nlpkit import testing
    from nlpkit.resolution.models import load_model

    task_obj = nlpkit.get_task(task)
    model = load_model(str(build(testing, tmp_path / "m")), task_obj, device="cpu")  # type: ignore[operator]
    full = nlpkit.predict(task_obj, inputs, model=model)
    model.to(Placement("cpu", "bf16"))  # bypasses the CPU-hardware check on purpose: tiny model, any CPU
    assert {p.dtype for p in model.network.parameters()} == {torch.bfloat16}
    half = nlpkit.predict(task_obj, inputs, model=model)
    assert len(half) == len(full) == len(inputs)
    assert [type(r) for r in half] == [type(r) for r in full]
