"""The translation task: parallel and JSON-lines readers, the language pair, errors, metrics."""

from __future__ import annotations

import json

import pytest

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit_translation.task import TranslationTask

EN = ["A man rides a bike.", "Two dogs play in the snow.", "A girl reads a book."]
DE = ["Ein Mann fährt Fahrrad.", "Zwei Hunde spielen im Schnee.", "Ein Mädchen liest ein Buch."]


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def parallel(tmp_path):
    write_lines(tmp_path / "train.de", DE)
    return write_lines(tmp_path / "train.en", EN)


def test_parallel_files_pair_line_by_line_with_the_language_pair(parallel):
    examples = TranslationTask().read(parallel)
    assert [(e.text, e.targets) for e in examples] == [(en, [de]) for en, de in zip(EN, DE)]
    assert {(e.source_lang, e.target_lang) for e in examples} == {("en", "de")}
    assert examples[1].source.endswith("train.en:2")


def test_a_split_listing_both_files_reads_each_pair_once(parallel):
    task = TranslationTask()
    both = task.read(parallel, source="en", target="de") + task.read(parallel.with_suffix(".de"), source="en", target="de")
    assert len(both) == len(EN)


def test_misaligned_parallel_files_name_both_files_and_counts(parallel):
    write_lines(parallel.with_suffix(".de"), DE[:2])
    with pytest.raises(DataError, match=r"train\.en: parallel files are misaligned: 3 lines here but 2 in .*train\.de"):
        TranslationTask().read(parallel)


def test_an_empty_source_line_is_located(parallel):
    write_lines(parallel, [EN[0], " ", EN[2]])
    with pytest.raises(DataError, match=r"train\.en:2: field 'en': empty source line"):
        TranslationTask().read(parallel)


def test_several_candidate_target_files_need_a_pair(parallel):
    write_lines(parallel.with_suffix(".fr"), ["Un homme.", "Deux chiens.", "Une fille."])
    with pytest.raises(DataError, match="several target files"):
        TranslationTask().read(parallel)
    assert TranslationTask().read(parallel, source="en", target="fr")[0].targets == ["Un homme."]


def test_json_lines_translation_objects(tmp_path):
    path = tmp_path / "test.jsonl"
    path.write_text("\n".join(json.dumps({"translation": {"en": en, "de": de}}) for en, de in zip(EN, DE)) + "\n", encoding="utf-8")
    examples = TranslationTask().read(path)
    assert examples[2].text == EN[2] and examples[2].targets == [DE[2]] and examples[2].target_lang == "de"
    reverse = TranslationTask().read(path, source="de", target="en")
    assert reverse[0].text == DE[0] and reverse[0].targets == [EN[0]]


def test_json_lines_without_the_source_language_are_located(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"translation": {"fr": "Bonjour", "de": "Hallo"}}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:1: no 'en'"):
        TranslationTask().read(path, source="en", target="de")


def test_options_that_contradict_the_data_and_unknown_codes_are_refused(parallel):
    task = TranslationTask()
    examples = task.read(parallel)
    with pytest.raises(NlpkitError, match="target='fr' contradicts the data"):
        task.check_inputs(examples, {"target": "fr"})
    assert task.check_inputs(examples, {}) == {"source": "en", "target": "de"}
    from nlpkit.contracts.models import Model
    from nlpkit.contracts.tasks import Head

    class NoLanguageTokens(Model):  # a model of the contract that knows no language tokens
        backend = "stub"

        def save(self, folder):
            return []

    with pytest.raises(NlpkitError, match="unknown language code 'xx'"):
        task.conventions(NoLanguageTokens(head=Head.SEQ2SEQ, labels=None, source="stub"), {"source": "xx", "target": "de"})


def test_metric_inputs_are_aligned_per_example(parallel):
    from nlpkit.engines.generation import GeneratedText

    examples = TranslationTask().read(parallel)
    preds, refs, kwargs = TranslationTask().metric_inputs("sacrebleu", [GeneratedText(text=d) for d in DE], examples)
    assert preds == DE and refs == [[d] for d in DE] and kwargs == {}


def test_bleu_and_chrf_carry_their_signatures_and_accept_uneven_references():
    from nlpkit_translation.metrics import Chrf, SacreBleu

    bleu = SacreBleu.score(DE, [[d] for d in DE[:2]] + [[DE[2], "Ein Buch."]])
    assert bleu["bleu"] == pytest.approx(100.0) and "tok:13a" in bleu["signature"]
    chrf = Chrf.score(["Ein Mann"], [["Ein Mann fährt Fahrrad."]])
    assert 0 < chrf["chrf"] < 100 and chrf["signature"].startswith("nrefs:1")


def test_registered_datasets_read_multi30k_pairs():
    from nlpkit.plugins import get_manager

    datasets = get_manager().registries["datasets"]
    spec = datasets.get("multi30k")
    assert spec.files["test_2016_flickr"] == "test_2016_flickr.en" and spec.read_options == {"source": "en", "target": "de"}
    assert datasets.get("multi30k_en_fr").read_options["target"] == "fr"
    assert "newstest2014" in datasets.get("wmt_newstest_en_de").files


def test_plugin_import_stays_light():
    import subprocess
    import sys

    code = "import sys, nlpkit_translation.plugin; print(any(m in sys.modules for m in ('torch', 'transformers', 'evaluate', 'datasets')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_mbart_style_language_codes_force_the_target_language_token(tmp_path):
    import torch
    from transformers import AutoTokenizer

    from nlpkit.engines.backends.transformers import TransformersBackend
    from nlpkit.testing import tiny_t5

    folder = tiny_t5(tmp_path / "t5", EN)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.add_special_tokens({"additional_special_tokens": ["en_XX", "de_DE"]})
    tokenizer.save_pretrained(folder)
    model = TransformersBackend().load(str(folder), TranslationTask())
    model.network.resize_token_embeddings(len(model.tokenizer))
    prefix, _, request = TranslationTask().conventions(model, {"source": "en", "target": "de"})
    assert prefix == "translate English to German: "  # the tiny model is a T5
    assert (request.source_language, request.target_language) == ("en_XX", "de_DE")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    seen = {}
    generate = model.network.generate
    model.network.generate = lambda *a, **k: seen.update(k) or generate(*a, **k)
    try:
        [record] = TranslationTask().predict(model, TranslationTask().parse_inputs(["A man."]), source="en", target="de", max_new_tokens=3)
    finally:
        torch.set_num_threads(threads)
    assert isinstance(record.text, str)
    assert seen["forced_bos_token_id"] == model.tokenizer.convert_tokens_to_ids("de_DE")
    with pytest.raises(NlpkitError, match="unknown language code 'fr' for this model; it knows de_DE, en_XX"):
        TranslationTask().conventions(model, {"source": "en", "target": "fr"})
