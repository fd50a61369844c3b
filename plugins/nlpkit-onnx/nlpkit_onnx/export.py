"""Export a fine-tuned nlpkit folder to ONNX (fp32, optionally int8) and check it against torch.

The graph is the model's own forward as the transformers backend runs it (mean
pooling included when the card says so), traced by torch's TorchScript-based ONNX
exporter with dynamic batch and sequence axes. A classifier whose tokenizer carries
added special tokens (the entity markers of a relations model) also gets the
marker-pooled graph (``marked.onnx``): the pooled positions are graph inputs, found
outside the graph by `nlpkit.engines.pooling.marker_positions`, so any markers work.

Before anything is written the export is run by ONNX Runtime on sample inputs of
other batch sizes and lengths than the traced ones (padding included) and compared
with torch; int8 (`onnxruntime.quantization.quantize_dynamic`: weights of MatMul/Gemm/Gather
as signed int8 per output channel, activations quantized per batch; per channel lost
0.3 accuracy points on SST-2 where per tensor lost 2.2) is compared the same way and
reported. The folder appears at `output` in one rename: it is complete or absent.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.models import MODEL_CARD_FILE
from nlpkit.contracts.tasks import Head
from nlpkit.resolution.models import read_model_card
from nlpkit_onnx.backend import GRAPH_FILE, HEADS, MARKED_GRAPH_FILE, import_onnxruntime, new_session

__all__ = ["FP32_TOLERANCE", "ExportReport", "export_onnx"]

#: Largest difference to torch's outputs an fp32 export may show (logits); more is a broken trace.
FP32_TOLERANCE = 1e-3
OPSET = 17
#: Inputs traced (two rows, one padded) and inputs verified (other batch size and lengths).
TRACE_TEXTS = ("a short sentence .", "a longer sentence , with more words than the first one has .")
VERIFY_TEXTS = (
    "one",
    "the second input is longer and has some punctuation : commas , dots .",
    "a third one , of middling length",
    "and a fourth , to make the batch size differ from the traced one , padded and longer than all the others were",
)
QUESTION = "what is it ?"


@dataclass
class ExportReport:
    """What `export_onnx` wrote and how close each graph is to torch."""

    output: Path
    precision: str
    #: Largest absolute difference of any output (logits) to torch's, per graph file.
    max_abs_diff: dict[str, float] = field(default_factory=dict)
    #: Share of verification rows whose arg-max (label, or start/end position) equals torch's.
    agreement: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"output": str(self.output), "precision": self.precision, "max_abs_diff": self.max_abs_diff, "agreement": self.agreement, "files": self.files}


def _input_names(tokenizer: Any) -> list[str]:
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in getattr(tokenizer, "model_input_names", []):
        names.append("token_type_ids")
    return names


def _encode(tokenizer: Any, head: Head, texts: tuple[str, ...], names: list[str]) -> dict[str, Any]:
    if head is Head.SPAN_EXTRACTION:
        enc = tokenizer([QUESTION] * len(texts), list(texts), padding=True, return_tensors="pt", return_token_type_ids="token_type_ids" in names)
    else:
        enc = tokenizer(list(texts), padding=True, return_tensors="pt", return_token_type_ids="token_type_ids" in names)
    return {name: enc[name] for name in names}


def _marker_tokens(tokenizer: Any) -> list[str]:
    """Special tokens added to the vocabulary after training started (entity markers), if any."""
    standard = set(getattr(tokenizer, "all_special_tokens", []))
    added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    return [t.content for t in added.values() if getattr(t, "special", False) and t.content not in standard]


def _modules(network: Any, head: Head, names: list[str]) -> dict[str, tuple[Any, list[str], list[str]]]:
    """Per graph file: (torch module, input names, output names)."""
    import torch

    from nlpkit.engines.pooling import logits_at

    outputs = ["start_logits", "end_logits"] if head is Head.SPAN_EXTRACTION else ["logits"]

    class Forward(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, *tensors: Any) -> Any:
            out = self.network(**dict(zip(names, tensors)))
            return tuple(getattr(out, name) for name in outputs)

    class Marked(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, input_ids: Any, attention_mask: Any, head: Any, tail: Any) -> Any:
            return logits_at(self.network, input_ids, attention_mask, head, tail)

    modules = {GRAPH_FILE: (Forward().eval(), names, outputs)}
    if head is Head.SEQUENCE_CLASSIFICATION:
        modules[MARKED_GRAPH_FILE] = (Marked().eval(), ["input_ids", "attention_mask", "head", "tail"], ["logits"])
    return modules


def _marked_inputs(batch: dict[str, Any]) -> dict[str, Any]:
    """A batch for the marker-pooled graph: pool at the first token after [CLS] and at the last real token
    (the graph takes any positions; the model finds the markers' positions itself)."""
    import torch

    lengths = batch["attention_mask"].sum(-1)
    return {**batch, "head": torch.ones_like(lengths), "tail": (lengths - 1).clamp(min=0)}


def _output_axes(file: str, head: Head) -> dict[int, str]:
    """Dynamic axes of a graph's outputs: per-token outputs vary with the sequence too."""
    return {0: "batch", 1: "sequence"} if file == GRAPH_FILE and head is not Head.SEQUENCE_CLASSIFICATION else {0: "batch"}


def _trace(module: Any, inputs: dict[str, Any], input_names: list[str], output_names: list[str], output_axes: dict[int, str], path: Path) -> None:
    import torch

    dynamic = {name: ({0: "batch", 1: "sequence"} if inputs[name].dim() == 2 else {0: "batch"}) for name in input_names}
    dynamic.update({name: output_axes for name in output_names})
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter: the verification below is the check
        torch.onnx.export(module, tuple(inputs[n] for n in input_names), str(path), input_names=input_names, output_names=output_names, dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)


def _compare(module: Any, session: Any, inputs: dict[str, Any], input_names: list[str], per_token: bool) -> tuple[float, float]:
    """(max abs difference, arg-max agreement) of the graph's outputs to the module's on `inputs`;
    per-token outputs are compared at real tokens only (padding positions are never read)."""
    import numpy as np
    import torch

    with torch.inference_mode():
        result = module(*(inputs[n] for n in input_names))
        expected = [t.float().numpy() for t in (result if isinstance(result, tuple) else (result,))]
    got = session.run(None, {n: inputs[n].numpy().astype(np.int64) for n in input_names})
    mask = inputs["attention_mask"].numpy().astype(bool)
    diff, same, total = 0.0, 0, 0
    for e, g in zip(expected, got):
        if per_token and e.ndim == 3:  # token logits: label per real token
            e, g = e[mask], g[mask]
            diff = max(diff, float(np.abs(e - g).max()))
        elif per_token:  # span logits: best real position per row
            diff = max(diff, float(np.abs(e - g)[mask].max()))
            e, g = np.where(mask, e, -np.inf), np.where(mask, g, -np.inf)
        else:
            diff = max(diff, float(np.abs(e - g).max()))
        same += int((e.argmax(-1) == g.argmax(-1)).sum())
        total += e.shape[0]
    return diff, same / total if total else 1.0


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    import logging

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _refuse(folder: Path, output: Path) -> dict[str, Any]:
    """The card of `folder`, or a one-line error saying why it cannot be exported."""
    if not folder.is_dir():
        raise NlpkitError(f"{folder}: no such folder (give a folder written by `nlpkit finetune … --output FOLDER`)")
    if not (folder / MODEL_CARD_FILE).is_file():
        raise NlpkitError(f"{folder}: not a fine-tuned nlpkit folder (no {MODEL_CARD_FILE}); fine-tune first: `nlpkit finetune TASK --model … --output {folder}`")
    meta = read_model_card(folder)
    if meta["backend"] != "transformers":
        raise NlpkitError(f"{folder}: a {meta['backend']} model; only transformers models export to ONNX")
    head = Head(meta["head"])
    if head not in HEADS:
        raise NlpkitError(f"{folder}: its {head} head is not supported by the ONNX export (supported: {', '.join(sorted(h.value for h in HEADS))}; generation runs a decoding loop, not one graph)")
    if output.exists() or output.is_symlink():
        raise NlpkitError(f"{output} already exists; choose another --output or remove it")
    return meta


def export_onnx(folder: str | Path, output: str | Path, *, int8: bool = False, tolerance: float = FP32_TOLERANCE) -> ExportReport:
    """Export the fine-tuned nlpkit `folder` to an ONNX model folder at `output` (see module docstring)."""
    folder, output = Path(folder), Path(output)
    meta = _refuse(folder, output)
    import_onnxruntime()  # missing: say how to install before the slow part
    from nlpkit.api import get_task
    from nlpkit.resolution.models import load_model

    task = get_task(meta["task"])
    model = load_model(str(folder), task, device="cpu", precision="fp32")
    network, tokenizer = getattr(model, "network", None), getattr(model, "tokenizer", None)
    if network is None or tokenizer is None:
        raise NlpkitError(f"{folder}: the {model.backend} backend's model has no network and tokenizer to export")
    if hasattr(network, "set_attn_implementation"):
        network.set_attn_implementation("eager")  # plain matmuls: traces the padding mask as data, not as a shape check
    network.eval()
    head = Head(meta["head"])
    names = _input_names(tokenizer)
    markers = _marker_tokens(tokenizer) if head is Head.SEQUENCE_CLASSIFICATION else []
    modules = _modules(network, head, names)
    if not markers:
        modules.pop(MARKED_GRAPH_FILE, None)

    report = ExportReport(output, "int8" if int8 else "fp32")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    partial.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the result is an ordinary folder
    try:
        for file, (module, input_names, output_names) in modules.items():
            trace_inputs = _encode(tokenizer, head, TRACE_TEXTS, names)
            verify_inputs = _encode(tokenizer, head, VERIFY_TEXTS, names)
            if file == MARKED_GRAPH_FILE:
                trace_inputs, verify_inputs = _marked_inputs(trace_inputs), _marked_inputs(verify_inputs)
            path = partial / file
            per_token = file == GRAPH_FILE and head is not Head.SEQUENCE_CLASSIFICATION
            _trace(module, trace_inputs, input_names, output_names, _output_axes(file, head), path)
            diff, agreement = _compare(module, new_session(path), verify_inputs, input_names, per_token)
            if diff > tolerance:
                raise NlpkitError(f"the ONNX export of {folder} ({file}) differs from torch by {diff:.2e} (more than {tolerance:g}) on sample inputs; not written")
            report.max_abs_diff[f"{file} fp32"], report.agreement[f"{file} fp32"] = diff, agreement
            if int8:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                fp32 = path.with_suffix(".fp32.onnx")
                path.rename(fp32)
                with _quiet_root_logger():  # ORT logs a pre-processing hint on the root logger; shape pre-processing does not apply to dynamic quantization of transformers
                    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
                fp32.unlink()
                diff, agreement = _compare(module, new_session(path), verify_inputs, input_names, per_token)
                report.max_abs_diff[f"{file} int8"], report.agreement[f"{file} int8"] = diff, agreement
        tokenizer_files = tokenizer.save_pretrained(str(partial))
        graphs = list(modules)
        report.files = sorted({*graphs, *(Path(f).name for f in tokenizer_files if (partial / Path(f).name).is_file()), MODEL_CARD_FILE})
        card = {key: value for key, value in meta.items() if key not in ("files", "created")}
        card.update(
            backend="onnx",
            created=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            files=[f for f in report.files if f != MODEL_CARD_FILE],
            exported_from={"folder": str(folder), "backend": meta["backend"], "created": meta.get("created")},
            onnx={
                "file": GRAPH_FILE,
                "marked_file": MARKED_GRAPH_FILE if MARKED_GRAPH_FILE in modules else None,
                "precision": report.precision,
                "opset": OPSET,
                "inputs": names,
                "max_length": model.max_length,
                "max_abs_diff": report.max_abs_diff,
                "agreement": report.agreement,
            },
        )
        (partial / MODEL_CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        partial.rename(output)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return report
