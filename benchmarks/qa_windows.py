"""How many training windows each window length / overlap gives on SQuADShifts Amazon and Reddit
(MiniLM's tokenizer), how many of them hold the answer, and how many tokens they cost; and the
context lengths of SQuAD v1.1 dev[:2000]. Tokenizer only: no model runs.

    OMP_NUM_THREADS=1 python benchmarks/qa_windows.py --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

SETTINGS = ((384, 128), (256, 128), (256, 64), (192, 64), (192, 96), (128, 48))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from nlpkit.plugins.builtins import minilm_source
    from nlpkit_qa.features import training_features
    from nlpkit_qa.readers import read_qa_file

    tokenizer = AutoTokenizer.from_pretrained(minilm_source())
    qa = Path(args.data_dir) / "qa"
    sets = {
        "SQuADShifts Amazon": read_qa_file(qa / "squadshifts_amazon_reddit" / "amazon_reviews_v1.0.json"),
        "SQuADShifts Reddit": read_qa_file(qa / "squadshifts_amazon_reddit" / "reddit_v1.0.json"),
        "SQuAD v1.1 dev[:2000]": read_qa_file(qa / "squad_v1.1" / "dev-v1.1.json")[:2000],
    }
    for name, examples in sets.items():
        lengths: dict[str, int] = {}
        for example in examples:
            lengths.setdefault(example.context or "", len(tokenizer(example.context, add_special_tokens=False)["input_ids"]))
        per_question = [lengths[example.context or ""] for example in examples]
        deciles = [int(x) for x in statistics.quantiles(per_question, n=10)]
        print(f"{name}: {len(examples)} questions, {len(lengths)} contexts; context tokens mean {statistics.mean(per_question):.0f}, deciles {deciles}")
        if name.startswith("SQuAD v1.1"):
            continue
        print("  | max length | overlap | windows | per question | holding the answer | tokens (all) | tokens (answer windows) |")
        for max_length, stride in SETTINGS:
            features = training_features(examples, tokenizer, max_length, doc_stride=stride)
            answer = [f for f in features if f["start_positions"] != 0]
            tokens = sum(len(f["input_ids"]) for f in features)
            answer_tokens = sum(len(f["input_ids"]) for f in answer)
            print(f"  | {max_length} | {stride} | {len(features)} | {len(features) / len(examples):.2f} | {len(answer)} ({len(answer) / len(features):.0%}) | {tokens / 1e6:.2f}M | {answer_tokens / 1e6:.2f}M |")


if __name__ == "__main__":
    main()
