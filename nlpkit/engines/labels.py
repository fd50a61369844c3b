"""Aligning gold labels with a model's labels before scoring.

A model that predicts ``negative``/``positive`` scored against gold ``0``/``1``
(GLUE's SST-2 as distributed) would score 0.0 without a word. Before predicting,
the gold labels are aligned with the model's: an exact match passes; otherwise an
unambiguous mapping is used and reported — the same names in another case, or
integer ids in range of the model's label list when every gold label is an
integer; anything else is an error listing both label sets.

Gold labels are read from an example's ``label`` (classification) or the types in
its ``relations`` (relation extraction); other examples are left alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from nlpkit.contracts.errors import NlpkitError

__all__ = ["gold_labels", "label_mapping", "align_examples"]


def gold_labels(examples: Sequence[Any]) -> set[str]:
    """The gold labels (or relation types) of `examples`."""
    labels: set[str] = set()
    for example in examples:
        label = getattr(example, "label", None)
        if isinstance(label, str):
            labels.add(label)
        for relation in getattr(example, "relations", None) or ():
            if isinstance(relation, (tuple, list)) and len(relation) == 3 and isinstance(relation[2], str):
                labels.add(relation[2])
    return labels


def label_mapping(gold: set[str], model_labels: Sequence[str], *, source: str = "the model", data: str = "the data") -> dict[str, str]:
    """Gold label → model label for the gold labels the model does not spell the same way.

    Empty when every gold label is one of the model's; raises `NlpkitError` listing
    both label sets when no unambiguous mapping exists."""
    known = list(model_labels)
    unknown = sorted(gold - set(known))
    if not unknown:
        return {}
    mapping: dict[str, str] = {}
    by_lower: dict[str, list[str]] = {}
    for label in known:
        by_lower.setdefault(label.lower(), []).append(label)
    if all(len(by_lower.get(g.lower(), [])) == 1 for g in unknown):
        mapping = {g: by_lower[g.lower()][0] for g in unknown}
    elif gold and all(_is_int(g) for g in gold) and not any(_is_int(m) for m in known) and all(0 <= int(g) < len(known) for g in gold):
        mapping = {g: known[int(g)] for g in sorted(gold, key=int)}  # ids index the model's label list
    if not mapping:
        raise NlpkitError(
            f"the labels of {data} ({', '.join(sorted(gold)) or 'none'}) do not match those of {source} ({', '.join(known) or 'none'}): "
            f"{', '.join(map(repr, unknown))} cannot be mapped; relabel the data (e.g. the dataset's label_names) or use a model trained on these labels"
        )
    return mapping


def align_examples(examples: Sequence[Any], mapping: dict[str, str]) -> list[Any]:
    """Copies of `examples` with gold labels (and relation types) renamed by `mapping`."""
    if not mapping:
        return list(examples)
    out = []
    for example in examples:
        changes: dict[str, Any] = {}
        label = getattr(example, "label", None)
        if isinstance(label, str) and label in mapping:
            changes["label"] = mapping[label]
        relations = getattr(example, "relations", None)
        if relations:
            changes["relations"] = [(h, t, mapping.get(r, r)) for h, t, r in relations]
        out.append(dataclasses.replace(example, **changes) if changes else example)
    return out


def _is_int(value: str) -> bool:
    return value.strip().lstrip("-").isdigit()
