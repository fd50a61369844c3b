"""Fast inference benchmark (issue 13): SST-2 dev with a fine-tuned MiniLM, five ways.

    OMP_NUM_THREADS=1 python benchmarks/onnx_speed.py --data-dir ../shared/data --model runs/sst2-minilm

Variants, timed in interleaved rounds (each round runs every variant once over the
whole dev set; each variant keeps its best round, the repository's convention on a shared
CPU: a noisy neighbour slows whichever variant it hits, never speeds one up):

- ``pipeline``: the transformers pipeline with its defaults (one text at a time) on the
  same network and tokenizer (so the model's mean pooling is used);
- ``nlpkit fp32``: the transformers backend (length-sorted batches);
- ``torch int8``: the same with ``-O quantize=int8`` (torch dynamic quantization);
- ``onnx fp32`` / ``onnx int8``: folders written by ``nlpkit export --to onnx [--int8]``.

Reports examples/s, the ratio to the pipeline, accuracy, the share of labels equal to
nlpkit fp32's, the model's size on disk and its load time (median of `--load-rounds`).
The fine-tuned model comes from (1 epoch, 2,000 rows, max length 64):

    nlpkit finetune sentiment --model minilm --train sst2:train --train-limit 2000 --epochs 1 \\
        --lr 1e-4 --max-length 64 --data-dir ../shared/data --device cpu --output runs/sst2-minilm

Writes benchmarks/results/<name>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nlpkit

RESULTS = Path(__file__).parent / "results"
VARIANTS = ("pipeline", "nlpkit fp32", "torch int8", "onnx fp32", "onnx int8")


def folder_bytes(folder: Path, names: list[str] | None = None) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and (names is None or p.name in names))


def export(model: Path, out: Path, int8: bool) -> None:
    if not out.exists():
        cmd = [sys.executable, "-m", "nlpkit", "export", str(model), "--to", "onnx", "--output", str(out)] + (["--int8"] if int8 else [])
        subprocess.run(cmd, check=True)


def load(variant: str, model: Path, work: Path) -> Any:
    task = nlpkit.get_task("sentiment")
    if variant == "torch int8":
        return nlpkit.load_model(str(model), task, device="cpu", backend_options={"quantize": "int8"})
    if variant.startswith("onnx"):
        return nlpkit.load_model(str(work / variant.replace(" ", "-")), task)
    return nlpkit.load_model(str(model), task, device="cpu")


def runner(variant: str, loaded: Any, batch_size: int) -> Any:
    """A function texts → labels for `variant`."""
    if variant == "pipeline":
        import transformers

        pipe = transformers.pipeline("text-classification", model=loaded.network, tokenizer=loaded.tokenizer, device="cpu")
        id2label = loaded.network.config.id2label
        names = {str(v): str(v) for v in id2label.values()}
        return lambda texts: [names.get(out["label"], out["label"]) for out in pipe(texts)]
    labels = loaded.labels
    return lambda texts: [labels[max(range(len(row)), key=row.__getitem__)] for row in loaded.classify(texts, batch_size=batch_size)]


def weights_bytes(variant: str, loaded: Any, model: Path, work: Path) -> int:
    if variant.startswith("onnx"):
        return folder_bytes(work / variant.replace(" ", "-"), ["model.onnx", "marked.onnx"])
    if variant == "torch int8":  # not a folder format: the quantized state dict as torch saves it
        import torch

        with tempfile.TemporaryDirectory() as tmp:
            torch.save(loaded.network.state_dict(), Path(tmp) / "w.pt")
            return (Path(tmp) / "w.pt").stat().st_size
    return folder_bytes(model, ["model.safetensors"])


def random_head_folder(task_name: str, labels: list[str] | None, out: Path) -> Path:
    """MiniLM with a seeded random `task_name` head, saved as a fine-tuned folder (agreement only)."""
    if out.exists():
        return out
    import transformers

    from nlpkit.resolution.models import write_model_card

    task = nlpkit.get_task(task_name)
    transformers.set_seed(0)
    model = nlpkit.load_model("minilm", task, labels=labels, device="cpu")
    files = model.save(out)
    write_model_card(out, task=task, model=model, base_model="minilm", files=files, extra={})
    return out


def agreement_run(task_name: str, data: str, limit: int, labels: list[str] | None, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """nlpkit fp32 / torch int8 / onnx fp32 / onnx int8 on a seeded-random-head MiniLM: speed
    ratio to fp32 and the share of records identical to fp32's (random heads: accuracy means nothing)."""
    from nlpkit.resolution.data import load_examples

    folder = random_head_folder(task_name, labels, work / f"{task_name}-random")
    export(folder, work / f"{task_name}-onnx-fp32", int8=False)
    export(folder, work / f"{task_name}-onnx-int8", int8=True)
    task = nlpkit.get_task(task_name)
    examples = load_examples(task, data, data_dir=args.data_dir, limit=limit)
    variants = {
        "nlpkit fp32": nlpkit.load_model(str(folder), task, device="cpu"),
        "torch int8": nlpkit.load_model(str(folder), task, device="cpu", backend_options={"quantize": "int8"}),
        "onnx fp32": nlpkit.load_model(str(work / f"{task_name}-onnx-fp32"), task),
        "onnx int8": nlpkit.load_model(str(work / f"{task_name}-onnx-int8"), task),
    }
    key = (lambda r: [(e.type, e.start, e.end) for e in r.entities]) if task_name == "ner" else (lambda r: (r.text, r.start))
    for model in variants.values():  # warm-up
        task.predict(model, examples[:8], batch_size=args.batch_size)
    seconds: dict[str, list[float]] = {v: [] for v in variants}
    records: dict[str, list[Any]] = {}
    for r in range(args.rounds):
        for v, model in variants.items():
            start = time.perf_counter()
            records[v] = task.predict(model, examples, batch_size=args.batch_size)
            seconds[v].append(time.perf_counter() - start)
        print(f"{task_name} round {r + 1}: " + ", ".join(f"{v} {seconds[v][-1]:.2f} s" for v in variants), flush=True)
    base = min(seconds["nlpkit fp32"])
    reference = [key(r) for r in records["nlpkit fp32"]]
    return {
        "task": task_name, "data": data, "examples": len(examples),
        "rows": [{
            "variant": v,
            "seconds": min(seconds[v]),
            "seconds_rounds": seconds[v],
            "examples_per_second": len(examples) / min(seconds[v]),
            "ratio_to_nlpkit_fp32": base / min(seconds[v]),
            "identical_to_fp32": sum(key(a) == b for a, b in zip(records[v], reference)) / len(reference),
        } for v in variants],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", default="runs/sst2-minilm", help="fine-tuned sentiment folder")
    parser.add_argument("--work", default="runs/onnx-bench", help="where the exports go")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load-rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--name", default="onnx")
    parser.add_argument("--ner", type=int, default=0, help="also: CoNLL-2003 test sentences, seeded-random-head MiniLM (agreement only)")
    parser.add_argument("--qa", type=int, default=0, help="also: SQuAD v1.1 dev questions, seeded-random-head MiniLM (agreement only)")
    parser.add_argument("--skip-sst2", action="store_true", help="only the --ner/--qa runs (into <name>-agreement.json)")
    args = parser.parse_args()
    if args.skip_sst2:
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
        runs = []
        if args.ner:
            labels = ["O"] + [f"{p}-{t}" for t in ("LOC", "MISC", "ORG", "PER") for p in "BI"]
            runs.append(agreement_run("ner", "conll2003:test", args.ner, labels, args, work))
        if args.qa:
            runs.append(agreement_run("qa", "squad_v1.1:dev", args.qa, None, args, work))
        meta = {"command": "OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "(unset)") + " python " + " ".join(sys.argv), "machine": "shared CPU (other agents running)"}
        (RESULTS / f"{args.name}-agreement.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=2) + "\n")
        for run in runs:
            print(f"\n{run['task']} ({run['data']}, {run['examples']} examples)")
            for row in run["rows"]:
                print(f"| {row['variant']} | {row['examples_per_second']:.1f} | {row['ratio_to_nlpkit_fp32']:.2f}x | {row['identical_to_fp32']:.2%} |")
        return
    model, work = Path(args.model), Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    export(model, work / "onnx-fp32", int8=False)
    export(model, work / "onnx-int8", int8=True)

    task = nlpkit.get_task("sentiment")
    from nlpkit.api import align_labels
    from nlpkit.resolution.data import load_examples

    examples = load_examples(task, "sst2:dev", data_dir=args.data_dir, limit=args.limit)
    loaded = {v: load(v, model, work) for v in VARIANTS}
    examples, _ = align_labels(loaded["nlpkit fp32"], examples)
    texts, gold = [ex.text for ex in examples], [ex.label for ex in examples]
    run = {v: runner(v, loaded[v], args.batch_size) for v in VARIANTS}
    for v in VARIANTS:  # warm-up (first-call allocations, lazy imports)
        run[v](texts[:16])

    seconds: dict[str, list[float]] = {v: [] for v in VARIANTS}
    predictions: dict[str, list[str]] = {}
    for r in range(args.rounds):
        for v in VARIANTS:
            start = time.perf_counter()
            predictions[v] = run[v](texts)
            seconds[v].append(time.perf_counter() - start)
        print(f"round {r + 1}: " + ", ".join(f"{v} {seconds[v][-1]:.2f} s" for v in VARIANTS), flush=True)

    load_seconds: dict[str, list[float]] = {v: [] for v in VARIANTS if v != "pipeline"}
    for _ in range(args.load_rounds):
        for v in load_seconds:
            start = time.perf_counter()
            load(v, model, work)
            load_seconds[v].append(time.perf_counter() - start)

    base = min(seconds["pipeline"])
    reference = predictions["nlpkit fp32"]
    rows = []
    for v in VARIANTS:
        best = min(seconds[v])
        rows.append({
            "variant": v,
            "seconds": best,
            "seconds_rounds": seconds[v],
            "examples_per_second": len(texts) / best,
            "ratio_to_pipeline": base / best,
            "accuracy": sum(p == g for p, g in zip(predictions[v], gold)) / len(gold),
            "agreement_with_nlpkit_fp32": sum(p == q for p, q in zip(predictions[v], reference)) / len(reference),
            "weights_bytes": weights_bytes(v, loaded[v], model, work),
            "load_seconds": statistics.median(load_seconds[v]) if v in load_seconds else statistics.median(load_seconds["nlpkit fp32"]),
        })
    meta = {
        "command": "OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "(unset)") + " python " + " ".join(sys.argv),
        "examples": len(texts),
        "rounds": args.rounds,
        "batch_size": args.batch_size,
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "model": str(model),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; shared CPU (other agents running)",
        "python": platform.python_version(),
        "versions": {name: __import__(name).__version__ for name in ("torch", "transformers", "onnxruntime", "onnx")},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        "| variant | examples/s | ratio to pipeline | accuracy | same label as nlpkit fp32 | weights on disk | load time |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row['variant']} | {row['examples_per_second']:.1f} | {row['ratio_to_pipeline']:.2f}x | {row['accuracy']:.2%} | {row['agreement_with_nlpkit_fp32']:.2%} | {row['weights_bytes'] / 1e6:.1f} MB | {row['load_seconds']:.2f} s |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
