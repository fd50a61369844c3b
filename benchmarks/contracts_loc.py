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

#: Where the layering (issue 9: contracts/, engines/, resolution/) moved each file: at a
#: commit without the old path, the new ones are counted (models.py was split in two).
MOVED = {
    "nlpkit/inference.py": ("nlpkit/engines/inference.py",), "nlpkit/generation/": ("nlpkit/engines/generation/",),
    "nlpkit/backends/": ("nlpkit/engines/backends/",), "nlpkit/backends/seq2seq.py": ("nlpkit/engines/backends/seq2seq.py",),
    "nlpkit/heads/": ("nlpkit/engines/heads/",), "nlpkit/pooling.py": ("nlpkit/engines/pooling.py",),
    "nlpkit/classification.py": ("nlpkit/engines/classification.py",), "nlpkit/token_classification.py": ("nlpkit/engines/token_classification.py",),
    "nlpkit/models.py": ("nlpkit/contracts/models.py", "nlpkit/resolution/models.py"), "nlpkit/options.py": ("nlpkit/contracts/options.py",),
    "nlpkit/tasks.py": ("nlpkit/contracts/tasks.py",),
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
        wanted = [path for m in INFERENCE[part] for path in (m, *MOVED.get(m, ()))]
        inference = [n for n in names if any(n == prefix + m or (m.endswith("/") and n.startswith(prefix + m)) for m in wanted)]
        out[part] = {"all": sum(loc(rev, n) for n in names), "inference": sum(loc(rev, n) for n in inference)}
    return out


#: The files this change rewrote or added, one row each (a folder: all its files).
FILES = (
    "nlpkit/inference.py", "nlpkit/options.py", "nlpkit/generation.py", "nlpkit/generation/", "nlpkit/backends/seq2seq.py",
    "nlpkit/heads/", "nlpkit/token_classification.py", "nlpkit/classification.py", "nlpkit/pooling.py", "nlpkit/tasks.py",
    "plugins/nlpkit-ner/nlpkit_ner/ner.py", "plugins/nlpkit-ner/nlpkit_ner/tagging.py", "plugins/nlpkit-ner/nlpkit_ner/subwords.py",
    "plugins/nlpkit-ner/nlpkit_ner/relations.py", "plugins/nlpkit-ner/nlpkit_ner/markers.py", "plugins/nlpkit-ner/nlpkit_ner/pooling.py",
    "plugins/nlpkit-qa/nlpkit_qa/task.py", "plugins/nlpkit-qa/nlpkit_qa/inference.py", "plugins/nlpkit-qa/nlpkit_qa/windows.py",
    "plugins/nlpkit-qa/nlpkit_qa/decoding.py", "plugins/nlpkit-summarization/nlpkit_summarization/task.py",
    "plugins/nlpkit-translation/nlpkit_translation/task.py",
)


def file_loc(rev: str, path: str) -> int:
    names = files(rev, path) if path.endswith("/") else [n for n in files(rev, str(Path(path).parent)) if n == path]
    if not names and path in MOVED:
        return sum(file_loc(rev, moved) for moved in MOVED[path])
    return sum(loc(rev, n) for n in names)


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
    lines += ["", "Per file (0: absent at that commit; a folder counts all its files):", "", "| file | before | after |", "|---|---:|---:|"]
    per_file = {path: (file_loc(BEFORE, path), file_loc("HEAD", path)) for path in FILES}
    document["files"] = per_file
    (RESULTS / "contracts_loc.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    lines += [f"| {path} | {b} | {a} |" for path, (b, a) in per_file.items()]
    lines += [
        "",
        "Methods a new task must write (checked by tests/test_contract_backend.py::test_a_new_*_task_writes_only_read):",
        "",
        "| new task | before | after |",
        "|---|---|---|",
        "| token classification | 7: read, label_set, check_example_for_scoring, predict (with its own batching loop over `model.network`/`model.tokenizer`, sub-word alignment and windows), metric_inputs, training_features, data_collator | 1: read (on `TokenClassificationTask`; NER adds decode/tags_of for entities) |",
        "| seq2seq | 1: read (on `Seq2SeqTask`, transformers models only) | 1: read (on `Seq2SeqTask`, any backend with `Model.generate`) |",
    ]
    (RESULTS / "contracts_loc.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
