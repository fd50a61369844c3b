"""Torch dynamic int8 on SST-2 dev: 7-bit activations (torch's default) vs full 8 bits (issue 13).

    OMP_NUM_THREADS=1 python benchmarks/int8_activations.py --data-dir ../shared/data \\
        --model runs/bench/quickstart/models/sst2-minilm --batch-sizes 1,8,32,64

For each batch size (dynamic quantization scales activations per batch, so the batch's
composition moves the result): accuracy of the fp32 model, and for each int8 rule the
accuracy change and the share of labels equal to fp32's. Rules, all with per-channel int8
weights and the task head in fp32:

- ``7-bit``: `torch.ao.nn.quantized.dynamic.Linear` as shipped (``reduce_range=True``);
- ``8-bit``: nlpkit's `FullRangeDynamicLinear` (what ``-O quantize=int8`` uses on VNNI CPUs,
  and what ONNX Runtime's dynamic quantization does);
- ``8-bit, FFN down fp32``: the same with each layer's FFN output projection (whose input,
  after GELU, holds the largest outliers) left in fp32 — a common remedy, for comparison.

Writes benchmarks/results/<name>.{json,md} (appends a model's section when the file exists).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import nlpkit

RESULTS = Path(__file__).parent / "results"
RULES = ("7-bit", "8-bit", "8-bit, FFN down fp32")


def quantized(folder: str, rule: str) -> Any:
    """The sentiment model at `folder` with its encoder quantized by `rule`."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    from nlpkit.engines.backends.quantization import quantize_int8

    model = nlpkit.load_model(folder, nlpkit.get_task("sentiment"), device="cpu")
    encoder = model.network.base_model
    if rule != "8-bit, FFN down fp32":
        quantize_int8(model.network, full_range=rule == "8-bit")
        return model
    from nlpkit.engines.backends.quantization import FullRangeDynamicLinear

    spec = {name: per_channel_dynamic_qconfig for name, module in encoder.named_modules()
            if isinstance(module, torch.nn.Linear) and not (name.endswith("output.dense") and "attention" not in name)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(encoder, spec, dtype=torch.qint8, mapping={torch.nn.Linear: FullRangeDynamicLinear}, inplace=True)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", required=True, help="fine-tuned sentiment folder")
    parser.add_argument("--batch-sizes", default="1,8,32,64")
    parser.add_argument("--name", default="int8_activations")
    args = parser.parse_args()
    from nlpkit.api import align_labels
    from nlpkit.resolution.data import load_examples

    task = nlpkit.get_task("sentiment")
    fp32 = nlpkit.load_model(args.model, task, device="cpu")
    examples, _ = align_labels(fp32, load_examples(task, "sst2:dev", data_dir=args.data_dir))
    texts, gold = [ex.text for ex in examples], [ex.label for ex in examples]
    models = {rule: quantized(args.model, rule) for rule in RULES}

    def labels(model: Any, batch_size: int) -> list[str]:
        return [model.labels[max(range(len(row)), key=row.__getitem__)] for row in model.classify(texts, batch_size=batch_size)]

    def accuracy(predicted: list[str]) -> float:
        return sum(p == g for p, g in zip(predicted, gold)) / len(gold)

    rows = []
    for batch_size in (int(b) for b in args.batch_sizes.split(",")):
        reference = labels(fp32, batch_size)
        row: dict[str, Any] = {"batch_size": batch_size, "fp32_accuracy": accuracy(reference)}
        for rule, model in models.items():
            start = time.perf_counter()
            predicted = labels(model, batch_size)
            row[rule] = {"accuracy": accuracy(predicted), "change_points": 100 * (accuracy(predicted) - accuracy(reference)),
                         "same_label_as_fp32": sum(p == r for p, r in zip(predicted, reference)) / len(reference), "seconds": time.perf_counter() - start}
        rows.append(row)
        print(f"batch {batch_size}: fp32 {row['fp32_accuracy']:.2%} | " + " | ".join(f"{r} {row[r]['change_points']:+.2f} ({row[r]['same_label_as_fp32']:.2%} same)" for r in RULES), flush=True)

    section = {"model": args.model, "examples": len(texts), "command": f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')} python {' '.join(sys.argv)}", "rows": rows}
    path = RESULTS / f"{args.name}.json"
    sections = [s for s in (json.loads(path.read_text())["sections"] if path.exists() else []) if s["model"] != args.model] + [section]
    path.write_text(json.dumps({"sections": sections}, indent=2) + "\n")
    lines = ["# Torch dynamic int8 on SST-2 dev: 7-bit vs 8-bit activations", "", "Written by `benchmarks/int8_activations.py` (see its docstring for the rules); which models these are and what was concluded: `onnx.md`, section \"torch int8 accuracy\". Shared CPU, 1 thread (accuracy does not depend on the load).", ""]
    for s in sections:
        lines += [f"`{s['model']}` ({s['examples']} sentences): `{s['command']}`", "",
                  "| batch size | fp32 accuracy | " + " | ".join(f"{r}: change (same label)" for r in RULES) + " |",
                  "|---:|---:|" + "---:|" * len(RULES)]
        for row in s["rows"]:
            lines.append(f"| {row['batch_size']} | {row['fp32_accuracy']:.2%} | " + " | ".join(f"{row[r]['change_points']:+.2f} ({row[r]['same_label_as_fp32']:.2%})" for r in RULES) + " |")
        lines.append("")
    (RESULTS / f"{args.name}.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
