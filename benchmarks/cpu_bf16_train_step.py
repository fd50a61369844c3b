"""Time one MiniLM QA training step (forward, backward, AdamW) in fp32 and under bf16 autocast on
the CPU, in interleaved rounds, to size bf16 fine-tuning (`--precision bf16` on a CPU with
AVX512-BF16/AMX). Random token ids: the cost does not depend on the text.

    OMP_NUM_THREADS=1 python benchmarks/cpu_bf16_train_step.py --lengths 160 112 --rounds 2
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[160, 112], help="window lengths in tokens")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForQuestionAnswering

    from nlpkit.plugins.builtins import minilm_source

    torch.manual_seed(0)
    model = AutoModelForQuestionAnswering.from_pretrained(minilm_source())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)

    def step(length: int, bf16: bool) -> float:
        ids = torch.randint(1000, 20000, (args.batch_size, length))
        positions = torch.randint(0, length, (args.batch_size,))
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model(input_ids=ids, attention_mask=torch.ones_like(ids), start_positions=positions, end_positions=positions)
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return time.perf_counter() - start

    for length in args.lengths:
        step(length, False), step(length, True)  # warm-up: allocation, kernel choice
        for r in range(args.rounds):
            fp32, bf16 = step(length, False), step(length, True)
            print(f"length {length} round {r}: fp32 {fp32:.2f} s, bf16 {bf16:.2f} s, ratio {fp32 / bf16:.2f}", flush=True)


if __name__ == "__main__":
    main()
