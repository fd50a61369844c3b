"""The onnx backend serves every encoder head like the torch model it was exported from:
fp32 gives the same labels, entities and answers; int8 stays within a stated tolerance."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import nlpkit
from nlpkit.errors import NlpkitError
from nlpkit.testing import SENTIMENT_FIXTURE


#: int8 on these tiny random models (hidden size 32): probabilities move by at most this much
#: (measured: at most 0.0012, NER; 4e-5 sentiment, 8e-5 QA, 1e-5 relations). Real models: benchmarks/results/onnx.md.
INT8_PROB_TOLERANCE = 0.01


def texts() -> list[str]:
    return [text for text, _ in SENTIMENT_FIXTURE]


def qa_inputs(pairs) -> list:
    from nlpkit_qa.records import QAExample

    return [QAExample(q, c) for q, c in pairs]


def entity_spans(records) -> list[list[tuple[str, int, int]]]:
    return [[(e.type, e.start, e.end) for e in r.entities] for r in records]


def test_an_exported_folder_loads_as_an_onnx_model_with_the_same_labels_and_task(models, exports):
    model = nlpkit.load_model(str(exports["sentiment", "fp32"]), nlpkit.get_task("sentiment"))
    assert model.backend == "onnx" and model.labels == ["negative", "positive"] and model.task == "sentiment"
    assert model.meta["onnx"]["precision"] == "fp32" and model.meta["exported_from"]["folder"] == str(models["sentiment"])


def test_fp32_export_gives_the_same_sentiment_labels_and_scores_as_torch(models, exports):
    torch_records = nlpkit.predict("sentiment", texts(), model=str(models["sentiment"]), device="cpu")
    onnx_records = nlpkit.predict("sentiment", texts(), model=str(exports["sentiment", "fp32"]), batch_size=3)
    assert [r.label for r in onnx_records] == [r.label for r in torch_records]
    assert all(math.isclose(a.score, b.score, abs_tol=1e-5) for a, b in zip(onnx_records, torch_records))


def test_fp32_export_tags_the_same_entities_as_torch_including_windows_over_a_long_sentence(models, exports, inputs):
    sentences = [" ".join(s) for s in inputs.ner]
    torch_model = nlpkit.load_model(str(models["ner"]), nlpkit.get_task("ner"), device="cpu")
    onnx_model = nlpkit.load_model(str(exports["ner", "fp32"]), nlpkit.get_task("ner"))
    assert entity_spans(nlpkit.predict("ner", sentences, model=onnx_model)) == entity_spans(nlpkit.predict("ner", sentences, model=torch_model))
    tokens = [list(s) for s in inputs.ner]
    expected, got = torch_model.tag_words(tokens, batch_size=2), onnx_model.tag_words(tokens, batch_size=2)
    assert [len(s) for s in got] == [len(s) for s in inputs.ner]
    assert max(abs(a - b) for se, sg in zip(expected, got) for we, wg in zip(se, sg) for a, b in zip(we, wg)) < 1e-5


def test_fp32_export_answers_with_the_same_spans_as_torch_across_windows(models, exports, inputs):
    task = nlpkit.get_task("qa")
    options = {"max_length": 48, "doc_stride": 16}
    torch_answers = task.predict(nlpkit.load_model(str(models["qa"]), task, device="cpu"), qa_inputs(inputs.qa), **options)
    onnx_answers = task.predict(nlpkit.load_model(str(exports["qa", "fp32"]), task), qa_inputs(inputs.qa), batch_size=2, **options)
    assert [(a.text, a.start, a.end) for a in onnx_answers] == [(a.text, a.start, a.end) for a in torch_answers]
    assert all(math.isclose(a.score, b.score, rel_tol=1e-4, abs_tol=1e-5) for a, b in zip(onnx_answers, torch_answers))


def test_fp32_export_of_a_relations_model_pools_at_the_markers_like_torch(models, exports):
    from nlpkit_ner.markers import MARKERS, POOL_AT

    task = nlpkit.get_task("relations")
    torch_model = nlpkit.load_model(str(models["relations"]), task, device="cpu")
    onnx_model = nlpkit.load_model(str(exports["relations", "fp32"]), task)
    assert onnx_model.knows_tokens(MARKERS)
    head_open, head_close, tail_open, tail_close = MARKERS
    items = [
        ([head_open, "alice", head_close, "visited", tail_open, "paris", tail_close, "."], 0, 7),
        (["bob", "loves", tail_open, "rome", tail_close, "and", head_open, "the", "film", head_close] + ["good"] * 150, 2, 10),  # cropped
    ]
    expected = torch_model.classify_marked(items, POOL_AT, logit_bias=[0.5, 0.0])
    got = onnx_model.classify_marked(items, POOL_AT, logit_bias=[0.5, 0.0], batch_size=1)
    assert max(abs(a - b) for re, rg in zip(expected, got) for a, b in zip(re, rg)) < 1e-5


@pytest.mark.parametrize("task", ["sentiment", "ner", "qa", "relations"])
def test_int8_export_stays_within_the_stated_tolerance_of_fp32(task, exports, inputs):
    from nlpkit_ner.markers import MARKERS, POOL_AT

    task_obj = nlpkit.get_task(task)
    fp32 = nlpkit.load_model(str(exports[task, "fp32"]), task_obj)
    int8 = nlpkit.load_model(str(exports[task, "int8"]), task_obj)
    assert (exports[task, "int8"] / "model.onnx").stat().st_size < (exports[task, "fp32"] / "model.onnx").stat().st_size
    if task == "sentiment":
        pairs = zip(fp32.classify(texts()), int8.classify(texts()))
    elif task == "ner":
        pairs = ((a, b) for sa, sb in zip(fp32.tag_words(inputs.ner), int8.tag_words(inputs.ner)) for a, b in zip(sa, sb))
    elif task == "relations":
        items = [([MARKERS[0], "alice", MARKERS[1], "visited", MARKERS[2], "paris", MARKERS[3]], 0, 7)]
        pairs = zip(fp32.classify_marked(items, POOL_AT), int8.classify_marked(items, POOL_AT))
    else:
        questions, contexts = zip(*inputs.qa)
        # each generator runs to its end before the next starts: interleaved, their grad-mode contexts would not nest
        options = {"max_length": 48, "doc_stride": 16, "max_question_length": 16}
        rows_a = [row for batch in list(fp32.span_scores(questions, contexts, **options)) for row in batch.start_logits]
        rows_b = [row for batch in list(int8.span_scores(questions, contexts, **options)) for row in batch.start_logits]
        batches = list(zip(rows_a, rows_b))
        # logits, not probabilities: compare their softmax over each window's positions
        from nlpkit_onnx.backend import softmax
        import numpy as np

        pairs = ((softmax(np.asarray(a, dtype=float)).tolist(), softmax(np.asarray(b, dtype=float)).tolist()) for a, b in batches)
    worst = max(abs(x - y) for a, b in pairs for x, y in zip(a, b))
    assert worst <= INT8_PROB_TOLERANCE


def test_an_onnx_model_refuses_to_be_saved_or_prepared_for_fine_tuning(exports):
    model = nlpkit.load_model(str(exports["sentiment", "fp32"]), nlpkit.get_task("sentiment"))
    with pytest.raises(NlpkitError, match="nlpkit export"):
        model.save(Path("elsewhere"))
    with pytest.raises(NlpkitError, match="cannot be fine-tuned"):
        model.use_marker_pooling(("[E1]", "[E2]"))


def test_a_plain_classifier_export_has_no_marker_graph_and_says_so(exports):
    model = nlpkit.load_model(str(exports["sentiment", "fp32"]), nlpkit.get_task("sentiment"))
    assert not (exports["sentiment", "fp32"] / "marked.onnx").exists()
    with pytest.raises(NlpkitError, match="without a marker-pooled graph"):
        model.classify_marked([(["a"], 0, 1)], ("[E1]", "[E2]"))
