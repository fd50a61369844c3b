"""Summarization benchmark (issue #6): a MiniLM→MiniLM encoder-decoder (warm-started
BERT2BERT) fine-tuned on SciTLDR-A train, scored on test beside the lead-1 baseline,
both through `nlpkit.evaluate` (the same reader, metric and max-over-references).

    OMP_NUM_THREADS=1 python benchmarks/summarization.py --data-dir ../shared/data [--train-limit 1000]

Writes benchmarks/results/summarization.{json,md}. Sized for ~25 minutes of
training on a shared 2-core CPU.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from seq2seq_common import environment, evaluate, finetune, write

import nlpkit

ROUGE_KEYS = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--train-limit", type=int, default=1000)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--work", default="runs/bench-summarization")
    parser.add_argument("--skip-finetune", action="store_true", help="score lead-1 only")
    args = parser.parse_args()
    results = {"environment": environment()}
    results["lead-1"] = evaluate("summarization", "lead-1", "scitldr_a:test", args.data_dir)
    write("summarization", results, markdown(results))
    if args.skip_finetune:
        return
    model = Path(args.work) / "minilm2minilm"
    config = nlpkit.TrainConfig(epochs=args.epochs, learning_rate=args.lr, batch_size=args.batch_size, max_length=args.max_length, seed=42,
                                save_steps=50, logging_steps=10, progress=False, task_options={"max_target_length": 48})
    results["finetune"] = finetune("summarization", "scitldr_a:train", model, args.data_dir, train_limit=args.train_limit, config=config)
    generation = {"num_beams": 4, "max_new_tokens": 48, "no_repeat_ngram_size": 3, "length_penalty": 1.0}
    results["minilm2minilm"] = evaluate("summarization", model, "scitldr_a:test", args.data_dir, generation, batch_size=16)
    write("summarization", results, markdown(results))


def markdown(results: dict) -> str:
    lines = [
        "# Summarization: SciTLDR-A test (618 abstracts, 1,967 references)",
        "",
        "ROUGE F1 ×100 with Porter stemming, max over each paper's references, averaged over papers "
        "(`nlpkit.metrics.rouge`); length is the mean summary length in words.",
        "",
        "| model | ROUGE-1 | ROUGE-2 | ROUGE-L | ROUGE-Lsum | length | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in ("lead-1", "minilm2minilm"):
        if key in results:
            r = results[key]
            m = r["metrics"]["rouge"]
            lines.append(f"| {key} | " + " | ".join(f"{100 * m[k]:.2f}" for k in ROUGE_KEYS) + f" | {m['length_words']:.1f} | {r['seconds']} |")
    if "finetune" in results:
        ft = results["finetune"]
        s = ft["settings"]
        lines += [
            "",
            f"minilm2minilm: encoder-decoder warm-started from `minilm` (6+6 layers), fine-tuned on the first "
            f"{ft['train_examples']} SciTLDR-A train papers ({s['epochs']} epoch, lr {s['learning_rate']}, batch {s['batch_size']}, "
            f"source truncated to {s['max_length']} tokens, target 48) in {ft['train_seconds']:.0f} s on a shared 2-core CPU; "
            f"decoded with {results['minilm2minilm']['options']}.",
        ]
    lines += [
        "",
        "lead-1 is the registered model `lead-1` (the first sentence of the abstract), scored by the same `nlpkit.evaluate` call. "
        "Reference point: CATTS (BART-large) reports ROUGE-1 43.8 on SciTLDR-A (REFERENCE_RESULTS.md).",
        "",
    ]
    for key in ("lead-1", "minilm2minilm"):
        if key in results:
            lines += [f"Samples ({key}):", ""]
            for s in results[key]["samples"][:2]:
                lines.append(f"- prediction: `{s['prediction']}`\n  reference: `{s['reference']}`")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
