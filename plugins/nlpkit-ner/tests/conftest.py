"""Fixtures: small data files written here (not from shared/data) and tiny models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nlpkit.testing.parity import parity  # noqa: F401  (the fixture; here too so the tests run from the unpacked sdist)

CONLL03 = """-DOCSTART- -X- -X- O

Alice NNP I-NP I-PER
visited VBD I-VP O
Paris NNP I-NP I-LOC
. . O O

Bob NNP I-NP I-PER
Smith NNP I-NP I-PER
joined VBD I-VP O
Acme NNP I-NP I-ORG
Corp NNP I-NP I-ORG
in IN I-PP O
Rome NNP I-NP I-LOC
Berlin NNP I-NP B-LOC
"""

WNUT = "Carol\tB-person\nloves\tO\nZorbland\tB-location\n!\tO\n\nDan\tB-person\nDoe\tI-person\n"

RELATIONS = [
    {"tokens": ["Alice", "works", "for", "Acme", "in", "Paris", "."], "entities": [[0, 1, "Peop"], [3, 4, "Org"], [5, 6, "Loc"]],
     "relations": [[0, 1, 3, 4, "Work_For"], [3, 4, 5, 6, "OrgBased_In"]]},
    {"tokens": ["Bob", "lives", "in", "Rome", "."], "entities": [[0, 1, "Peop"], [3, 4, "Loc"]], "relations": [[0, 1, 3, 4, "Live_In"]]},
]

SEMEVAL = """1\t"The <e1>smoke</e1> came from a small <e2>fire</e2>."
Cause-Effect(e2,e1)
Comment:

2\t"A <e1>box</e1> full of <e2>apples</e2> stood there."
Content-Container(e2,e1)
Comment: apples in a box

3\t"The <e1>dog</e1> saw the <e2>cat</e2>."
Other
Comment:
"""

WORDS = "Alice visited Paris Bob Smith joined Acme Corp in Rome Berlin works for lives Carol loves Zorbland Dan Doe smoke came from small fire box full apples stood there dog saw cat".split()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture files, written once: eng.train, wnut.conll, train.rel.json, TRAIN_FILE.TXT."""
    folder = tmp_path_factory.mktemp("data")
    (folder / "eng.train").write_text(CONLL03, encoding="utf-8")
    (folder / "wnut.conll").write_text(WNUT, encoding="utf-8")
    (folder / "train.rel.json").write_text(json.dumps(RELATIONS), encoding="utf-8")
    (folder / "TRAIN_FILE.TXT").write_text(SEMEVAL, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def conll03(data_dir: Path) -> Path:
    return data_dir / "eng.train"


@pytest.fixture(scope="session")
def wnut(data_dir: Path) -> Path:
    return data_dir / "wnut.conll"


@pytest.fixture(scope="session")
def relations_json(data_dir: Path) -> Path:
    return data_dir / "train.rel.json"


@pytest.fixture(scope="session")
def semeval(data_dir: Path) -> Path:
    return data_dir / "TRAIN_FILE.TXT"


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nlpkit.testing import tiny_bert

    return tiny_bert(tmp_path_factory.mktemp("bert"), WORDS)


@pytest.fixture(scope="session")
def tiny_ner_model(tmp_path_factory: pytest.TempPathFactory, tiny_encoder: Path, conll03: Path) -> Path:
    """The tiny encoder fine-tuned for `ner` on the CoNLL-2003-style fixture (one step)."""
    import nlpkit
    from nlpkit.training import TrainConfig

    out = tmp_path_factory.mktemp("ner") / "model"
    nlpkit.finetune("ner", model=str(tiny_encoder), train=str(conll03), output=out, config=TrainConfig(max_steps=1, progress=False))
    return out
