"""Scaling evidence (issue 14): streaming predict, torchrun fine-tune, suites on Ray.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/scaling.py --data-dir /work/shared/data \
        --parts predict,torchrun,ray --out benchmarks/results/scaling.json

predict: a TF-IDF model fine-tuned on SST-2 train; synthetic input lines (random words, made
here) of 10k/100k/1M lines, each predicted in a fresh process (peak RSS from wait4); then a
100k-line run SIGKILLed at ~50% and resumed, compared byte for byte with an uninterrupted one.
torchrun: a tiny BERT (nlpkit.testing) fine-tuned on 2,000 SST-2 sentences for 40 steps with
1 process (batch 8) and 2 processes (batch 4 each: the same examples per step).
ray: a two-run TF-IDF suite serially and with `--executor ray` on a local 2-CPU instance.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NLPKIT = [sys.executable, "-m", "nlpkit"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
WORDS = "good bad film movie plot actor boring great awful fun dull brilliant story scene the a and but not very".split()


def run_measured(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of `cmd` in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def lines_file(path: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(" ".join(rng.choices(WORDS, k=rng.randint(4, 14))) + "\n")
    return path


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


def part_predict(work: Path, data_dir: str, sizes: list[int]) -> dict:
    model = work / "tfidf"
    subprocess.run([*NLPKIT, "finetune", "sentiment", "-m", "tfidf-logreg", "--train", "sst2:train", "--data-dir", data_dir, "-o", str(model)], env=ENV, check=True, capture_output=True)
    rows = []
    for n in sizes:
        src = lines_file(work / f"in{n}.txt", n)
        out = work / f"out{n}.jsonl"
        wall, rss, code = run_measured([*NLPKIT, "predict", "sentiment", "-m", str(model), "--input", str(src), "--output", str(out)])
        rows.append({"lines": n, "seconds": wall, "lines_per_second": n / wall, "peak_rss_mib": rss, "exit": code, "output_lines": count_lines(out)})
        print(rows[-1], flush=True)
    # kill at ~50%, resume, compare
    n = 100_000
    src = work / f"in{n}.txt"
    reference = work / f"out{n}.jsonl"
    out = work / "killed.jsonl"
    cmd = [*NLPKIT, "predict", "sentiment", "-m", str(model), "--input", str(src), "--output", str(out)]
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and (not out.exists() or count_lines(out) < n // 2):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    at_kill = count_lines(out)
    resumed = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    kill = {"lines": n, "lines_at_kill": at_kill, "resume_exit": resumed.returncode, "resume_message": resumed.stderr.strip().splitlines()[-1:], "output_lines": count_lines(out), "byte_identical_to_uninterrupted": out.read_bytes() == reference.read_bytes()}
    print(kill, flush=True)
    return {"runs": rows, "kill_resume": kill}


def part_torchrun(work: Path, data_dir: str) -> dict:
    from nlpkit.testing import SENTIMENT_FIXTURE, tiny_bert

    model = tiny_bert(work / "tiny", [t for t, _ in SENTIMENT_FIXTURE], head="sequence-classification", labels=["negative", "positive"])
    rows = []
    for procs, batch in ((1, 8), (2, 4)):
        out = work / f"ft{procs}"
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(procs), "--master-port", str(29500 + procs), "-m", "nlpkit", "finetune", "sentiment",
               "-m", str(model), "--train", "sst2:train", "--train-limit", "2000", "--eval", "sst2:dev", "--eval-limit", "400", "--data-dir", data_dir,
               "--max-steps", "40", "--batch-size", str(batch), "--lr", "1e-3", "--max-length", "64", "-o", str(out)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
        wall = time.perf_counter() - start
        metrics = json.loads((out / "metrics.json").read_text()) if (out / "metrics.json").exists() else {}
        rows.append({
            "processes": procs, "batch_per_process": batch, "exit": proc.returncode, "seconds": wall,
            "train_loss": metrics.get("train", {}).get("train_loss"), "dev_accuracy": metrics.get("eval", {}).get("accuracy", {}).get("accuracy"),
            "recorded_processes": metrics.get("train", {}).get("processes"), "saved_lines": proc.stderr.count(f"saved {out}"),
            "folders": sorted(p.name for p in work.iterdir() if p.name.startswith(f"ft{procs}")),
        })
        print(rows[-1], flush=True)
        if proc.returncode:
            print(proc.stderr[-3000:])
    return {"runs": rows}


SUITE = """
[suite]
name = "scaling-demo"
seed = 42
bootstrap = 200

[[runs]]
name = "tfidf-all"
task = "sentiment"
model = "tfidf-logreg"
dataset = "sst2"
split = "dev"
metrics = ["accuracy", "f1"]
[runs.finetune]
split = "train"

[[runs]]
name = "tfidf-2000"
task = "sentiment"
model = "tfidf-logreg"
dataset = "sst2"
split = "dev"
metrics = ["accuracy", "f1"]
[runs.finetune]
split = "train"
limit = 2000
"""


def part_ray(work: Path, data_dir: str) -> dict:
    suite = work / "suite.toml"
    suite.write_text(SUITE, encoding="utf-8")
    rows, docs = [], {}
    for executor in ("serial", "ray"):
        out = work / f"bench-{executor}"
        start = time.perf_counter()
        proc = subprocess.run([*NLPKIT, "bench", str(suite), "--data-dir", data_dir, "-o", str(out), "--executor", executor], env={**ENV, "RAY_ADDRESS": ""}, capture_output=True, text=True)
        wall = time.perf_counter() - start
        docs[executor] = json.loads((out / "results.json").read_text())
        rows.append({"executor": executor, "exit": proc.returncode, "seconds": wall, "scores": {r["name"]: {k: v["value"] for k, v in r["scores"].items()} for r in docs[executor]["runs"]}})
        print(rows[-1], flush=True)
    same = rows[0]["scores"] == rows[1]["scores"]
    return {"runs": rows, "identical_scores": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--parts", default="predict,torchrun,ray")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/scaling.json"))
    args = parser.parse_args()
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    with tempfile.TemporaryDirectory(prefix="nlpkit-scaling-") as tmp:
        work = Path(tmp)
        for part in args.parts.split(","):
            if part == "predict":
                results["predict"] = part_predict(work, args.data_dir, [int(s) for s in args.sizes.split(",")])
            elif part == "torchrun":
                results["torchrun"] = part_torchrun(work, args.data_dir)
            elif part == "ray":
                results["ray"] = part_ray(work, args.data_dir)
            args.out.write_text(json.dumps(results, indent=2) + "\n")
    results["note"] = "shared CPU (2 cores, other agents running)"
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
