"""No foreign code by default, no pickle, corrupt files named, model/task match, no hub hang."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import nlpkit
from nlpkit.cli import cli
from nlpkit.errors import ModelLoadError, NlpkitError

REMOTE_MODULE = """
import pathlib
pathlib.Path({marker!r}).write_text("foreign code ran")
from transformers import BertConfig
class EvilConfig(BertConfig):
    model_type = "bert"
"""


@pytest.fixture
def model_copy(tmp_path: Path, named_classifier: Path) -> Path:
    """A writable copy of the tiny named classifier."""
    return Path(shutil.copytree(named_classifier, tmp_path / "model"))


def with_remote_code(folder: Path, marker: Path, file: str = "config.json") -> Path:
    (folder / "evil.py").write_text(REMOTE_MODULE.format(marker=str(marker)), encoding="utf-8")
    config = json.loads((folder / file).read_text())
    config["auto_map"] = {"AutoConfig": "evil.EvilConfig"}
    (folder / file).write_text(json.dumps(config))
    return folder


def test_folder_with_auto_map_is_refused_naming_the_opt_in(tmp_path: Path, model_copy: Path) -> None:
    marker = tmp_path / "ran.txt"
    with pytest.raises(ModelLoadError, match=r"config\.json: this model needs its own Python code \(evil\).*--trust-remote-code"):
        nlpkit.predict("sentiment", ["good"], model=str(with_remote_code(model_copy, marker)))
    assert not marker.exists()


def test_yes_on_stdin_does_not_run_a_models_code(tmp_path: Path, model_copy: Path) -> None:
    marker = tmp_path / "ran.txt"
    folder = with_remote_code(model_copy, marker)
    result = CliRunner().invoke(cli, ["predict", "sentiment", "--model", str(folder), "good"], input="y\ny\n")
    assert result.exit_code == 2 and "--trust-remote-code" in result.output
    assert not marker.exists()


def test_auto_map_in_the_tokenizer_config_is_refused_too(tmp_path: Path, model_copy: Path) -> None:
    marker = tmp_path / "ran.txt"
    with pytest.raises(ModelLoadError, match=r"tokenizer_config\.json: this model needs its own Python code"):
        nlpkit.predict("sentiment", ["good"], model=str(with_remote_code(model_copy, marker, "tokenizer_config.json")))


def test_every_from_pretrained_call_passes_trust_remote_code_false(named_classifier: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    seen: list[tuple[str, object]] = []
    for cls in (transformers.AutoConfig, transformers.AutoTokenizer, transformers.AutoModelForSequenceClassification):
        real = cls.from_pretrained.__func__

        def spy(klass, *args, _real=real, _name=cls.__name__, **kwargs):
            seen.append((_name, kwargs.get("trust_remote_code", "missing")))
            return _real(klass, *args, **kwargs)

        monkeypatch.setattr(cls, "from_pretrained", classmethod(spy))
    nlpkit.predict("sentiment", ["good"], model=str(named_classifier))
    assert {name for name, _ in seen} == {"AutoConfig", "AutoTokenizer", "AutoModelForSequenceClassification"}
    assert all(value is False for _, value in seen), seen


def test_trust_remote_code_flag_reaches_the_loader(named_classifier: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    seen = []
    real = transformers.AutoConfig.from_pretrained.__func__
    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", classmethod(lambda k, *a, **kw: (seen.append(kw.get("trust_remote_code")), real(k, *a, **kw))[1]))
    result = CliRunner().invoke(cli, ["predict", "sentiment", "--model", str(named_classifier), "--trust-remote-code", "good"])
    assert result.exit_code == 0, result.output
    assert seen and all(value is True for value in seen)


def test_pickle_only_weights_are_refused_without_advising_unsafe_loading(model_copy: Path) -> None:
    (model_copy / "model.safetensors").rename(model_copy / "pytorch_model.bin")
    with pytest.raises(ModelLoadError) as info:
        nlpkit.predict("sentiment", ["good"], model=str(model_copy))
    message = str(info.value)
    assert "pytorch_model.bin, a pickle file" in message and "safetensors" in message
    assert "weights_only" not in message and "\n" not in message


def test_empty_safetensors_file_is_named(model_copy: Path) -> None:
    (model_copy / "model.safetensors").write_bytes(b"")
    with pytest.raises(ModelLoadError, match=r"model\.safetensors: the weight file is empty"):
        nlpkit.predict("sentiment", ["good"], model=str(model_copy))


def test_corrupt_safetensors_file_is_named(model_copy: Path) -> None:
    weights = model_copy / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])  # a copy cut short
    with pytest.raises(ModelLoadError, match=r"model\.safetensors: corrupt weight file"):
        nlpkit.predict("sentiment", ["good"], model=str(model_copy))


def test_corrupt_tokenizer_json_is_named(model_copy: Path) -> None:
    (model_copy / "tokenizer.json").write_text('{"version": "1.0", "model": ', encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"tokenizer\.json: corrupt or unreadable JSON"):
        nlpkit.predict("sentiment", ["good"], model=str(model_copy))


def test_model_fine_tuned_for_another_task_is_refused(model_copy: Path) -> None:
    card = {"format": 1, "task": "relations", "head": "sequence-classification", "backend": "transformers", "labels": ["negative", "positive"], "files": []}
    (model_copy / "nlpkit.json").write_text(json.dumps(card))
    with pytest.raises(NlpkitError, match=r"was fine-tuned for task 'relations' \(sequence-classification\), not 'sentiment'"):
        nlpkit.predict("sentiment", ["good"], model=str(model_copy))


def test_model_card_declaring_a_compatible_task_is_accepted(model_copy: Path) -> None:
    card = {"format": 1, "task": "reviews", "compatible_tasks": ["sentiment"], "head": "sequence-classification", "backend": "transformers", "labels": ["negative", "positive"], "files": []}
    (model_copy / "nlpkit.json").write_text(json.dumps(card))
    [record] = nlpkit.predict("sentiment", ["good"], model=str(model_copy))
    assert record.label in {"negative", "positive"}


def test_nlpkit_folder_whose_card_was_deleted_is_refused(model_copy: Path) -> None:
    (model_copy / "training_args.json").write_text("{}")
    (model_copy / "metrics.json").write_text("{}")
    with pytest.raises(ModelLoadError, match=r"saved by nlpkit but its nlpkit\.json is missing.*pooling"):
        nlpkit.predict("sentiment", ["good"], model=str(model_copy))


def test_every_from_pretrained_call_in_the_source_decides_trust_remote_code() -> None:
    """A guard for new code: each `from_pretrained` in nlpkit and the bundled plugins passes
    `trust_remote_code` (or the backend's checked `access` arguments), so none can prompt."""
    import ast

    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("nlpkit/**/*.py"), *root.glob("plugins/*/nlpkit_*/**/*.py")]
    missing = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr.endswith("from_pretrained") and node.func.attr != "save_pretrained":
                names = {k.arg for k in node.keywords if k.arg} | {getattr(k.value, "id", "") for k in node.keywords if k.arg is None}
                if not names & {"trust_remote_code", "access"} and not any(isinstance(k.value, ast.DictComp) for k in node.keywords if k.arg is None):
                    missing.append(f"{path.relative_to(root)}:{node.lineno}")
    assert files and not missing, missing
