"""Benchmark 1 of nlpkit-qa: MiniLM fine-tuned on SQuADShifts Amazon + Reddit,
scored (EM / F1) on the first N questions of SQuAD v1.1 dev.

SQuAD v1.1 train is not in the local mirror; SQuADShifts Amazon + Reddit (19,688
questions) is the only SQuAD-format training data there, so expect scores far
below SQuAD-trained models (DistilBERT: 77.7 / 85.8 on the full dev set).

    OMP_NUM_THREADS=1 python benchmarks/qa_finetune.py --data-dir ../shared/data
    # score an already fine-tuned folder only:
    python benchmarks/qa_finetune.py --data-dir ../shared/data --output runs/qa-minilm-squadshifts --skip-train

Writes benchmarks/results/qa_finetune.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from pathlib import Path

import nlpkit
from nlpkit.engines.training import TrainConfig

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--output", default="runs/qa-minilm-squadshifts-190")
    parser.add_argument("--skip-train", action="store_true", help="score the existing --output folder")
    parser.add_argument("--max-steps", type=int, default=190, help="sized from a timing run to fit ~25 min on a shared 2-core CPU")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--doc-stride", type=int, default=64)
    parser.add_argument("--eval-limit", type=int, default=2000)
    parser.add_argument("--save-steps", type=int, default=500, help="checkpoint every N steps (a re-run resumes from the last one)")
    args = parser.parse_args()

    output = Path(args.output)
    if not args.skip_train:
        config = TrainConfig(max_steps=args.max_steps, batch_size=args.batch_size, learning_rate=args.lr, max_length=args.max_length, seed=42, save_steps=args.save_steps, task_options={"doc_stride": args.doc_stride})
        nlpkit.finetune("qa", model=args.model, train="squadshifts_amazon_reddit:train", output=output, data_dir=args.data_dir, config=config, overwrite=True)
    card = json.loads((output / "nlpkit.json").read_text(encoding="utf-8"))
    train = json.loads((output / "metrics.json").read_text(encoding="utf-8"))["train"]

    start = time.perf_counter()
    evaluation = nlpkit.evaluate("qa", model=str(output), data="squad_v1.1:dev", data_dir=args.data_dir, limit=args.eval_limit, batch_size=32)
    seconds = time.perf_counter() - start
    result = {
        "benchmark": "qa fine-tuning: MiniLM on SQuADShifts Amazon + Reddit, scored on SQuAD v1.1 dev",
        "model": args.model,
        "output": str(output),
        "training": {**card.get("training", {}), "seconds": train.get("seconds"), "train_loss": train.get("train_loss"), "epoch": train.get("epoch"), "examples": train.get("examples")},
        "eval": {"data": "squad_v1.1:dev", "questions": len(evaluation.examples), "seconds": seconds, **evaluation.metrics["squad"]},
        "reference": {"DistilBERT (SQuAD v1.1 train), full dev": {"exact_match": 77.7, "f1": 85.8}},
        "machine": {"platform": platform.platform(), "cpus": _cpus(), "note": "CPU shared with other jobs; OMP_NUM_THREADS=1"},
        "git": _git_revision(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "qa_finetune.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "qa_finetune.md").write_text(_markdown(result), encoding="utf-8")
    print(json.dumps(result["eval"], indent=2))


def _markdown(r: dict) -> str:
    t, e = r["training"], r["eval"]
    return "\n".join([
        "# QA fine-tuning: MiniLM on SQuADShifts → SQuAD v1.1 dev",
        "",
        f"Model `{r['model']}` fine-tuned with `nlpkit finetune qa` on `squadshifts_amazon_reddit:train` "
        f"(Amazon + Reddit, {t.get('examples')} questions) for {t.get('max_steps')} steps × batch {t.get('batch_size')} "
        f"(lr {t.get('learning_rate')}, max length {t.get('max_length')}, doc stride {t.get('task_options', {}).get('doc_stride')}; "
        f"{t.get('epoch', 0):.3f} epochs of windows) in {t.get('seconds', 0) / 60:.1f} min on a shared 2-core CPU; mean training loss {t.get('train_loss', 0):.3f}.",
        "",
        "| data | questions | exact match | F1 |",
        "|---|---|---|---|",
        f"| SQuAD v1.1 dev (first {e['questions']}) | {e['questions']} | {e['exact_match']:.1f} | {e['f1']:.1f} |",
        "| reference: DistilBERT trained on SQuAD v1.1 train, full dev | 10,570 | 77.7 | 85.8 |",
        "",
        "The training data is out of domain (product reviews, Reddit comments) and a small fraction of an epoch;"
        " SQuAD train is not available here. Evaluation: max length 384, doc stride 128, max answer length 30,"
        f" {e['seconds']:.0f} s for {e['questions']} questions. Git revision `{r['git']}`.",
        "",
    ])


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _git_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
