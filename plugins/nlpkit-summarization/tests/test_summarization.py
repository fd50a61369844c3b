"""The summarization task: readers, the lead baseline, ROUGE, chunking, fine-tuning end to end."""

from __future__ import annotations

import json

import pytest

import nlpkit
from nlpkit.contracts.errors import DataError
from nlpkit_summarization.task import SummarizationTask, chunk_text

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DOCS = [
    {"source": ["The cat sat on the mat.", "It was a sunny day.", "Birds sang in the park."], "target": ["A cat sat on a mat.", "The cat sat."]},
    {"source": ["Dogs ran in the park.", "The park was big."], "target": ["Dogs ran."]},
]


@pytest.fixture()
def scitldr(tmp_path):
    path = tmp_path / "test.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in DOCS) + "\n", encoding="utf-8")
    return path


def test_list_documents_are_joined_and_list_summaries_are_references(scitldr):
    examples = SummarizationTask().read(scitldr)
    assert examples[0].text == "The cat sat on the mat. It was a sunny day. Birds sang in the park."
    assert examples[0].targets == ["A cat sat on a mat.", "The cat sat."]


def test_fields_are_configurable_and_several_summary_fields_give_several_references(tmp_path):
    path = tmp_path / "dialog.jsonl"
    path.write_text(json.dumps({"dialogue": "#Person1#: Hi.\n#Person2#: Hello.", "summary1": "They greet.", "summary2": "Two people say hi."}) + "\n", encoding="utf-8")
    [example] = SummarizationTask().read(path, document_field="dialogue", summary_field=["summary1", "summary2"])
    assert example.targets == ["They greet.", "Two people say hi."]


def test_missing_fields_and_empty_documents_are_located(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"document": "Text.", "summary": "S."}) + "\n" + json.dumps({"document": " ", "summary": "S."}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:2: field 'document': empty document"):
        SummarizationTask().read(path)
    with pytest.raises(DataError, match=r"bad\.jsonl:1: missing 'article'"):
        SummarizationTask().read(path, document_field="article")


def test_plain_text_is_one_document_per_line(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text("First document. Two sentences.\n\nSecond document.\n", encoding="utf-8")
    assert [e.text for e in SummarizationTask().read_inputs(path)] == ["First document. Two sentences.", "Second document."]


def test_lead_1_summarises_with_the_first_sentence_and_scores_with_rouge(scitldr):
    result = nlpkit.evaluate("summarization", model="lead-1", data=str(scitldr))
    assert [p.text for p in result.predictions] == ["The cat sat on the mat.", "Dogs ran in the park."]
    rouge = result.metrics["rouge"]
    assert set(rouge) >= {"rouge1", "rouge2", "rougeL", "rougeLsum", "length_words"}
    assert rouge["length_words"] == pytest.approx(5.5)


def test_rouge_takes_the_best_reference_per_example():
    from nlpkit_summarization.rouge import Rouge

    best = Rouge.score(["the cat sat on the mat"], [["dogs ran far away", "the cat sat on the mat"]])
    assert best["rouge1"] == pytest.approx(1.0) and best["rougeLsum"] == pytest.approx(1.0)
    stemmed = Rouge.score(["cats running"], [["cat runs"]])
    assert stemmed["rouge1"] == pytest.approx(1.0)


def test_long_documents_are_chunked_on_sentence_boundaries():
    def count_words(sentences):
        return [len(s.split()) for s in sentences]

    text = "One two three. Four five six. Seven eight. Nine."
    assert chunk_text(text, count_words, 8) == ["One two three. Four five six.", "Seven eight. Nine."]


def test_fine_tuned_warm_started_model_predicts_from_its_folder_with_no_flags(tmp_path, scitldr):
    from nlpkit.testing import tiny_bert

    base = tiny_bert(tmp_path / "bert", [w for d in DOCS for s in d["source"] + d["target"] for w in s.split()])
    config = nlpkit.TrainConfig(epochs=1, max_steps=2, batch_size=2, max_length=32, progress=False, save_steps=100, task_options={"max_target_length": 8, "max_new_tokens": 5})
    result = nlpkit.finetune("summarization", model=str(base), train=str(scitldr), output=tmp_path / "out", config=config)
    records = nlpkit.predict("summarization", ["The cat sat on the mat. It was sunny."], model=str(result.output))
    assert len(records) == 1 and len(records[0].text.split()) <= 5
    chunked = nlpkit.predict("summarization", ["The cat sat on the mat. " * 12], model=str(result.output), options={"long_documents": "chunk", "max_source_length": 16})
    assert len(chunked) == 1 and chunked[0].text


def test_plugin_import_stays_light():
    import subprocess
    import sys

    code = "import sys, nlpkit_summarization.plugin, nlpkit_summarization.lead; print(any(m in sys.modules for m in ('torch', 'transformers', 'evaluate', 'datasets')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
