"""The benchmark harness: one way to score any task × model × dataset.

A suite is a TOML file::

    [suite]
    name = "quickstart"
    description = "…"
    seed = 42              # default for every run
    bootstrap = 1000       # resamples for the 95% confidence intervals
    device = "auto"        # default for every run: auto, cpu, cuda, cuda:N, mps
    precision = "fp32"     # fp32, fp16, bf16, auto (`bench --device/--precision` override both)

    [[runs]]
    name = "sst2-minilm"   # unique within the suite
    task = "sentiment"
    model = "minilm"       # registered name, folder or hub id
    dataset = "sst2"       # registered dataset (or `data = "path/file"`)
    split = "dev"
    metrics = ["accuracy", "f1"]   # default: the task's
    limit = 500            # optional: first N examples
    batch_size = 32
    options = {}           # task-specific predict options
    [runs.finetune]        # optional: fine-tune first, then score
    split = "train"        # or `data = "path/file"`
    limit = 2000           # first N training examples; `limits = [100, 500]` sweeps
    epochs = 1
    max_steps = 200
    learning_rate = 5e-5
    batch_size = 16
    options = {}           # task-specific training options

Plugins ship suites with the `register_suites` hook (`SuiteSpec`).
"""

from __future__ import annotations

from nlpkit.contracts.specs import SuiteSpec

__all__ = ["SuiteSpec"]
