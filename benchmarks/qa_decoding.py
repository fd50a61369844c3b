"""Benchmarks 2 and 3 of nlpkit-qa: decoding correctness and batching speed.

2. Correctness: on the first N SQuAD v1.1 dev questions, nlpkit's answers against
   a straightforward reference written here, independently of the plugin: the
   tokenizer's own overflowing windows (``return_overflowing_tokens``, ``stride``),
   one forward pass per question, and a brute-force search for the maximum
   ``start_logit + end_logit`` over every context-token pair ``i ≤ j < i + 30`` of
   every window. Agreement = same character span (and same text).
3. Speed: questions/s of nlpkit's batched `predict` on SQuAD dev questions (many
   per context) against a per-question loop calling the same `predict` with one
   question at a time (same model, same decoding): the gain from batching.

    OMP_NUM_THREADS=1 python benchmarks/qa_decoding.py --data-dir ../shared/data --model runs/qa-minilm-squadshifts

Writes benchmarks/results/qa_decoding.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

import nlpkit
from nlpkit.resolution.data import load_examples

RESULTS = Path(__file__).parent / "results"
MAX_LENGTH, DOC_STRIDE, MAX_ANSWER_LENGTH = 384, 128, 30


def reference_answer(model: Any, question: str, context: str) -> tuple[int, int, str, float]:
    """Brute force: best start+end logit over all windows (the tokenizer's own windowing)."""
    tokenizer = model.tokenizer
    enc = tokenizer(question, context, truncation="only_second", max_length=MAX_LENGTH, stride=DOC_STRIDE, return_overflowing_tokens=True, return_offsets_mapping=True, padding=True, return_tensors="pt")
    inputs = {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc}
    with torch.inference_mode():
        out = model.network(**inputs)
    best = (-np.inf, 0, 0)
    for w in range(enc["input_ids"].shape[0]):
        starts = out.start_logits[w].numpy()
        ends = out.end_logits[w].numpy()
        sequence_ids = enc.sequence_ids(w)
        offsets = enc["offset_mapping"][w].tolist()
        context_tokens = [i for i, s in enumerate(sequence_ids) if s == 1]
        is_context = set(context_tokens)
        for i in context_tokens:
            for j in range(i, min(i + MAX_ANSWER_LENGTH, len(sequence_ids))):
                if j in is_context:
                    score = float(starts[i] + ends[j])
                    if score > best[0]:
                        best = (score, offsets[i][0], offsets[j][1])
    score, start, end = best
    return start, end, context[start:end], score


def correctness(model: Any, examples: list[Any], batch_size: int) -> dict[str, Any]:
    answers = nlpkit.predict("qa", examples, model=model, batch_size=batch_size, options={"max_length": MAX_LENGTH, "doc_stride": DOC_STRIDE, "max_answer_length": MAX_ANSWER_LENGTH})
    same_span = same_text = 0
    disagreements = []
    for example, answer in zip(examples, answers):
        start, end, text, score = reference_answer(model, example.question, example.context)
        same_span += (answer.start, answer.end) == (start, end)
        same_text += answer.text.strip() == text.strip()
        if answer.text.strip() != text.strip():
            disagreements.append({"id": example.id, "nlpkit": answer.text, "reference": text, "reference_score": score})
    n = len(examples)
    return {"questions": n, "windows_per_question": _windows_per_question(model, examples), "same_span": same_span, "same_text": same_text, "agreement_span": same_span / n, "agreement_text": same_text / n, "disagreements": disagreements}


def speed(model: Any, examples: list[Any], batch_size: int) -> dict[str, Any]:
    options = {"max_length": MAX_LENGTH, "doc_stride": DOC_STRIDE}
    nlpkit.predict("qa", examples[:8], model=model, batch_size=batch_size, options=options)  # warm-up
    start = time.perf_counter()
    batched = nlpkit.predict("qa", examples, model=model, batch_size=batch_size, options=options)
    batched_seconds = time.perf_counter() - start
    start = time.perf_counter()
    looped = [nlpkit.predict("qa", [ex], model=model, batch_size=batch_size, options=options)[0] for ex in examples]
    loop_seconds = time.perf_counter() - start
    same = sum((a.start, a.end) == (b.start, b.end) for a, b in zip(batched, looped))
    n = len(examples)
    return {
        "questions": n,
        "contexts": len({ex.context for ex in examples}),
        "batch_size": batch_size,
        "batched_seconds": batched_seconds,
        "loop_seconds": loop_seconds,
        "batched_questions_per_second": n / batched_seconds,
        "loop_questions_per_second": n / loop_seconds,
        "speedup": loop_seconds / batched_seconds,
        "same_answers": same,
    }


def main() -> None:
    global MAX_LENGTH, DOC_STRIDE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--model", default="runs/qa-minilm-squadshifts-190", help="a QA model folder (default: benchmark 1's output)")
    parser.add_argument("--correctness", type=int, default=200)
    parser.add_argument("--speed", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=MAX_LENGTH, help="lower it (e.g. 128) to make most contexts span several windows")
    parser.add_argument("--doc-stride", type=int, default=DOC_STRIDE)
    parser.add_argument("--name", default="qa_decoding", help="results file name under benchmarks/results/")
    args = parser.parse_args()
    MAX_LENGTH, DOC_STRIDE = args.max_length, args.doc_stride

    task = nlpkit.get_task("qa")
    examples = load_examples(task, "squad_v1.1:dev", data_dir=args.data_dir, limit=max(args.correctness, args.speed))
    model = nlpkit.load_model(args.model, task)
    result = {
        "model": args.model,
        "torch_threads": torch.get_num_threads(),
        "correctness": correctness(model, examples[: args.correctness], args.batch_size),
        "speed": speed(model, examples[: args.speed], args.batch_size) if args.speed else None,
        "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / f"{args.name}.md").write_text(_markdown(result), encoding="utf-8")
    print(json.dumps({k: v for k, v in result["correctness"].items() if k != "disagreements"} | {"speed": result["speed"]}, indent=2))


def _windows_per_question(model: Any, examples: list[Any]) -> float:
    from nlpkit.engines.heads.spans import build_windows

    windows = build_windows(model.tokenizer, [ex.question for ex in examples], [ex.context for ex in examples], max_length=MAX_LENGTH, doc_stride=DOC_STRIDE)
    return len(windows) / len(examples)


def _markdown(r: dict[str, Any]) -> str:
    c, s = r["correctness"], r["speed"]
    lines = [
        "# QA decoding: correctness against a reference decoder, and batching speed",
        "",
        f"Model `{r['model']}`; max length {MAX_LENGTH}, doc stride {DOC_STRIDE}, max answer length {MAX_ANSWER_LENGTH}; {r['torch_threads']} torch thread(s) on a CPU shared with other jobs. Git revision `{r['git']}`.",
        "",
        "## Correctness (first SQuAD v1.1 dev questions)",
        "",
        "Reference: the tokenizer's own overflowing windows, one forward pass per question, brute-force maximum start+end logit over all windows.",
        "",
        "| questions | windows per question | same character span | same text |",
        "|---|---|---|---|",
        f"| {c['questions']} | {c['windows_per_question']:.2f} | {c['same_span']} ({100 * c['agreement_span']:.1f}%) | {c['same_text']} ({100 * c['agreement_text']:.1f}%) |",
        "",
    ]
    if c["disagreements"]:
        lines += ["Disagreements:", ""] + [f"- `{d['id']}`: nlpkit {d['nlpkit']!r}, reference {d['reference']!r}" for d in c["disagreements"]] + [""]
    if s is None:
        return "\n".join(lines)
    lines += [
        "## Speed (one run)",
        "",
        f"{s['questions']} SQuAD v1.1 dev questions on {s['contexts']} contexts.",
        "",
        "| mode | seconds | questions/s |",
        "|---|---|---|",
        f"| nlpkit `predict`, all questions at once (batch {s['batch_size']} windows) | {s['batched_seconds']:.1f} | {s['batched_questions_per_second']:.2f} |",
        f"| per-question loop (`predict` on one question at a time) | {s['loop_seconds']:.1f} | {s['loop_questions_per_second']:.2f} |",
        "",
        f"Speed-up from batching: **{s['speedup']:.2f}×** (same answers in {s['same_answers']}/{s['questions']}).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
