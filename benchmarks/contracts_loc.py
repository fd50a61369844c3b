"""Lines of code per bundled plugin and in the core, before (d56ccfc) and after issue 9's
contract work, counted as non-blank lines of Python sources (tests excluded).

    .venv/bin/python benchmarks/contracts_loc.py

"all" counts everything (other helpers' work on the same issue included: metrics moved
into plugins, the conformance kit, devices…); "inference" counts the modules that hold a
task's model compute: the task and inference modules this change rewrote. Writes
benchmarks/results/contracts_loc.{json,md}.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BEFORE = "d56ccfc"
PLUGINS = ("ner", "qa", "sentiment", "summarization", "translation")
#: Modules holding model compute / batching, before and after (the rest: readers, metrics, records, plugin hooks).
INFERENCE = {
    "core": ("nlpkit/inference.py", "nlpkit/generation.py", "nlpkit/generation/", "nlpkit/backends/", "nlpkit/heads/", "nlpkit/pooling.py", "nlpkit/classification.py", "nlpkit/token_classification.py", "nlpkit/models.py", "nlpkit/options.py"),
    "ner": ("ner.py", "tagging.py", "relations.py", "markers.py", "pooling.py", "subwords.py", "words.py"),
    "qa": ("task.py", "inference.py", "windows.py", "features.py", "decoding.py"),
    "sentiment": ("task.py",),
    "summarization": ("task.py", "lead.py"),
    "translation": ("task.py",),
}


def files(rev: str, folder: str) -> list[str]:
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "--", folder], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    return [n for n in names if n.endswith(".py") and "/tests/" not in n and "/build/" not in n]


def loc(rev: str, name: str) -> int:
    text = subprocess.run(["git", "show", f"{rev}:{name}"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return sum(1 for line in text.splitlines() if line.strip())


def count(rev: str) -> dict[str, dict[str, int]]:
    out = {}
    for part in ("core", *PLUGINS):
        folder = "nlpkit" if part == "core" else f"plugins/nlpkit-{part}/nlpkit_{part}"
        names = files(rev, folder)
        prefix = "" if part == "core" else folder + "/"
        inference = [n for n in names if any(n == prefix + m or (m.endswith("/") and n.startswith(prefix + m)) for m in INFERENCE[part])]
        out[part] = {"all": sum(loc(rev, n) for n in names), "inference": sum(loc(rev, n) for n in inference)}
    return out


def main() -> None:
    before, after = count(BEFORE), count("HEAD")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    document = {"before": BEFORE, "after": head, "command": ".venv/bin/python benchmarks/contracts_loc.py", "loc": {"before": before, "after": after}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "contracts_loc.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Lines of code before/after the model contract (issue 9)",
        "",
        f"`{document['command']}` — non-blank lines of Python, tests excluded; before {BEFORE}, after {head}.",
        "\"inference\" = the modules holding a task's model compute (task, inference, windows, pooling, backend",
        "and loop modules); \"all\" includes other helpers' work merged meanwhile (metrics moved into plugins,",
        "conformance kit, devices, scaffolding).",
        "",
        "| part | inference before | inference after | all before | all after |",
        "|---|---:|---:|---:|---:|",
    ]
    for part in ("core", *PLUGINS):
        b, a = before[part], after[part]
        lines.append(f"| {part if part == 'core' else 'nlpkit-' + part} | {b['inference']} | {a['inference']} | {b['all']} | {a['all']} |")
    (RESULTS / "contracts_loc.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
