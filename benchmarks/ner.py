"""NER and relation extraction quality (issue #4, benchmarks 1 and 2).

Fine-tune first (commands in benchmarks/results/ner.md), then score the folders:

    python benchmarks/ner.py --data-dir ../shared/data \
        --conll2003 runs/ner-conll2003-minilm --conll04-ner runs/ner-conll04-minilm \
        --conll04-re runs/re-conll04-minilm --semeval runs/re-semeval-minilm

Scores each model folder that exists on its test split: CoNLL-2003 entity F1 with the
per-type table; CoNLL04 NER F1, end-to-end strict relation micro/macro F1 (the relations
folder runs its own NER model) and the same with gold entities; SemEval-2010 Task 8
official macro-F1 with gold entities. Writes benchmarks/results/ner.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import nlpkit

RESULTS = Path(__file__).parent / "results"

#: How the scored folders were fine-tuned (sized to ~25 minutes each on a shared 2-core CPU).
COMMANDS = [
    "# CoNLL-2003: three runs of 400 steps x 32 sentences (2.73 epochs in all), each continuing from the last folder",
    "OMP_NUM_THREADS=1 nlpkit finetune ner --model minilm --train conll2003:train --eval conll2003:test --data-dir ../shared/data -o runs/ner-conll2003-minilm --max-steps 400 --batch-size 32 --lr 1e-4 -O subword_labels=all",
    "OMP_NUM_THREADS=1 nlpkit finetune ner --model runs/ner-conll2003-minilm --train conll2003:train --eval conll2003:test --data-dir ../shared/data -o runs/ner-conll2003-minilm-2 --max-steps 400 --batch-size 32 --lr 5e-5 --seed 43 -O subword_labels=all",
    "OMP_NUM_THREADS=1 nlpkit finetune ner --model runs/ner-conll2003-minilm-2 --train conll2003:train --eval conll2003:test --data-dir ../shared/data -o runs/ner-conll2003-minilm-3 --max-steps 400 --batch-size 32 --lr 3e-5 --seed 44 -O subword_labels=all",
    "OMP_NUM_THREADS=1 nlpkit finetune ner --model minilm --train conll04_entities:train --eval conll04_entities:test --data-dir ../shared/data -o runs/ner-conll04-minilm --epochs 4 --batch-size 16 --lr 1e-4 -O subword_labels=all",
    "OMP_NUM_THREADS=1 nlpkit finetune relations --model minilm --train conll04:train --data-dir ../shared/data -o runs/re-conll04-minilm --epochs 2 --batch-size 32 --max-length 64 --lr 1e-4 -O negative_fraction=0.2 -O ner_model=$PWD/runs/ner-conll04-minilm",
    "# SemEval: 2 epochs on the first 4,000 training sentences, then 1 epoch on all 8,000 continuing from that folder",
    "OMP_NUM_THREADS=1 nlpkit finetune relations --model minilm --train semeval2010_task8:train --train-limit 4000 --data-dir ../shared/data -o runs/re-semeval-minilm --epochs 2 --batch-size 32 --max-length 64 --lr 1e-4",
    "OMP_NUM_THREADS=1 nlpkit finetune relations --model runs/re-semeval-minilm --train semeval2010_task8:train --data-dir ../shared/data -o runs/re-semeval-minilm-2 --epochs 1 --batch-size 32 --max-length 64 --lr 5e-5 --seed 43",
    "OMP_NUM_THREADS=1 python benchmarks/ner.py --data-dir ../shared/data --conll2003 runs/ner-conll2003-minilm-3",
]


def training_of(folder: str) -> dict[str, Any]:
    card = json.loads((Path(folder) / "nlpkit.json").read_text())
    metrics = json.loads((Path(folder) / "metrics.json").read_text())
    t = card.get("training", {})
    return {"base_model": card.get("base_model"), "epochs": t.get("epochs"), "max_steps": t.get("max_steps"), "batch_size": t.get("batch_size"),
            "learning_rate": t.get("learning_rate"), "task_options": t.get("task_options"), "train_examples": metrics["train"].get("examples"),
            "train_seconds": metrics["train"].get("seconds")}


def run(task: str, model: str, data: str, data_dir: str, **kw: Any) -> dict[str, Any]:
    start = time.perf_counter()
    result = nlpkit.evaluate(task, model=model, data=data, data_dir=data_dir, batch_size=64, **kw)
    print(f"{task} {model} {data} {kw}: {time.perf_counter() - start:.0f} s", flush=True)
    return result.metrics


def per_type_table(result: dict[str, Any]) -> list[str]:
    lines = ["| type | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for type_, row in result["per_type"].items():
        lines.append(f"| {type_} | {100 * row['precision']:.2f} | {100 * row['recall']:.2f} | {100 * row['f1']:.2f} | {row['support']} |")
    lines.append(f"| **micro** | {100 * result['precision']:.2f} | {100 * result['recall']:.2f} | **{100 * result['f1']:.2f}** | {result['support']} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--conll2003", default="runs/ner-conll2003-minilm-3")
    parser.add_argument("--conll04-ner", default="runs/ner-conll04-minilm")
    parser.add_argument("--conll04-re", default="runs/re-conll04-minilm")
    parser.add_argument("--conll04-bias", type=float, default=0.4, help="no_relation logit bias, chosen on conll04:dev from 0, 0.4, 0.8, 1.6 (gold entities)")
    parser.add_argument("--semeval", default="runs/re-semeval-minilm-2")
    args = parser.parse_args()
    out: dict[str, Any] = {}
    md = ["# NER and relation extraction quality", "", "Made with (MiniLM = `minilm`, all-MiniLM-L6-v2, uncased, 22M parameters):", "", "```", *COMMANDS, "```", ""]
    if Path(args.conll2003).is_dir():
        both = run("ner", args.conll2003, "conll2003:test", args.data_dir, metrics=["seqeval", "seqeval_strict"])
        scores = both["seqeval"]
        out["conll2003"] = {"model": args.conll2003, "training": training_of(args.conll2003), "test": scores, "test_strict": both["seqeval_strict"]}
        md += ["## CoNLL-2003 `eng.testb` (entity-level, seqeval default mode)", "", f"Model `{args.conll2003}`: {training_of(args.conll2003)}", "", *per_type_table(scores), "",
               f"seqeval strict mode (IOB2) micro F1: {100 * both['seqeval_strict']['f1']:.2f}", ""]
    if Path(args.conll04_ner).is_dir():
        both = run("ner", args.conll04_ner, "conll04_entities:test", args.data_dir, metrics=["seqeval", "seqeval_strict"])
        scores = both["seqeval"]
        out["conll04_ner"] = {"model": args.conll04_ner, "training": training_of(args.conll04_ner), "test": scores, "test_strict": both["seqeval_strict"]}
        md += ["## CoNLL04 test: NER (seqeval default mode)", "", f"Model `{args.conll04_ner}`: {training_of(args.conll04_ner)}", "", *per_type_table(scores), "",
               f"NER macro F1 (over types): {100 * scores['macro_f1']:.2f}; seqeval strict mode micro F1: {100 * both['seqeval_strict']['f1']:.2f}", ""]
    if Path(args.conll04_re).is_dir():
        bias = {"no_relation_bias": args.conll04_bias}
        e2e = run("relations", args.conll04_re, "conll04:test", args.data_dir, metrics=["relation_f1"], options=bias)["relation_f1"]
        gold = run("relations", args.conll04_re, "conll04:test", args.data_dir, metrics=["relation_f1"], options={"entities": "gold", **bias})["relation_f1"]
        out["conll04_relations"] = {"model": args.conll04_re, "training": training_of(args.conll04_re), "end_to_end": e2e, "gold_entities": gold}
        md += ["## CoNLL04 test: relations (strict: both spans, both entity types, relation type)", "", f"Model `{args.conll04_re}`: {training_of(args.conll04_re)}", "",
               f"Predicted with `-O no_relation_bias={args.conll04_bias}` (chosen on conll04:dev with gold entities among 0, 0.4, 0.8, 1.6: dev strict micro F1 44.1, 45.5, 44.4, 27.8).", "",
               "| entities | micro P | micro R | micro F1 | macro F1 |", "|---|---|---|---|---|",
               f"| predicted (end to end, NER model of the folder) | {100 * e2e['precision']:.2f} | {100 * e2e['recall']:.2f} | **{100 * e2e['f1']:.2f}** | **{100 * e2e['macro_f1']:.2f}** |",
               f"| gold | {100 * gold['precision']:.2f} | {100 * gold['recall']:.2f} | {100 * gold['f1']:.2f} | {100 * gold['macro_f1']:.2f} |", "",
               "End-to-end per relation type:", "", *per_type_table(e2e), ""]
    if Path(args.semeval).is_dir():
        scores = run("relations", args.semeval, "semeval2010_task8:test", args.data_dir, metrics=["semeval_f1"], options={"entities": "gold"})["semeval_f1"]
        out["semeval2010_task8"] = {"model": args.semeval, "training": training_of(args.semeval), "test": scores}
        md += ["## SemEval-2010 Task 8 test (official macro-F1: 9 relations, direction counted, Other excluded)", "", f"Model `{args.semeval}`: {training_of(args.semeval)}", "",
               "| relation | precision | recall | F1 | support |", "|---|---|---|---|---|",
               *[f"| {r} | {100 * v['precision']:.2f} | {100 * v['recall']:.2f} | {100 * v['f1']:.2f} | {v['support']} |" for r, v in scores["per_type"].items()],
               f"| **macro** | {100 * scores['precision']:.2f} | {100 * scores['recall']:.2f} | **{100 * scores['f1']:.2f}** | |", "",
               f"19-way accuracy: {100 * scores['accuracy']:.2f}", ""]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ner.json").write_text(json.dumps(out, indent=2) + "\n")
    (RESULTS / "ner.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
