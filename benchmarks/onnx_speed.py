"""Fast inference benchmark (issue 13): fine-tuned MiniLMs on SST-2, CoNLL-2003 NER and SQuAD QA, five ways.

    python benchmarks/onnx_speed.py --data-dir ../shared/data --model runs/sst2-minilm \\
        --ner-model runs/ner-minilm --qa-model runs/qa-minilm --qa-limit 500

Variants, timed in interleaved rounds (each round runs every task's every variant once
over its whole set; each variant keeps its best round, the repository's convention on a
shared CPU: a noisy neighbour slows whichever variant it hits, never speeds one up):

- ``pipeline``: the transformers pipeline with its defaults (one input per call) on the
  same network and tokenizer: ``text-classification`` (the model's mean pooling included,
  so its labels equal nlpkit's) and ``token-classification`` with
  ``aggregation_strategy="simple"`` (its default, ``none``, returns sub-word tags, not
  entities). Transformers 5 has no ``question-answering`` pipeline, so QA has no such row;
- ``nlpkit fp32``: the transformers backend (length-sorted batches);
- ``torch int8``: the same with ``-O quantize=int8`` (torch dynamic quantization);
- ``onnx fp32`` / ``onnx int8``: folders written by ``nlpkit export --to onnx [--int8]``.

Per variant: inputs/s, the ratio to the first variant (the pipeline; nlpkit fp32 for QA),
the task's score (accuracy; entity F1 as seqeval; SQuAD F1 and exact match), agreement
with nlpkit fp32 (same label; same entity set per sentence and entities in both / in
either; same answer text and offset), the weights' size on disk and the load time
(median of ``--load-rounds``). The pipeline's entities are character spans of the text
(the words joined by spaces); for scoring each is widened to the words it touches.

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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nlpkit

RESULTS = Path(__file__).parent / "results"
VARIANTS = ("pipeline", "nlpkit fp32", "torch int8", "onnx fp32", "onnx int8")


@dataclass
class Bench:
    """One task's benchmark: its data, metric, and how its records compare."""

    key: str
    task: str
    data: str
    metric: str
    pipeline: str | None
    #: Task options for predict (QA: SQuAD's usual windows).
    options: dict[str, Any]
    agree: Callable[[Any], Any]


BENCHES = {
    "sst2": Bench("sst2", "sentiment", "sst2:dev", "accuracy", "text-classification", {}, lambda r: r.label),
    "ner": Bench("ner", "ner", "conll2003:test", "seqeval", "token-classification", {}, lambda r: frozenset((e.type, e.start, e.end) for e in r.entities)),
    "qa": Bench("qa", "qa", "squad_v1.1:dev", "squad", None, {"max_length": 384, "doc_stride": 128}, lambda r: (r.text, r.start)),
}


def file_bytes(folder: Path, names: list[str]) -> int:
    return sum((folder / n).stat().st_size for n in names if (folder / n).is_file())


def export(model: Path, out: Path, int8: bool) -> dict[str, Any]:
    """Run `nlpkit export` (unless `out` exists) and return the export's checks from its card."""
    if not out.exists():
        cmd = [sys.executable, "-m", "nlpkit", "export", str(model), "--to", "onnx", "--output", str(out)] + (["--int8"] if int8 else [])
        subprocess.run(cmd, check=True)
    card = json.loads((out / "nlpkit.json").read_text())
    if Path(card["exported_from"]["folder"]).resolve() != model.resolve():
        sys.exit(f"{out} was exported from {card['exported_from']['folder']}, not {model}: remove it or use another --work")
    onnx = card["onnx"]
    return {"max_abs_diff": onnx["max_abs_diff"], "agreement": onnx["agreement"]}


def load(variant: str, bench: Bench, model: Path, work: Path) -> Any:
    task = nlpkit.get_task(bench.task)
    if variant == "torch int8":
        return nlpkit.load_model(str(model), task, device="cpu", backend_options={"quantize": "int8"})
    if variant.startswith("onnx"):
        return nlpkit.load_model(str(work / f"{bench.key}-{variant.replace(' ', '-')}"), task)
    return nlpkit.load_model(str(model), task, device="cpu")


def pipeline_entities(example: Any, found: list[dict[str, Any]]) -> Any:
    """The pipeline's entities as an nlpkit record: each widened to the words it overlaps."""
    from nlpkit_ner.records import Entities

    entities = []
    for e in found:
        words = [i for i, (s, t) in enumerate(example.offsets) if s < int(e["end"]) and t > int(e["start"])]
        if words:
            entities.append(example.entity(words[0], words[-1] + 1, e["entity_group"], float(e["score"])))
    return Entities(entities=entities)


