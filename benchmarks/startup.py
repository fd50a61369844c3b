"""Wall time of `nlpkit --help`, `nlpkit plugins` and a TF-IDF `nlpkit evaluate`, before and after.

Each command runs in a fresh process, alternating between the two code trees round
by round (interleaved, so load on a shared CPU hits both alike); each side keeps its
best of N. "Before" is a checkout of an older commit put first on PYTHONPATH (core
and plugin packages), run with this venv's interpreter; each side scores a TF-IDF
model it trained itself on the same tiny TSV.

    git worktree add /tmp/nlpkit-before-pkg d56ccfc
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/startup.py /tmp/nlpkit-before-pkg --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS = [("positive", "a lovely warm film"), ("negative", "a dull and tedious plot"), ("positive", "great acting and a fine story"), ("negative", "boring, awful, too long")] * 5


def tree_env(tree: Path) -> dict[str, str]:
    paths = [str(tree)] + [str(p) for p in sorted((tree / "plugins").glob("*")) if p.is_dir()]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def nlpkit(tree: Path, *args: str, cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run `nlpkit ARGS` from `tree`: wall seconds, CPU seconds (user+sys of the child), result."""
    code = "import sys; from nlpkit.cli import main; sys.argv = ['nlpkit', *sys.argv[1:]]; main()"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=tree_env(tree), capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: nlpkit {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds, cpu, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="checkout of the old commit")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "startup.json")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": ROOT}
    work = Path(tempfile.mkdtemp(prefix="nlpkit-startup-"))
    data = work / "reviews.tsv"
    data.write_text("text\tlabel\n" + "".join(f"{text}\t{label}\n" for label, text in ROWS), encoding="utf-8")
    for side, tree in trees.items():
        nlpkit(tree, "finetune", "sentiment", "--model", "tfidf-logreg", "--train", str(data), "--output", str(work / f"tfidf-{side}"), cwd=work)
    commands = {
        "nlpkit --help": lambda side: ["--help"],
        "nlpkit plugins": lambda side: ["plugins"],
        "nlpkit evaluate (TF-IDF, 20 examples)": lambda side: ["evaluate", "sentiment", "--model", str(work / f"tfidf-{side}"), "--data", str(data)],
    }
    times: dict[str, dict[str, list[float]]] = {name: {side: [] for side in trees} for name in commands}
    cpu_times: dict[str, dict[str, list[float]]] = {name: {side: [] for side in trees} for name in commands}
    for _ in range(args.rounds):
        for name, make in commands.items():
            for side, tree in trees.items():
                seconds, cpu, _ = nlpkit(tree, *make(side), cwd=work)
                times[name][side].append(seconds)
                cpu_times[name][side].append(cpu)
    result = {
        "rounds": args.rounds,
        "before": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=trees["before"], capture_output=True, text=True).stdout.strip(),
        "after": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "cpu_count": os.cpu_count(),
        "best_seconds": {name: {side: min(values) for side, values in sides.items()} for name, sides in times.items()},
        "best_cpu_seconds": {name: {side: min(values) for side, values in sides.items()} for name, sides in cpu_times.items()},
        "all_seconds": times,
        "all_cpu_seconds": cpu_times,
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name, best in result["best_seconds"].items():
        cpu = result["best_cpu_seconds"][name]
        print(f"{name}: wall before {best['before']:.2f} s, after {best['after']:.2f} s ({best['before'] / best['after']:.1f}x); "
              f"CPU before {cpu['before']:.2f} s, after {cpu['after']:.2f} s")


if __name__ == "__main__":
    main()
