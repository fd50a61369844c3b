"""Shared plumbing of the seq2seq benchmark scripts: fine-tune, evaluate, write results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

import nlpkit

RESULTS = Path(__file__).parent / "results"


def environment() -> dict[str, Any]:
    import torch
    import transformers

    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {
        "python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
        "nlpkit": nlpkit.__version__, "git": revision, "cpus": os.cpu_count(),
        "threads": torch.get_num_threads(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def finetune(task: str, train: str, output: Path, data_dir: str, *, train_limit: int, config: nlpkit.TrainConfig) -> dict[str, Any]:
    print(f"fine-tuning MiniLM→MiniLM on {train_limit} examples of {train}…", flush=True)
    result = nlpkit.finetune(task, model="minilm", train=train, output=output, data_dir=data_dir, train_limit=train_limit, overwrite=True, config=config)
    info = {"train": train, "train_examples": result.train_examples, "train_seconds": round(result.train_seconds, 1),
            "examples_seen": config.max_steps * config.batch_size if config.max_steps else int(result.train_examples * config.epochs),
            "settings": {k: v for k, v in config.to_dict().items() if k not in {"progress", "backend_options"}}}
    print(info, flush=True)
    return info


def evaluate(task: str, model: str | Path, data: str, data_dir: str, options: dict[str, Any] | None = None, batch_size: int = 32, limit: int | None = None) -> dict[str, Any]:
    print(f"evaluating {model} on {data} with {options or {}}…", flush=True)
    evaluation = nlpkit.evaluate(task, model=str(model), data=data, data_dir=data_dir, options=options, batch_size=batch_size, limit=limit)
    out = {"model": str(model), "data": data, "options": options or {}, "examples": len(evaluation.examples),
           "seconds": round(evaluation.seconds, 1), "metrics": evaluation.metrics,
           "samples": [{"source": ex.text[:300], "prediction": p.text, "reference": (ex.targets or [""])[0]} for ex, p in list(zip(evaluation.examples, evaluation.predictions))[:3]]}
    if task == "translation":
        out["normalised"] = normalised_scores([p.text for p in evaluation.predictions], [ex.targets or [] for ex in evaluation.examples])
    print(json.dumps(out["metrics"]), flush=True)
    return out


def normalised_scores(predictions: list[str], references: list[list[str]]) -> dict[str, float]:
    """BLEU/chrF with predictions and references lower-cased and accents stripped: what
    a model with an uncased, accent-stripping vocabulary (MiniLM's) could at best match."""
    import unicodedata

    from nlpkit_translation.metrics import Chrf, SacreBleu

    def plain(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")

    preds = [plain(p) for p in predictions]
    refs = [[plain(r) for r in rs] for rs in references]
    return {"bleu": SacreBleu.score(preds, refs)["bleu"], "chrf": Chrf.score(preds, refs)["chrf"]}


def write(name: str, results: dict[str, Any], markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown, encoding="utf-8")
    print(f"wrote {RESULTS / name}.json and .md", flush=True)
