"""Generation speed (issue #6): nlpkit's batched, length-sorted generation against a
per-example ``generate`` loop, same model, same 500 inputs, greedy; one run each.

    OMP_NUM_THREADS=1 python benchmarks/generation_speed.py --data-dir ../shared/data \
        [--model runs/bench-translation/minilm2minilm]

Reports the speed ratio and the share of inputs whose batched output equals the
loop's output exactly. Writes benchmarks/results/generation_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from seq2seq_common import environment, write

import nlpkit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--model", default="runs/bench-translation/minilm2minilm")
    parser.add_argument("--data", default="multi30k:test_2016_flickr")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    args = parser.parse_args()
    import torch

    task = nlpkit.get_task("translation")
    model = nlpkit.load_model(args.model if Path(args.model).exists() else "minilm", task)
    inputs = nlpkit.load_examples(task, args.data, data_dir=args.data_dir, limit=args.n)
    texts = [ex.text for ex in inputs]
    network, tokenizer = model.network, model.tokenizer
    network.eval()
    nlpkit.predict(task, inputs[:8], model=model, batch_size=8, options={"max_new_tokens": args.max_new_tokens})  # warm-up

    print(f"per-example generate loop over {len(texts)} inputs…", flush=True)
    start = time.perf_counter()
    loop = []
    with torch.inference_mode():
        for text in texts:
            encoded = tokenizer(text, return_tensors="pt", truncation=True, max_length=model.max_length)
            out = network.generate(**encoded, max_new_tokens=args.max_new_tokens, num_beams=1, do_sample=False)
            loop.append(tokenizer.decode(out[0], skip_special_tokens=True).strip())
    loop_seconds = time.perf_counter() - start

    print(f"batched nlpkit.predict (batch size {args.batch_size})…", flush=True)
    stats = nlpkit.InferenceStats()
    start = time.perf_counter()
    batched = nlpkit.predict(task, inputs, model=model, batch_size=args.batch_size, stats=stats, options={"max_new_tokens": args.max_new_tokens, "num_beams": 1})
    batched_seconds = time.perf_counter() - start

    same = sum(a == b.text for a, b in zip(loop, batched))
    results = {
        "environment": environment(), "model": str(model.source), "data": args.data, "inputs": len(texts),
        "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
        "loop_seconds": round(loop_seconds, 2), "batched_seconds": round(batched_seconds, 2),
        "speedup": round(loop_seconds / batched_seconds, 2), "identical_outputs": same, "identical_share": same / len(texts),
        "differences": [{"input": t, "loop": a, "batched": b.text} for t, a, b in zip(texts, loop, batched) if a != b.text][:5],
    }
    print(results, flush=True)
    write("generation_speed", results, markdown(results))


def markdown(r: dict) -> str:
    env = r["environment"]
    return "\n".join([
        "# Generation speed: batched vs a per-example `generate` loop",
        "",
        f"Model `{r['model']}` (MiniLM→MiniLM encoder-decoder fine-tuned on Multi30k en→de), {r['inputs']} inputs from `{r['data']}`, "
        f"greedy, at most {r['max_new_tokens']} new tokens, one run each, {env['threads']} torch thread(s) on a shared {env['cpus']}-core CPU.",
        "",
        "| method | seconds | inputs/s |",
        "|---|---|---|",
        f"| per-example `network.generate` loop | {r['loop_seconds']} | {r['inputs'] / r['loop_seconds']:.1f} |",
        f"| `nlpkit.predict` batched (batch {r['batch_size']}, length-sorted) | {r['batched_seconds']} | {r['inputs'] / r['batched_seconds']:.1f} |",
        "",
        f"Speed-up: **{r['speedup']}×**. Batched outputs identical to the loop's on {r['identical_outputs']}/{r['inputs']} inputs "
        f"({100 * r['identical_share']:.1f}%).",
        "",
    ])


if __name__ == "__main__":
    main()
