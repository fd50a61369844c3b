"""NER predict speed against `transformers.pipeline("token-classification",
aggregation_strategy="simple")` on the same fine-tuned model (issue #4, benchmark 3).

    python benchmarks/ner_speed.py --data-dir ../shared/data --model runs/ner-conll2003-minilm

Both read the CoNLL-2003 test sentences as raw text (the words joined by spaces),
one timed run each after a short warm-up, on the same number of torch threads.
nlpkit sorts by length and pads per batch; the pipeline runs as people call it
(a list of texts, its default batch size of 1). Entities agree when type and
character span are equal. Writes benchmarks/results/ner_speed.{json,md}
(`ner_speed_Nthreads.*` with `--threads N`).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import nlpkit
from nlpkit.engines.inference import InferenceStats
from nlpkit.resolution.data import load_examples

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--model", default="runs/ner-conll2003-minilm-3")
    parser.add_argument("--limit", type=int, default=None, help="first N test sentences (default: all 3,453)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--aggregation", default="simple", help="the pipeline's aggregation_strategy (simple, first, …)")
    args = parser.parse_args()

    import torch
    import transformers

    torch.set_num_threads(args.threads)
    task = nlpkit.get_task("ner")
    sentences = load_examples(task, "conll2003:test", data_dir=args.data_dir, limit=args.limit)
    texts = [s.text for s in sentences]
    model = nlpkit.load_model(args.model, task)
    pipe = transformers.pipeline("token-classification", model=model.network, tokenizer=model.tokenizer, aggregation_strategy=args.aggregation, device=-1)

    nlpkit.predict(task, texts[:32], model=model, batch_size=args.batch_size)  # warm-up
    pipe(texts[:32])

    stats = InferenceStats()
    start = time.perf_counter()
    ours = nlpkit.predict(task, texts, model=model, batch_size=args.batch_size, stats=stats)
    ours_seconds = time.perf_counter() - start

    start = time.perf_counter()
    theirs = pipe(texts)
    pipe_seconds = time.perf_counter() - start

    same_sentences = 0
    both = only_ours = only_pipe = 0
    for mine, other in zip(ours, theirs):
        a = {(e.type, e.start, e.end) for e in mine.entities}
        b = {(e["entity_group"], int(e["start"]), int(e["end"])) for e in other}
        same_sentences += a == b
        both += len(a & b)
        only_ours += len(a - b)
        only_pipe += len(b - a)
    result = {
        "model": args.model,
        "sentences": len(texts),
        "words": sum(len(s.tokens) for s in sentences),
        "threads": args.threads,
        "nlpkit_batch_size": args.batch_size,
        "nlpkit_seconds": ours_seconds,
        "nlpkit_model_seconds": stats.seconds,
        "pipeline_seconds": pipe_seconds,
        "nlpkit_sentences_per_second": len(texts) / ours_seconds,
        "pipeline_sentences_per_second": len(texts) / pipe_seconds,
        "speedup": pipe_seconds / ours_seconds,
        "identical_sentences_percent": 100 * same_sentences / len(texts),
        "entity_agreement_percent": 100 * both / (both + only_ours + only_pipe) if both + only_ours + only_pipe else 100.0,
        "entities_both": both, "entities_only_nlpkit": only_ours, "entities_only_pipeline": only_pipe,
        "python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
    }
    RESULTS.mkdir(exist_ok=True)
    name = "ner_speed" if args.threads == 1 else f"ner_speed_{args.threads}threads"
    if args.aggregation != "simple":
        name += f"_{args.aggregation}"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# NER predict speed: nlpkit vs transformers pipeline (aggregation_strategy={args.aggregation})",
        "",
        f"Model `{args.model}`, CoNLL-2003 `eng.testb`: {len(texts)} sentences as raw text, {args.threads} torch thread(s), one timed run each after warm-up.",
        "",
        "| | seconds | sentences/s |",
        "|---|---|---|",
        f"| nlpkit `predict` (batch {args.batch_size}, length-sorted) | {ours_seconds:.1f} | {result['nlpkit_sentences_per_second']:.1f} |",
        f"| `transformers.pipeline` (default batch size 1) | {pipe_seconds:.1f} | {result['pipeline_sentences_per_second']:.1f} |",
        "",
        f"**Speed-up: {result['speedup']:.2f}×.** Identical entity sets (type + character span) in {result['identical_sentences_percent']:.2f}% of sentences; "
        f"entity agreement {result['entity_agreement_percent']:.2f}% ({both} in both, {only_ours} only nlpkit, {only_pipe} only pipeline).",
        "",
        "The machine was shared with other jobs, so absolute times are noisy; both ran back to back under the same load.",
        "",
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
