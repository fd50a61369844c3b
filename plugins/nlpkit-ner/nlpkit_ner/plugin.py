"""Hook implementations: tasks, datasets, metrics and suites. Import stays light."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from nlpkit import DatasetSpec, MetricSpec, hookimpl

CONLL03_TYPES = ["LOC", "MISC", "ORG", "PER"]
WNUT17_TYPES = ["corporation", "creative-work", "group", "location", "person", "product"]
#: Relation types whose direction carries no meaning, per relation dataset: `relation_f1`
#: scores them with ``symmetric=[...]`` (arguments in text order, as SpERT). CoNLL04
#: (Work_For, Kill, OrgBased_In, Live_In, Located_In) and ADE (Adverse-Effect) have none.
SYMMETRIC_RELATION_TYPES: dict[str, list[str]] = {"conll04": [], "ade": []}


@hookimpl
def register_tasks(register: Callable[[Any], None]) -> None:
    from nlpkit_ner.ner import NerTask

    register(NerTask())
    try:
        from nlpkit_ner.relations import RelationTask
    except ImportError:
        return
    register(RelationTask())


@hookimpl
def register_datasets(register: Callable[[Any], None]) -> None:
    register(DatasetSpec(
        name="conll2003", task="ner", folder="ner/conll2003",
        files={"train": "eng.train", "dev": "eng.testa", "test": "eng.testb"},
        read_options={"scheme": "iob1", "types": CONLL03_TYPES},
        description="CoNLL-2003 English NER (Reuters): 14,041 / 3,250 / 3,453 sentences, PER LOC ORG MISC (IOB1 → IOB2)",
    ))
    register(DatasetSpec(
        name="wnut17", task="ner", folder="ner/wnut17",
        files={"train": "wnut17train.conll", "dev": "emerging.dev.conll", "test": "emerging.test.annotated"},
        read_options={"scheme": "iob2", "types": WNUT17_TYPES},
        description="WNUT-17 emerging and rare entities (social media): 3,394 / 1,009 / 1,287 sentences",
    ))
    relation_sets = {
        "conll04": ("relation_extraction/conll04", {"train": "train.CoNLL04.json", "dev": "valid.CoNLL04.json", "test": "test.CoNLL04.json"},
                    "CoNLL04 joint entity and relation extraction: 922 / 231 / 288 sentences, 5 relation types"),
        "ade": ("relation_extraction/ade_fold0", {"train": "train.ADE0.json", "dev": "valid.ADE0.json"},
                "ADE adverse drug effects, fold 0: 3,178 / 560 sentences (test fold held out)"),
    }
    for name, (folder, files, description) in relation_sets.items():
        symmetric = ", ".join(SYMMETRIC_RELATION_TYPES[name]) or "none"
        register(DatasetSpec(name=name, task="relations", folder=folder, files=files, description=f"{description}; symmetric relation types: {symmetric}"))
        register(DatasetSpec(name=f"{name}_entities", task="ner", folder=folder, files=files, description=f"the entities of {name}, for training its NER model"))
    register(DatasetSpec(
        name="semeval2010_task8", task="relations", folder="relation_extraction/semeval2010_task8",
        files={"train": "TRAIN_FILE.TXT", "test": "TEST_FILE_FULL.TXT"},
        read_options={"format": "semeval"},
        description="SemEval-2010 Task 8 relation classification: 8,000 / 2,717 sentences, 9 directional relations + Other",
    ))


@hookimpl
def register_metrics(register: Callable[[Any], None]) -> None:
    register(MetricSpec("seqeval", "nlpkit_ner.metrics.entities:EntityF1", "entity-level P/R/F1 as seqeval's default (conlleval-style lenient) mode, micro and per type", {"mode": "default"}, main_key="f1"))
    register(MetricSpec("seqeval_strict", "nlpkit_ner.metrics.entities:EntityF1", "entity-level P/R/F1 as seqeval's strict mode (IOB2: a stray I- is no entity)", {"mode": "strict"}, main_key="f1"))
    register(MetricSpec("relation_f1", "nlpkit_ner.metrics.relations:RelationF1", "strict relation P/R/F1 (spans, entity types and relation type) as SpERT, micro; macro too; symmetric=[types] option", main_key="f1"))
    register(MetricSpec("relation_macro_f1", "nlpkit_ner.metrics.relations:RelationF1", "strict relation F1, macro over relation types", main_key="macro_f1"))
    register(MetricSpec("semeval_f1", "nlpkit_ner.metrics.relations:SemEvalF1", "SemEval-2010 Task 8 official macro-F1 (scorer v1.2: over the key's relations, direction counted, Other excluded)", main_key="f1"))


@hookimpl
def register_suites(register: Callable[[Any], None]) -> None:
    from nlpkit import SuiteSpec

    register(SuiteSpec("ner", Path(__file__).parent / "suites" / "ner.toml", "NER and relation extraction: CoNLL-2003, WNUT-17, CoNLL04, SemEval-2010 Task 8"))
