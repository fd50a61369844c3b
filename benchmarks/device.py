"""Device and precision benchmark (issue 16): SST-2 dev predict throughput and agreement
per device/precision, and the time of a 1-epoch SST-2 fine-tune per device.

On a GPU machine (the command the results file asks for):

    OMP_NUM_THREADS=8 python benchmarks/device.py --data-dir ../shared/data \\
        --finetune cuda:fp16 --predict cpu:fp32,cuda:fp32,cuda:fp16,cuda:bf16 --name device-gpu

fine-tunes MiniLM for one epoch on all of SST-2 train on CUDA (fp16 mixed precision),
then times predict on SST-2 dev with that model on the CPU and on CUDA at fp32, fp16
and bf16 (interleaved rounds, best of), with accuracy and the share of labels equal
to the first configuration's (fp32 is the reference). `--finetune cpu:fp32,cuda:fp32,cuda:fp16`
times one epoch on each (slow on the CPU: add --finetune-limit).

On a CPU-only machine (what this session could run):

    OMP_NUM_THREADS=1 python benchmarks/device.py --data-dir ../shared/data --predict cpu:fp32,cpu:bf16

uses MiniLM with a seeded random classification head (labels near a coin flip, so
agreement is a strict test of precision; accuracy means nothing then).

Writes benchmarks/results/<name>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import nlpkit

RESULTS = Path(__file__).parent / "results"
LABELS = ["negative", "positive"]


def configs(text: str) -> list[tuple[str, str]]:
    """``cpu:fp32,cuda:fp16`` → ``[("cpu", "fp32"), ("cuda", "fp16")]`` (``cuda:1:fp16`` works too)."""
    out = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        device, _, precision = item.rpartition(":")
        out.append((device or item, precision if device else "fp32"))
    return out


def finetune_times(args: argparse.Namespace, work: Path) -> tuple[list[dict[str, Any]], str | None]:
    """One epoch on SST-2 train per configuration; returns the records and the first model folder."""
    records, first = [], None
    for device, precision in configs(args.finetune):
        out = work / f"minilm-{device.replace(':', '')}-{precision}"
        print(f"fine-tuning MiniLM for 1 epoch on {device} {precision}…", flush=True)
        result = nlpkit.finetune(
            "sentiment", model=args.model, train="sst2:train", eval="sst2:dev", data_dir=args.data_dir, output=out, overwrite=True,
            train_limit=args.finetune_limit, device=device, precision=precision,
            config=nlpkit.TrainConfig(epochs=1, learning_rate=1e-4, batch_size=args.train_batch_size, max_length=64, seed=42, progress=False),
        )
        records.append({
            "device": result.device, "examples": result.train_examples, "seconds": result.train_seconds,
            "examples_per_second": result.train_examples / result.train_seconds, "dev_accuracy": result.metrics["accuracy"]["accuracy"],
        })
        print(records[-1], flush=True)
        first = first or str(out)
    return records, first


def predict_speed(args: argparse.Namespace, model_ref: str, random_head: bool) -> list[dict[str, Any]]:
    """Interleaved timing rounds of predict on SST-2 dev per configuration; agreement with the first."""
    import torch

    task = nlpkit.get_task("sentiment")
    dev = nlpkit.load_examples(task, "sst2:dev", data_dir=args.data_dir, limit=args.limit)
    texts, gold = [ex.text for ex in dev], [ex.label for ex in dev]
    models = []
    for device, precision in configs(args.predict):
        torch.manual_seed(0)  # the same seeded random head for every configuration
        model = nlpkit.load_model(model_ref, task, labels=LABELS if random_head else None, device=device, precision=precision)
        nlpkit.predict(task, texts[:64], model=model, batch_size=args.batch_size)  # warm-up: kernels, caches
        models.append(model)
    best = [float("inf")] * len(models)
    outputs: list[list[Any]] = [[] for _ in models]
    for _ in range(args.rounds):
        for i, model in enumerate(models):  # interleaved: a busy machine slows every configuration alike
            start = time.perf_counter()
            outputs[i] = nlpkit.predict(task, texts, model=model, batch_size=args.batch_size)  # back on the CPU: synchronised
            best[i] = min(best[i], time.perf_counter() - start)
    reference = outputs[0]
    records = []
    for model, records_i, seconds in zip(models, outputs, best):
        same = sum(a.label == b.label for a, b in zip(records_i, reference))
        drift = max(abs(a.scores[label] - b.scores[label]) for a, b in zip(records_i, reference) for label in LABELS)
        records.append({
            "device": model.placement.to_dict(), "examples": len(texts), "best_seconds": seconds, "examples_per_second": len(texts) / seconds,
            "accuracy": sum(r.label == g for r, g in zip(records_i, gold)) / len(gold),
            "labels_equal_to_first": same / len(texts), "max_probability_difference": drift,
        })
        print(records[-1], flush=True)
    return records


def environment() -> dict[str, Any]:
    import torch

    from nlpkit.bench.environment import cpu_model
    from nlpkit.device import accelerator_info

    return {
        "cpu": cpu_model(), "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(), "accelerator": accelerator_info(),
        "torch": torch.__version__, "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def markdown(results: dict[str, Any]) -> str:
    env = results["environment"]
    acc = env["accelerator"]
    lines = [
        "# Devices and precision (issue 16)",
        "",
        (f"{env['date']} · {env['cpu']} ({env['cpu_count']} CPUs, torch threads {env['torch_threads']}) · accelerator: "
         + (f"{acc['count']}× {acc['name']}" if acc["kind"] != "none" else "none") + f" · torch {env['torch']}"),
        "",
        f"Command: `{results['command']}`",
        "",
    ]
    if results.get("note"):
        lines += [results["note"], ""]
    if not any(r["device"]["device"].startswith("cuda") for r in results["predict"] + results["finetune"]):
        lines += [
            "**No GPU was available for this run**: the CUDA figures the issue asks for are missing. "
            "On a GPU machine run `OMP_NUM_THREADS=8 python benchmarks/device.py --data-dir ../shared/data "
            "--finetune cuda:fp16 --predict cpu:fp32,cuda:fp32,cuda:fp16,cuda:bf16 --name device-gpu`.",
            "",
        ]
    if results["predict"]:
        head = "random seeded head: accuracy is meaningless, agreement is the test" if results["random_head"] else f"model `{results['model']}`"
        lines += [f"## Predict, SST-2 dev ({head}; best of {results['rounds']} interleaved rounds, batch size {results['batch_size']})", "",
                  "| device | precision | examples/s | speed vs first | accuracy | labels equal to first | max prob. difference |", "|---|---|---|---|---|---|---|"]
        base = results["predict"][0]["examples_per_second"]
        for r in results["predict"]:
            d = r["device"]
            lines.append(f"| {d['device']} ({d['name'] or 'CPU'}) | {d['precision']} | {r['examples_per_second']:.1f} | {r['examples_per_second'] / base:.2f}x | "
                         f"{r['accuracy']:.4f} | {r['labels_equal_to_first']:.2%} | {r['max_probability_difference']:.4f} |")
        lines.append("")
    if results["finetune"]:
        lines += ["## Fine-tuning, 1 epoch of SST-2 train", "", "| device | precision | examples | seconds | examples/s | dev accuracy |", "|---|---|---|---|---|---|"]
        for r in results["finetune"]:
            d = r["device"]
            lines.append(f"| {d['device']} ({d['name'] or 'CPU'}) | {d['precision']} | {r['examples']} | {r['seconds']:.1f} | {r['examples_per_second']:.1f} | {r['dev_accuracy']:.4f} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--model", default="minilm", help="base model to fine-tune, or (without --finetune) a model to time")
    parser.add_argument("--predict", default="cpu:fp32", help="DEVICE:PRECISION list to time predict on; the first is the reference")
    parser.add_argument("--finetune", default="", help="DEVICE:PRECISION list to fine-tune 1 epoch on (the first model is then timed)")
    parser.add_argument("--finetune-limit", type=int, help="train on the first N SST-2 train rows only")
    parser.add_argument("--limit", type=int, help="time predict on the first N dev rows only")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--train-batch-size", type=int, default=32)
    parser.add_argument("--work", default="runs/bench-device")
    parser.add_argument("--name", default="device", help="results file name under benchmarks/results/")
    parser.add_argument("--note", default="", help="a sentence for the results file (e.g. that the machine was shared)")
    parser.add_argument("--render", action="store_true", help="only rewrite <name>.md from <name>.json (after editing its note)")
    args = parser.parse_args()
    if args.render:
        results = json.loads((RESULTS / f"{args.name}.json").read_text())
        (RESULTS / f"{args.name}.md").write_text(markdown(results) + "\n")
        return

    finetuned, model_ref = finetune_times(args, Path(args.work)) if args.finetune else ([], None)
    random_head = model_ref is None and args.model == "minilm"
    predicted = predict_speed(args, model_ref or args.model, random_head) if args.predict else []
    results = {
        "command": "OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "(unset)") + " python benchmarks/device.py " + " ".join(__import__("sys").argv[1:]),
        "environment": environment(), "model": model_ref or args.model, "random_head": random_head, "rounds": args.rounds,
        "batch_size": args.batch_size, "predict": predicted, "finetune": finetuned, "note": args.note,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{args.name}.md").write_text(markdown(results) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
