"""Plugins use only the model contract: no backend internals, no backend modules.

An AST scan of every bundled plugin's sources (plugins/*/nlpkit_*/): touching
`.network`, `.tokenizer` or `.pad` of anything (also through getattr/hasattr), or
importing `nlpkit.backends`, fails here, naming the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nlpkit.errors import NlpkitError
from nlpkit.models import Backend, Model
from nlpkit.tasks import Head

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_ATTRIBUTES = {"network", "tokenizer", "pad"}
FORBIDDEN_MODULE = "nlpkit.backends"


#: Plugins that add a backend: their own models' internals (an ONNX session, its tokenizer) are theirs,
#: and the ONNX exporter reads the transformers model's documented `network`/`tokenizer`; they may
#: still not import `nlpkit.backends` (the scan's import rules apply to them).
BACKEND_PLUGINS = {"nlpkit_onnx"}


def plugin_sources(backends: bool = False) -> list[Path]:
    """Task plugins' sources (with `backends`: the backend plugins' instead)."""
    found = sorted(p for p in ROOT.glob("plugins/*/nlpkit_*/**/*.py") if "build" not in p.parts)
    return [p for p in found if (p.relative_to(ROOT).parts[2] in BACKEND_PLUGINS) == backends]


def violations(path: Path, root: Path = ROOT) -> list[str]:
    """Each use of a backend internal in `path`, as ``file:line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"{where}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"getattr", "hasattr", "setattr"}:
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in FORBIDDEN_ATTRIBUTES:
                found.append(f"{where}:{node.lineno}: {node.func.id}(…, {node.args[1].value!r})")
        elif isinstance(node, ast.Import):
            found.extend(f"{where}:{node.lineno}: import {a.name}" for a in node.names if a.name == FORBIDDEN_MODULE or a.name.startswith(FORBIDDEN_MODULE + "."))
        elif isinstance(node, ast.ImportFrom) and node.module and (node.module == FORBIDDEN_MODULE or node.module.startswith(FORBIDDEN_MODULE + ".")):
            found.append(f"{where}:{node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.ImportFrom) and node.module == "nlpkit" and any(a.name == "backends" for a in node.names):
            found.append(f"{where}:{node.lineno}: from nlpkit import backends")
    return found


def test_the_scan_sees_every_bundled_plugin() -> None:
    packages = {p.relative_to(ROOT).parts[2] for p in plugin_sources()}
    assert packages == {"nlpkit_ner", "nlpkit_qa", "nlpkit_sentiment", "nlpkit_summarization", "nlpkit_translation"}


def test_no_plugin_module_reaches_into_a_backend() -> None:
    found = [v for path in plugin_sources() for v in violations(path)]
    assert found == [], "plugins must use only the Model contract (nlpkit.models.Model):\n" + "\n".join(found)


def test_backend_plugins_import_no_core_backend_module() -> None:
    assert {p.relative_to(ROOT).parts[2] for p in plugin_sources(backends=True)} == BACKEND_PLUGINS
    found = [v for path in plugin_sources(backends=True) for v in violations(path) if ": ." not in v and "getattr(" not in v]
    assert found == [], "backend plugins use the core's public names, not nlpkit.backends:\n" + "\n".join(found)


@pytest.mark.parametrize("source, expected", [
    ("x = model.network(ids)", ".network"),
    ("ids = model.tokenizer('a')", ".tokenizer"),
    ("batch = model.pad(enc, [0])", ".pad"),
    ("n = getattr(model, 'network', None)", "getattr(…, 'network')"),
    ("from nlpkit.backends.transformers import TransformersModel", "from nlpkit.backends.transformers import …"),
    ("import nlpkit.backends.sklearn", "import nlpkit.backends.sklearn"),
])
def test_the_scan_catches_each_kind_of_reach(tmp_path: Path, source: str, expected: str) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source + "\n", encoding="utf-8")
    assert violations(path, tmp_path) == [f"probe.py:1: {expected}"]


# the contract itself ------------------------------------------------------------------------
class BareModel(Model):
    """A model that implements nothing but saving."""

    backend = "bare"

    def save(self, folder: Path) -> list[str]:
        return []


@pytest.mark.parametrize("call, head", [
    (lambda m: m.classify(["a"]), "sequence-classification"),
    (lambda m: m.classify_marked([(["a"], 0, 1)], ("[E1]", "[E2]")), "sequence-classification"),
    (lambda m: m.add_marker_tokens(["[E1]"]), "sequence-classification"),
    (lambda m: m.tag_words([["a"]]), "token-classification"),
    (lambda m: list(m.span_scores(["q"], ["c"], max_length=8, doc_stride=2, max_question_length=4)), "span-extraction"),
    (lambda m: m.generate(["a"], None), "seq2seq"),
])
def test_a_model_without_a_heads_method_says_so_naming_backend_method_and_head(call, head) -> None:
    model = BareModel(head=Head.SEQ2SEQ, labels=None, source="bare-model")
    with pytest.raises(NlpkitError, match=rf"the bare backend's models have no \w+\(\), which the {head} head needs \(bare-model\)"):
        call(model)


def test_a_model_must_say_how_it_saves() -> None:
    class Unsaveable(Model):
        backend = "x"

    with pytest.raises(TypeError, match="save"):
        Unsaveable(head=Head.SEQ2SEQ, labels=None, source="x")  # type: ignore[abstract]


def test_a_backend_that_cannot_train_says_so_in_one_line() -> None:
    class LoadOnly(Backend):
        name = "load-only"

    with pytest.raises(NlpkitError, match="^the load-only backend cannot fine-tune: it only loads trained models$"):
        LoadOnly().finetune(None, None, [], None, None, Path("."), None)  # type: ignore[arg-type]