def runner(variant: str, bench: Bench, loaded: Any, batch_size: int) -> Callable[[list[Any]], list[Any]]:
    """A function examples → records for `variant`."""
    task = nlpkit.get_task(bench.task)
    if variant != "pipeline":
        return lambda examples: task.predict(loaded, examples, batch_size=batch_size, **bench.options)
    import transformers

    from nlpkit.contracts.tasks import Classification

    if bench.pipeline == "text-classification":
        pipe = transformers.pipeline("text-classification", model=loaded.network, tokenizer=loaded.tokenizer, device="cpu")
        return lambda examples: [Classification(label=out["label"], score=out["score"]) for out in pipe([ex.text for ex in examples], truncation=True)]
    pipe = transformers.pipeline("token-classification", model=loaded.network, tokenizer=loaded.tokenizer, aggregation_strategy="simple", device="cpu")
    return lambda examples: [pipeline_entities(ex, found) for ex, found in zip(examples, pipe([ex.text for ex in examples]))]


def weights_bytes(variant: str, bench: Bench, loaded: Any, model: Path, work: Path) -> int:
    if variant.startswith("onnx"):
        return file_bytes(work / f"{bench.key}-{variant.replace(' ', '-')}", ["model.onnx", "marked.onnx"])
    if variant == "torch int8":  # not a folder format: the quantized state dict as torch saves it
        import torch

        with tempfile.TemporaryDirectory() as tmp:
            torch.save(loaded.network.state_dict(), Path(tmp) / "w.pt")
            return (Path(tmp) / "w.pt").stat().st_size
    return file_bytes(model, ["model.safetensors"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", help="fine-tuned sentiment folder (SST-2)")
    parser.add_argument("--ner-model", help="fine-tuned CoNLL-2003 NER folder")
    parser.add_argument("--qa-model", help="fine-tuned extractive QA folder")
    parser.add_argument("--sst2-limit", type=int, default=None, help="first N SST-2 dev sentences (default: all 872)")
    parser.add_argument("--ner-limit", type=int, default=None, help="first N CoNLL-2003 test sentences (default: all 3,453)")
    parser.add_argument("--qa-limit", type=int, default=500, help="first N SQuAD v1.1 dev questions")
    parser.add_argument("--work", default="runs/onnx-bench", help="where the exports go (reused when present)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load-rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--name", default="onnx")
    parser.add_argument("--note", default="", help="how the CPU was shared (recorded in the json)")
    args = parser.parse_args()
    load_average_start, wall_start = os.getloadavg(), time.perf_counter()
    from nlpkit.api import align_labels, score
    from nlpkit.resolution.data import load_examples
    from nlpkit.resolution.metrics import main_value

    chosen = {key: Path(folder) for key, folder in (("sst2", args.model), ("ner", args.ner_model), ("qa", args.qa_model)) if folder}
    if not chosen:
        parser.error("give at least one of --model, --ner-model, --qa-model")
    limits = {"sst2": args.sst2_limit, "ner": args.ner_limit, "qa": args.qa_limit}
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    checks = {}
    for key, model in chosen.items():
        for precision in ("fp32", "int8"):
            checks[f"{key} onnx {precision}"] = export(model, work / f"{key}-onnx-{precision}", int8=precision == "int8")

    benches = {key: BENCHES[key] for key in chosen}
    variants = {key: [v for v in VARIANTS if v != "pipeline" or BENCHES[key].pipeline] for key in chosen}
    loaded, examples, run = {}, {}, {}
    for key, bench in benches.items():
        task = nlpkit.get_task(bench.task)
        for v in variants[key]:
            loaded[key, v] = loaded[key, "nlpkit fp32"] if v == "pipeline" and (key, "nlpkit fp32") in loaded else load(v if v != "pipeline" else "nlpkit fp32", bench, chosen[key], work)
        examples[key], _ = align_labels(loaded[key, "nlpkit fp32"], load_examples(task, bench.data, data_dir=args.data_dir, limit=limits[key]))
        for v in variants[key]:
            run[key, v] = runner(v, bench, loaded[key, v], args.batch_size)
            run[key, v](examples[key][:8])  # warm-up (first-call allocations, lazy imports)

    seconds: dict[tuple[str, str], list[float]] = {kv: [] for kv in run}
    records: dict[tuple[str, str], list[Any]] = {}
    for r in range(args.rounds):
        for key in benches:
            for v in variants[key]:
                start = time.perf_counter()
                records[key, v] = run[key, v](examples[key])
                seconds[key, v].append(time.perf_counter() - start)
            print(f"round {r + 1} {key}: " + ", ".join(f"{v} {seconds[key, v][-1]:.2f} s" for v in variants[key]), flush=True)

    load_seconds: dict[tuple[str, str], list[float]] = {kv: [] for kv in run if kv[1] != "pipeline"}
    for _ in range(args.load_rounds):
        for key, v in load_seconds:
            start = time.perf_counter()
            load(v, benches[key], chosen[key], work)
            load_seconds[key, v].append(time.perf_counter() - start)

    results = []
    for key, bench in benches.items():
        gold = examples[key]
        base = min(seconds[key, variants[key][0]])
        reference = [bench.agree(rec) for rec in records[key, "nlpkit fp32"]]
        rows = []
        for v in variants[key]:
            best = min(seconds[key, v])
            mine = [bench.agree(rec) for rec in records[key, v]]
            scores = score(bench.task, records[key, v], gold, [bench.metric])[bench.metric]
            row = {
                "variant": v,
                "seconds": best,
                "seconds_rounds": seconds[key, v],
                "inputs_per_second": len(gold) / best,
                f"ratio_to_{variants[key][0].replace(' ', '_')}": base / best,
                "score": main_value(bench.metric, scores),
                "scores": {k: x for k, x in scores.items() if isinstance(x, (int, float))},
                "identical_to_nlpkit_fp32": sum(a == b for a, b in zip(mine, reference)) / len(reference),
                "weights_bytes": weights_bytes(v, bench, loaded[key, v], chosen[key], work),
                "load_seconds": statistics.median(load_seconds[key, v if v != "pipeline" else "nlpkit fp32"]),
            }
            if key == "ner":  # entity-level agreement: entities in both / entities in either
                both = sum(len(a & b) for a, b in zip(mine, reference))
                either = sum(len(a | b) for a, b in zip(mine, reference))
                row["entity_agreement_with_nlpkit_fp32"] = both / either if either else 1.0
            rows.append(row)
        results.append({"task": key, "data": bench.data, "examples": len(gold), "model": str(chosen[key]), "metric": bench.metric, "options": bench.options, "rows": rows})

    meta = {
        "command": "OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "(unset)") + " python " + " ".join(sys.argv),
        "rounds": args.rounds,
        "batch_size": args.batch_size,
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "note": args.note,
        "load_average_start": load_average_start,
        "load_average_end": os.getloadavg(),
        "wall_seconds": time.perf_counter() - wall_start,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "versions": {name: __import__(name).__version__ for name in ("torch", "transformers", "onnxruntime", "onnx")},
        "export_checks": checks,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    print(markdown(results))


def markdown(results: list[dict[str, Any]]) -> str:
    """One table per task."""
    out = []
    for result in results:
        ratio = next(k for k in result["rows"][0] if k.startswith("ratio_to_"))
        extra = " | entities agreeing" if result["task"] == "ner" else ""
        out += [f"**{result['task']}** ({result['data']}, {result['examples']} inputs, `{result['model']}`)", "",
                f"| variant | inputs/s | {ratio.replace('_', ' ')} | {result['metric']} | identical to nlpkit fp32{extra} | weights on disk | load time |",
                "|---|---:|---:|---:|---:|" + ("---:|" if extra else "") + "---:|---:|"]
        top = result["rows"][1 if result["rows"][0]["variant"] == "pipeline" else 0]["score"]
        for row in result["rows"]:
            scale = 100 if result["task"] != "qa" else 1  # accuracy and seqeval F1 are fractions, SQuAD F1 is a percentage
            delta = (row["score"] - top) * scale
            cells = [row["variant"], f"{row['inputs_per_second']:.1f}", f"{row[ratio]:.2f}x", f"{row['score'] * scale:.2f} ({delta:+.2f})", f"{row['identical_to_nlpkit_fp32']:.2%}"]
            if extra:
                cells.append(f"{row['entity_agreement_with_nlpkit_fp32']:.2%}")
            cells += [f"{row['weights_bytes'] / 1e6:.1f} MB", f"{row['load_seconds']:.2f} s"]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
