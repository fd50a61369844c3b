"""BLEU against training time for a fine-tune that is running (issue 15, translation).

The suite (benchmarks/translation_encoder.toml) gives the headline number; this
script gives the curve beside it, from the checkpoints that run writes anyway
(every 5 minutes of training, `nlpkit.engines.training.SAVE_EVERY_SECONDS`; the
Trainer keeps only the last, so they are copied while it runs):

    # beside the running bench: copy each checkpoint's model (weights, config, both tokenizers; no optimizer)
    python benchmarks/translation_curve.py watch runs/bench/translation_encoder/models/multi30k-minilm-own-decoder.partial/checkpoints /work/notes/models/mt-curve
    # afterwards: sacreBLEU of each on a dev slice (Multi30k val), a table and a plot
    python benchmarks/translation_curve.py score /work/notes/models/mt-curve --data multi30k:val --limit 300 --data-dir ../shared/data

Each checkpoint's training seconds come from its ``trainer_state.json`` (the run
ledger's seconds, carried across resumes).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

#: Files of a checkpoint that make a loadable model (the optimizer and RNG state are left behind).
MODEL_FILES = ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "trainer_state.json")


def train_seconds(folder: Path) -> float | None:
    """Training seconds at this checkpoint (the RunLedger callback's state)."""
    state = json.loads((folder / "trainer_state.json").read_text())
    ledger = (state.get("stateful_callbacks") or {}).get("RunLedger") or {}
    seconds = ledger.get("attributes", {}).get("seconds")
    return float(seconds) if seconds is not None else None


def watch(checkpoints: Path, dest: Path, poll: float, stop_after: float | None) -> None:
    """Copy every complete checkpoint that appears under `checkpoints` to `dest/step-N`,
    until the folder goes away (the run finished and published its model)."""
    dest.mkdir(parents=True, exist_ok=True)
    started, seen_folder = time.time(), False
    while stop_after is None or time.time() - started < stop_after:
        if checkpoints.is_dir():
            seen_folder = True
            for ckpt in sorted(checkpoints.glob("checkpoint-*")):
                target = dest / f"step-{ckpt.name.split('-')[-1]}"
                if target.exists() or not (ckpt / "trainer_state.json").exists():
                    continue
                time.sleep(2)  # the Trainer writes trainer_state.json last; let the rest settle
                try:
                    tmp = target.with_name(target.name + ".tmp")
                    tmp.mkdir(exist_ok=True)
                    for name in MODEL_FILES:
                        if (ckpt / name).exists():
                            shutil.copy2(ckpt / name, tmp / name)
                    if (ckpt / "target_tokenizer").is_dir():
                        shutil.copytree(ckpt / "target_tokenizer", tmp / "target_tokenizer", dirs_exist_ok=True)
                    if not all((tmp / name).exists() for name in ("config.json", "model.safetensors", "trainer_state.json")):
                        raise OSError("the checkpoint went away while it was copied")
                    tmp.rename(target)
                    print(f"copied {ckpt} -> {target} ({train_seconds(target) or 0:.0f} s of training)", flush=True)
                except (OSError, ValueError) as exc:  # deleted under us by the next save: the next one counts
                    print(f"skipped {ckpt}: {exc}", flush=True)
                    shutil.rmtree(tmp, ignore_errors=True)
        elif seen_folder:
            return
        time.sleep(poll)


def score(folder: Path, data: str, limit: int | None, data_dir: str | None, batch_size: int, options: dict[str, str], final: Path | None = None) -> None:
    """sacreBLEU/chrF of every `step-N` under `folder`, and of the finished model folder `final`
    (its training seconds from its metrics.json)."""
    import nlpkit

    points = [(p, int(p.name.split("-")[1]), train_seconds(p)) for p in folder.iterdir() if p.is_dir() and p.name.startswith("step-") and not p.name.endswith(".tmp")]
    if final is not None:
        card = json.loads((final / "nlpkit.json").read_text())
        train = json.loads((final / "metrics.json").read_text()).get("train", {})
        points.append((final, int(card.get("training", {}).get("max_steps") or 0) or 10**9, float(train.get("train_runtime") or train.get("seconds"))))
    rows = []
    for ckpt, step, seconds in sorted(points, key=lambda p: p[1]):
        result = nlpkit.evaluate("translation", model=str(ckpt), data=data, data_dir=data_dir, limit=limit, batch_size=batch_size, metrics=["sacrebleu", "chrf"], options=dict(options), allow_untrained_head=True)  # a checkpoint of our fine-tune, no card yet
        row = {"checkpoint": str(ckpt), "step": step, "train_seconds": seconds, "bleu": result.metrics["sacrebleu"]["bleu"], "chrf": result.metrics["chrf"]["chrf"]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    out = {"data": data, "limit": limit, "options": options, "points": rows}
    (folder / "curve.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = ["| step | training minutes | sacreBLEU | chrF |", "|---:|---:|---:|---:|"]
    lines += [f"| {r['step']} | {(r['train_seconds'] or 0) / 60:.1f} | {r['bleu']:.2f} | {r['chrf']:.2f} |" for r in rows]
    (folder / "curve.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot([(r["train_seconds"] or 0) / 60 for r in rows], [r["bleu"] for r in rows], marker="o")
    ax.set_xlabel("training minutes (1 thread, shared CPU)")
    ax.set_ylabel(f"sacreBLEU, {data}" + (f"[:{limit}]" if limit else ""))
    ax.set_title("MiniLM encoder + fresh decoder, Multi30k en→de")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(folder / "curve.png", dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("watch", help="copy checkpoints of a running fine-tune")
    w.add_argument("checkpoints", type=Path)
    w.add_argument("dest", type=Path)
    w.add_argument("--poll", type=float, default=10.0)
    w.add_argument("--stop-after", type=float, default=None, help="seconds")
    s = sub.add_parser("score", help="BLEU of each copied checkpoint on a dev slice")
    s.add_argument("folder", type=Path)
    s.add_argument("--data", default="multi30k:val")
    s.add_argument("--limit", type=int, default=300)
    s.add_argument("--data-dir", default=None)
    s.add_argument("--batch-size", type=int, default=64)
    s.add_argument("-O", "--option", action="append", default=[], help="KEY=VALUE generation option")
    s.add_argument("--final", type=Path, default=None, help="the finished model folder (the last point)")
    args = parser.parse_args()
    if args.command == "watch":
        watch(args.checkpoints, args.dest, args.poll, args.stop_after)
    else:
        score(args.folder, args.data, args.limit, args.data_dir, args.batch_size, dict(o.split("=", 1) for o in args.option), args.final)


if __name__ == "__main__":
    main()
