"""The Python API end to end on the sentiment task with tiny models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nlpkit
from nlpkit.contracts.errors import DataError, ModelLoadError, NlpkitError

FAST = nlpkit.TrainConfig(epochs=1, batch_size=4, learning_rate=1e-3, max_length=32, progress=False, save_steps=1000)


def test_finetune_writes_a_self_describing_folder_that_predict_loads(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "model"
    result = nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, eval=sentiment_tsv, output=out, config=FAST)
    assert result.output == out and result.train_examples == 8
    meta = json.loads((out / "nlpkit.json").read_text())
    assert meta["task"] == "sentiment" and meta["backend"] == "transformers"
    assert meta["labels"] == ["negative", "positive"]
    for name in ("model.safetensors", "config.json", "README.md", "metrics.json", "training_args.json"):
        assert (out / name).exists(), name
        assert name in meta["files"]
    assert not (tmp_path / "model.partial").exists()
    assert set(result.metrics) == {"accuracy", "f1"}
    records = nlpkit.predict("sentiment", ["a good film", "an awful plot"], model=str(out))
    assert [r.label in {"negative", "positive"} for r in records] == [True, True]
    assert all(abs(sum(r.scores.values()) - 1) < 1e-5 for r in records)


def test_predictions_come_back_in_input_order_whatever_the_batching(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "model"
    nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=FAST)
    texts = ["good", "a really very boring and awful film , i hate it", "fun", "great story"]
    one_by_one = [nlpkit.predict("sentiment", [t], model=str(out))[0].score for t in texts]
    batched = [r.score for r in nlpkit.predict("sentiment", texts, model=str(out), batch_size=3)]
    assert batched == pytest.approx(one_by_one, abs=1e-5)


def test_same_seed_gives_the_same_model(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path) -> None:
    texts = ["a good film", "an awful plot", "i love this movie"]
    runs = []
    for name in ("a", "b"):
        nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=tmp_path / name, config=FAST)
        runs.append([r.scores for r in nlpkit.predict("sentiment", texts, model=str(tmp_path / name))])
    assert runs[0] == runs[1]


def test_sklearn_baseline_trains_saves_with_skops_and_predicts(tmp_path: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "tfidf"
    nlpkit.finetune("sentiment", model="tfidf-logreg", train=sentiment_tsv, eval=sentiment_tsv, output=out)
    assert (out / "model.skops").exists()
    evaluation = nlpkit.evaluate("sentiment", model=str(out), data=sentiment_tsv)
    assert evaluation.metrics["accuracy"]["accuracy"] == 1.0  # a linear model separates 8 training sentences
    assert nlpkit.predict("sentiment", ["i love this great film"], model=str(out))[0].label == "positive"


def test_failed_finetune_leaves_no_output_folder_and_keeps_the_partial_one(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlpkit.engines.backends.transformers import TransformersBackend

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(TransformersBackend, "finetune", explode)
    out = tmp_path / "model"
    with pytest.raises(KeyboardInterrupt):
        nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=FAST)
    assert not out.exists(), "an interrupted run must not leave a folder that looks complete"
    assert (tmp_path / "model.partial").is_dir()


def test_finetune_refuses_to_overwrite_unless_asked(tmp_path: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    with pytest.raises(NlpkitError, match="already exists"):
        nlpkit.finetune("sentiment", model="tfidf-logreg", train=sentiment_tsv, output=out)
    assert (out / "keep.txt").exists()


def test_eval_label_unknown_to_training_data_is_named(tmp_path: Path, sentiment_tsv: Path) -> None:
    eval_file = tmp_path / "eval.tsv"
    eval_file.write_text("sentence\tlabel\ngood\tneutral\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"eval\.tsv:2: field 'label': label 'neutral' does not occur in the training data"):
        nlpkit.finetune("sentiment", model="tfidf-logreg", train=sentiment_tsv, eval=eval_file, output=tmp_path / "m")


def test_model_folder_missing_a_listed_file_is_named(tmp_path: Path, sentiment_tsv: Path) -> None:
    out = tmp_path / "tfidf"
    nlpkit.finetune("sentiment", model="tfidf-logreg", train=sentiment_tsv, output=out)
    (out / "model.skops").unlink()
    with pytest.raises(ModelLoadError, match="missing model.skops"):
        nlpkit.predict("sentiment", ["good"], model=str(out))


def test_untrained_registered_model_asks_for_finetuning() -> None:
    with pytest.raises(NlpkitError, match="untrained: fine-tune it first"):
        nlpkit.predict("sentiment", ["good"], model="tfidf-logreg")


def test_folder_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not a model folder"):
        nlpkit.predict("sentiment", ["good"], model=str(tmp_path))


def test_mistyped_folder_under_an_existing_folder_is_not_sent_to_the_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "runs").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelLoadError, match="runs/modle: no such model folder"):
        nlpkit.predict("sentiment", ["good"], model="runs/modle")


def test_unknown_task_suggests_the_close_name() -> None:
    with pytest.raises(NlpkitError, match="did you mean 'sentiment'"):
        nlpkit.get_task("sentimen")


def test_registered_dataset_reads_from_the_data_dir_mirror(tmp_path: Path) -> None:
    folder = tmp_path / "sentiment" / "sst2"
    folder.mkdir(parents=True)
    (folder / "dev.tsv").write_text("sentence\tlabel\nfine\t1\ndull\t0\n", encoding="utf-8")
    examples = nlpkit.load_examples(nlpkit.get_task("sentiment"), "sst2:dev", data_dir=tmp_path)
    assert [(e.text, e.label) for e in examples] == [("fine", "positive"), ("dull", "negative")]


def test_missing_mirror_file_names_the_path_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"sentiment/sst2/train\.tsv: dataset 'sst2' split 'train': file not found"):
        nlpkit.load_examples(nlpkit.get_task("sentiment"), "sst2:train", data_dir=tmp_path)


def test_skops_refuses_a_model_file_with_untrusted_types(tmp_path: Path, sentiment_tsv: Path) -> None:
    import skops.io
    from sklearn.preprocessing import FunctionTransformer

    out = tmp_path / "tfidf"
    nlpkit.finetune("sentiment", model="tfidf-logreg", train=sentiment_tsv, output=out)
    skops.io.dump(FunctionTransformer(func=print), out / "model.skops")  # a stranger's file that would run code
    with pytest.raises(ModelLoadError, match="refusing or unable to load"):
        nlpkit.predict("sentiment", ["good"], model=str(out))


def test_finetune_records_the_device_in_the_card_readme_and_training_args(tmp_path: Path, tiny_encoder: Path, sentiment_tsv: Path, no_accelerator: None) -> None:
    out = tmp_path / "model"
    result = nlpkit.finetune("sentiment", model=str(tiny_encoder), train=sentiment_tsv, output=out, config=FAST, device="cpu")
    assert result.device["device"] == "cpu" and result.device["precision"] == "fp32"
    meta = json.loads((out / "nlpkit.json").read_text())
    assert meta["device"]["device"] == "cpu" and meta["training"]["device"] == "cpu"
    assert json.loads((out / "training_args.json").read_text())["precision"] == "fp32"
    assert "- trained on: cpu (fp32)" in (out / "README.md").read_text()


def test_loaded_model_moves_and_casts_only_when_asked(tiny_classifier: Path, no_accelerator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from nlpkit.resolution.models import load_model

    task = nlpkit.api.get_task("sentiment")
    model = load_model(str(tiny_classifier), task)
    assert model.placement.device == "cpu" and next(model.network.parameters()).dtype is torch.float32
    texts = ["i love this movie", "i hate this movie"]
    before = nlpkit.predict(task, texts, model=model)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True)
    records = nlpkit.predict(task, texts, model=model, precision="bf16")  # a loaded model moves when a precision is given
    assert next(model.network.parameters()).dtype is torch.bfloat16 and model.placement.precision == "bf16"
    assert all(abs(sum(r.scores.values()) - 1) < 1e-2 for r in records)  # bf16 logits, probabilities in fp32
    assert len(records) == len(before)


def test_cpu_only_model_refuses_a_direct_move_to_an_accelerator(tmp_path: Path, sentiment_tsv: Path) -> None:
    from nlpkit.contracts.device import Placement

    nlpkit.finetune("sentiment", model="tfidf-logreg", train=sentiment_tsv, output=tmp_path / "m")
    model = nlpkit.resolution.models.load_model(str(tmp_path / "m"), nlpkit.api.get_task("sentiment"))
    assert model.placement.device == "cpu"
    with pytest.raises(NlpkitError, match="sklearn backend runs on the CPU at fp32 only, not cuda:0"):
        model.to(Placement("cuda:0", "fp32"))
