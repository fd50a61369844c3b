"""Harness overhead (issue #3): the harness's measured inference time on SST-2 dev
against a bare `nlpkit.predict` loop on the same model, as a ratio.

    python benchmarks/harness_overhead.py --data-dir ../shared/data \
        --model runs/bench/quickstart/models/sst2-minilm

Rounds are interleaved and the best time of each side is kept (a shared CPU
disturbs whichever side it hits). Writes benchmarks/results/harness_overhead.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import nlpkit
from nlpkit.bench.runner import BenchOptions, measure
from nlpkit.bench.suite import RunSpec

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--model", default="runs/bench/quickstart/models/sst2-minilm")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    task = nlpkit.get_task("sentiment")
    examples = nlpkit.load_examples(task, "sst2:dev", data_dir=args.data_dir)
    model = nlpkit.load_model(args.model, task)
    nlpkit.predict(task, examples[:64], model=model)  # warm-up
    run = RunSpec(name="overhead", task="sentiment", model=args.model, dataset="sst2", split="dev", metrics=["accuracy"], bootstrap=0)
    bare, harness_wall, harness_batches = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        options = BenchOptions(data_dir=args.data_dir, output=Path(tmp), progress=False)
        for _ in range(args.rounds):
            start = time.perf_counter()
            nlpkit.predict(task, examples, model=model, batch_size=32)
            bare.append(time.perf_counter() - start)
            record = measure(run, options, Path(tmp))
            harness_wall.append(record["inference"]["wall_seconds"])
            harness_batches.append(record["inference"]["seconds"])
    result = {
        "examples": len(examples),
        "rounds": args.rounds,
        "bare_predict_seconds": min(bare),
        "harness_wall_seconds": min(harness_wall),
        "harness_timed_batches_seconds": min(harness_batches),
        "ratio_harness_wall_to_bare": min(harness_wall) / min(bare),
        "ratio_harness_reported_to_bare": min(harness_batches) / min(bare),
        "all": {"bare": bare, "harness_wall": harness_wall, "harness_batches": harness_batches},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "harness_overhead.json").write_text(json.dumps(result, indent=2) + "\n")
    md = f"""# Harness overhead (issue #3)

`python benchmarks/harness_overhead.py --data-dir ../shared/data --model {args.model}`
— SST-2 dev ({len(examples)} sentences), fine-tuned MiniLM, batch 32, best of {args.rounds} interleaved rounds.

| measurement | seconds | ratio to bare loop |
|---|---|---|
| bare `nlpkit.predict` loop | {result['bare_predict_seconds']:.3f} | 1.000 |
| harness: wall time of its timed `predict` (with per-batch timing) | {result['harness_wall_seconds']:.3f} | **{result['ratio_harness_wall_to_bare']:.3f}** |
| harness: inference time it reports (sum of batch times) | {result['harness_timed_batches_seconds']:.3f} | {result['ratio_harness_reported_to_bare']:.3f} |

Target ≤ 1.05. The reported time excludes tokenisation outside the batches and all scoring.
"""
    (RESULTS / "harness_overhead.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
