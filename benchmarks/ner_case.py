"""What an uncased model costs on CoNLL-2003: errors broken down by capitalisation.

Reads the predictions a `nlpkit bench` run wrote (``predictions/<run>.jsonl``) next to
the gold sentences and prints Markdown tables (and writes JSON with --json):

- per-type precision / recall / F1 (entity level, as conlleval reads valid IOB2);
- all-caps sentences (headlines such as ``SOCCER - JAPAN GET LUCKY WIN``) vs the rest:
  a cased model sees a different input there, an uncased one the same;
- gold entities with a word that also occurs written in lower case in the training
  data, tagged ``O`` (``bush``, ``rugby``, ``union``: the capital letter is the cue a
  cased model has and an uncased one lacks) vs entities without such a word;
- predicted entities whose text starts with a lower-case letter (a cased model rarely
  predicts those; gold CoNLL-2003 has few).

    OMP_NUM_THREADS=1 python benchmarks/ner_case.py --data-dir ../shared/data \\
        --predictions runs/bench/ner-conll2003/predictions/conll2003-test-minilm.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

Span = tuple[int, int, int, str]  # sentence, start word, end word, type


def spans(tags: list[str], sentence: int) -> set[Span]:
    from nlpkit_ner.tags import decode_spans

    return {(sentence, s, e, t) for s, e, t in decode_spans(tags)}


def predicted_spans(record: dict[str, Any], offsets: list[tuple[int, int]], sentence: int) -> set[Span]:
    starts = {s: i for i, (s, _) in enumerate(offsets)}
    ends = {e: i + 1 for i, (_, e) in enumerate(offsets)}
    return {(sentence, starts[x["start"]], ends[x["end"]], x["type"]) for x in record["entities"]}


def prf(gold: set[Span], predicted: set[Span]) -> dict[str, float]:
    correct = len(gold & predicted)
    p = correct / len(predicted) if predicted else 0.0
    r = correct / len(gold) if gold else 0.0
    return {"precision": 100 * p, "recall": 100 * r, "f1": 100 * (2 * p * r / (p + r) if p + r else 0.0), "gold": len(gold), "predicted": len(predicted)}


def all_caps(tokens: list[str]) -> bool:
    letters = [t for t in tokens if any(c.isalpha() for c in t)]
    return len(letters) >= 2 and all(t.upper() == t for t in letters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--predictions", required=True, type=Path)
    parser.add_argument("--split", default="test")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from nlpkit import api
    from nlpkit.resolution.data import load_examples

    task = api.get_task("ner")
    examples = load_examples(task, f"conll2003:{args.split}", data_dir=args.data_dir)
    train = load_examples(task, "conll2003:train", data_dir=args.data_dir)
    records = [json.loads(line) for line in args.predictions.read_text(encoding="utf-8").splitlines()]
    if len(records) != len(examples):
        raise SystemExit(f"{args.predictions}: {len(records)} predictions for {len(examples)} sentences of conll2003:{args.split}")

    lower_o = {tok for ex in train for tok, tag in zip(ex.tokens, ex.tags or ()) if tag == "O" and tok.islower()}
    gold: set[Span] = set()
    predicted: set[Span] = set()
    caps_sentences = set()
    for i, (ex, record) in enumerate(zip(examples, records)):
        gold |= spans(ex.tags, i)
        predicted |= predicted_spans(record, ex.offsets, i)
        if all_caps(ex.tokens):
            caps_sentences.add(i)

    def words(span: Span) -> list[str]:
        return examples[span[0]].tokens[span[1]:span[2]]

    def subset(keep: Any) -> dict[str, float]:
        return prf({s for s in gold if keep(s)}, {s for s in predicted if keep(s)})

    types = sorted({s[3] for s in gold})
    out: dict[str, Any] = {"overall": prf(gold, predicted), "types": {t: subset(lambda s, t=t: s[3] == t) for t in types}}
    out["all_caps_sentences"] = {"sentences": len(caps_sentences), **subset(lambda s: s[0] in caps_sentences)}
    out["other_sentences"] = {"sentences": len(examples) - len(caps_sentences), **subset(lambda s: s[0] not in caps_sentences)}
    ambiguous = {s for s in gold if any(w.lower() in lower_o for w in words(s))}
    out["gold_case_ambiguous"] = {"entities": len(ambiguous), "recall": 100 * len(ambiguous & predicted) / max(len(ambiguous), 1)}
    plain = gold - ambiguous
    out["gold_not_ambiguous"] = {"entities": len(plain), "recall": 100 * len(plain & predicted) / max(len(plain), 1)}
    lowercase = {s for s in predicted if words(s)[0][:1].islower()}
    out["predicted_lowercase_start"] = {"entities": len(lowercase), "correct": len(lowercase & gold), "gold_lowercase_start": sum(1 for s in gold if words(s)[0][:1].islower())}
    missed = Counter(" ".join(words(s)) for s in ambiguous - predicted)
    out["missed_case_ambiguous_examples"] = missed.most_common(12)
    wrong_lower = Counter(" ".join(words(s)) for s in lowercase - gold)
    out["lowercase_false_positives_examples"] = wrong_lower.most_common(12)

    print("| type | precision | recall | F1 | gold | predicted |\n|---|---|---|---|---|---|")
    for name, row in [*out["types"].items(), ("**micro**", out["overall"])]:
        print(f"| {name} | {row['precision']:.2f} | {row['recall']:.2f} | {row['f1']:.2f} | {row['gold']} | {row['predicted']} |")
    print("\n| sentences | count | precision | recall | F1 |\n|---|---|---|---|---|")
    for name, key in (("all capitals", "all_caps_sentences"), ("other", "other_sentences")):
        row = out[key]
        print(f"| {name} | {row['sentences']} | {row['precision']:.2f} | {row['recall']:.2f} | {row['f1']:.2f} |")
    print(f"\nGold entities with a word also seen lower-case as O in train: {out['gold_case_ambiguous']['entities']}, recall {out['gold_case_ambiguous']['recall']:.2f}"
          f" (others: {out['gold_not_ambiguous']['entities']}, recall {out['gold_not_ambiguous']['recall']:.2f})")
    print(f"Missed among them (most frequent): {out['missed_case_ambiguous_examples']}")
    low = out["predicted_lowercase_start"]
    print(f"Predicted entities starting lower-case: {low['entities']} ({low['correct']} correct; gold has {low['gold_lowercase_start']}); wrong ones: {out['lowercase_false_positives_examples']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
