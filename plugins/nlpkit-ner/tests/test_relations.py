import json
import shutil
import time

import pytest

import nlpkit
from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.training import TrainConfig
from nlpkit_ner.markers import MARKERS, marked_words
from nlpkit_ner.records import Extraction
from nlpkit_ner.relations import NO_RELATION, RelationTask


def test_markers_wrap_head_and_tail_with_their_types():
    words, first, last = marked_words(["Bob", "lives", "in", "Rome"], (0, 1, "Peop"), (3, 4, "Loc"))
    assert words == ["[E1]", "Peop", ":", "Bob", "[/E1]", "lives", "in", "[E2]", "Loc", ":", "Rome", "[/E2]"]
    assert (first, last) == (0, len(words))


def test_label_set_adds_no_relation_when_a_pair_has_none(relations_json, semeval):
    task = RelationTask()
    assert task.label_set(task.read(relations_json)) == ["Live_In", "OrgBased_In", "Work_For", NO_RELATION]
    assert NO_RELATION not in task.label_set(task.read(semeval, format="semeval"))


def test_negative_fraction_keeps_all_positive_pairs(relations_json, tiny_encoder):
    import transformers

    task = RelationTask()
    examples = task.read(relations_json)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_encoder)
    label2id = {label: i for i, label in enumerate(task.label_set(examples))}
    every = task.training_features(examples, tokenizer, label2id, 64, type_constraints=False)
    some = task.training_features(examples, tokenizer, label2id, 64, negative_fraction=0.01, type_constraints=False)
    assert len(every) == 8 and len(some) == 3  # 3 gold relations survive


# entity-type constraints on candidate pairs (issue 15) ------------------------------------------
def test_argument_types_of_each_relation_type_are_learned_from_the_training_data(relations_json):
    from nlpkit_ner.relations import argument_types

    learned = RelationTask().learn_from_data(RelationTask().read(relations_json))
    assert learned == {"relation_argument_types": {"Live_In": [["Peop", "Loc"]], "OrgBased_In": [["Org", "Loc"]], "Work_For": [["Peop", "Org"]]}}
    assert argument_types(RelationTask().read(relations_json)) == learned["relation_argument_types"]
    assert RelationTask().learn_from_data(RelationTask().read(relations_json), type_constraints=False) == {}


def test_training_pairs_whose_types_no_relation_takes_are_no_candidates(relations_json, tiny_encoder):
    import transformers

    task = RelationTask()
    examples = task.read(relations_json)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_encoder)
    label2id = {label: i for i, label in enumerate(task.label_set(examples))}
    features = task.training_features(examples, tokenizer, label2id, 64)
    # Alice/Acme/Paris: Peop→Org, Peop→Loc, Org→Loc; Bob/Rome: Peop→Loc. Org→Peop, Loc→… are never arguments.
    assert len(features) == 4
    assert sorted(f["labels"] for f in features) == sorted(label2id[r] for r in ["Work_For", "OrgBased_In", "Live_In", NO_RELATION])


def test_learned_argument_types_are_saved_with_the_model_and_read_back(trained, tiny_encoder, relations_json, tmp_path):
    from nlpkit.resolution.models import load_model
    from nlpkit_ner.relations import saved_argument_types

    card = json.loads((trained / "re-model" / "nlpkit.json").read_text())
    assert card["learned"]["relation_argument_types"]["Work_For"] == [["Peop", "Org"]]
    loaded = load_model(str(trained / "re-model"), RelationTask())
    assert saved_argument_types(loaded.meta) == {"Live_In": {("Peop", "Loc")}, "OrgBased_In": {("Org", "Loc")}, "Work_For": {("Peop", "Org")}}
    plain = tmp_path / "plain"
    nlpkit.finetune("relations", model=str(trained / "re-model"), train=str(relations_json), output=plain,
                    config=TrainConfig(max_steps=1, progress=False, task_options={"type_constraints": False}))
    assert "learned" not in json.loads((plain / "nlpkit.json").read_text())  # not the base model's, learned from other data


class FixedAnswer:
    """A pure-Python relations model that answers `label` for every pair and records the pairs it saw."""

    def __new__(cls, label: str, learned: dict | None):
        from nlpkit.contracts.models import Model
        from nlpkit.contracts.tasks import Head

        class Fixed(Model):
            backend = "fixed"

            def __init__(self) -> None:
                super().__init__(head=Head.SEQUENCE_CLASSIFICATION, labels=["Live_In", "Work_For", NO_RELATION], source="fixed", meta={"learned": learned} if learned else {})
                self.seen: list[list[str]] = []

            @property
            def max_length(self) -> int:
                return 64

            def knows_tokens(self, tokens):
                return True

            def classify_marked(self, items, markers, *, logit_bias=None, batch_size=32, stats=None, progress=False):
                self.seen += [words for words, _, _ in items]
                return [[float(label == name) for name in self.labels] for _ in items]

            def save(self, folder):
                return []

        return Fixed()


def _alice_example():
    from nlpkit_ner.records import NerExample, RelationExample

    sentence = NerExample.from_tokens(["Alice", "of", "Acme", "met", "Bob", "in", "Paris"])
    return RelationExample(sentence=sentence, entities=[(0, 1, "Peop"), (2, 3, "Org"), (4, 5, "Peop"), (6, 7, "Loc")])


LEARNED = {"relation_argument_types": {"Live_In": [["Peop", "Loc"]], "Work_For": [["Peop", "Org"]]}}


def test_prediction_classifies_only_pairs_whose_types_some_relation_takes():
    model = FixedAnswer(NO_RELATION, LEARNED)
    RelationTask().predict(model, [_alice_example()], entities="gold")
    heads_tails = sorted((words[words.index("[E1]") + 1], words[words.index("[E2]") + 1]) for words in model.seen)
    assert heads_tails == [("Peop", "Loc"), ("Peop", "Loc"), ("Peop", "Org"), ("Peop", "Org")]
    unconstrained = FixedAnswer(NO_RELATION, LEARNED)
    RelationTask().predict(unconstrained, [_alice_example()], entities="gold", type_constraints=False)
    assert len(unconstrained.seen) == 12  # every ordered pair of the 4 entities


def test_a_predicted_relation_whose_argument_types_never_occurred_with_it_is_dropped():
    [found] = RelationTask().predict(FixedAnswer("Work_For", LEARNED), [_alice_example()], entities="gold")
    assert sorted((r.head.text, r.tail.text) for r in found.relations) == [("Alice", "Acme"), ("Bob", "Acme")]  # not Peop→Loc
    assert all(r.type == "Work_For" for r in found.relations)
    [free] = RelationTask().predict(FixedAnswer("Work_For", None), [_alice_example()], entities="gold")
    assert len(free.relations) == 12  # a model without learned types (older folder): every pair, every answer kept


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_encoder, tiny_ner_model, relations_json):
    """A tiny NER model and a relations model fine-tuned with `-O ner_model=…`."""
    folder = tmp_path_factory.mktemp("re")
    shutil.copytree(tiny_ner_model, folder / "ner-model")
    nlpkit.finetune("relations", model=str(tiny_encoder), train=str(relations_json), output=folder / "re-model",
                    config=TrainConfig(max_steps=1, progress=False, task_options={"ner_model": str(folder / "ner-model")}))
    return folder


def test_relations_folder_runs_ner_then_pairs_with_no_other_flags(trained):
    text = "Alice works for Acme in Paris."
    [found] = nlpkit.predict("relations", [text], model=str(trained / "re-model"))
    assert isinstance(found, Extraction)
    for entity in found.entities:
        assert text[entity.start : entity.end] == entity.text and entity.score is not None
    for relation in found.relations:
        assert relation.head in found.entities and relation.tail in found.entities and relation.head != relation.tail
        assert relation.type != NO_RELATION


def test_saved_relations_model_has_marker_tokens(trained):
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(trained / "re-model")
    assert all(len(tokenizer.tokenize(m)) == 1 for m in MARKERS)


def test_an_ner_sub_folder_is_found_without_metadata(trained, tmp_path):
    copy = tmp_path / "re-copy"
    shutil.copytree(trained / "re-model", copy)
    card = json.loads((copy / "nlpkit.json").read_text())
    card["training"]["task_options"] = {}
    (copy / "nlpkit.json").write_text(json.dumps(card))
    with pytest.raises(NlpkitError, match="no entities given and no NER model"):
        nlpkit.predict("relations", ["Alice works for Acme."], model=str(copy))
    shutil.copytree(trained / "ner-model", copy / "ner")
    assert nlpkit.predict("relations", ["Alice works for Acme."], model=str(copy))


def test_gold_entities_are_used_as_given_and_scored_strictly(trained, relations_json):
    task = RelationTask()
    examples = task.read(relations_json)
    found = nlpkit.predict("relations", examples, model=str(trained / "re-model"), options={"entities": "gold"})
    assert [e.text for e in found[0].entities] == ["Alice", "Acme", "Paris"]
    scores = nlpkit.score("relations", found, examples)
    assert 0.0 <= scores["relation_f1"]["f1"] <= 1.0 and "macro_f1" in scores["relation_macro_f1"]


def test_semeval_pairs_get_one_directional_label_each(tiny_encoder, semeval, tmp_path):
    out = tmp_path / "semeval-model"
    nlpkit.finetune("relations", model=str(tiny_encoder), train=str(semeval), output=out, config=TrainConfig(max_steps=1, progress=False))
    examples = RelationTask().read(semeval)
    found = nlpkit.predict("relations", examples, model=str(out))
    assert all(len(f.relations) == 1 for f in found)
    result = nlpkit.score("relations", found, examples, metrics=["semeval_f1"])
    assert "Other" not in result["semeval_f1"]["per_type"]


def test_pairs_are_classified_from_the_marker_states(trained):
    import torch
    import transformers

    from nlpkit.engines.pooling import marker_logits

    network = transformers.AutoModelForSequenceClassification.from_pretrained(trained / "re-model").eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(trained / "re-model")
    ids = torch.tensor([tokenizer.convert_tokens_to_ids(["[CLS]", "bob", "[E1]", "bob", "[/E1]", "in", "[E2]", "rome", "[/E2]", "[SEP]"])])
    hidden = network.base_model(input_ids=ids).last_hidden_state[0]
    expected = network.classifier((hidden[2] + hidden[6]) / 2)
    assert torch.allclose(marker_logits(network, ids, torch.ones_like(ids), tuple(tokenizer.convert_tokens_to_ids(["[E1]", "[E2]"])))[0], expected, atol=1e-5)


def test_training_on_a_negative_subsample_is_undone_by_a_prior_shift():
    import math

    from nlpkit_ner.relations import no_relation_offset

    meta = {"training": {"task_options": {"negative_fraction": 0.25}}}
    assert no_relation_offset(meta, ["Work_For", NO_RELATION]) == pytest.approx(math.log(4))
    assert no_relation_offset({}, ["Work_For", NO_RELATION]) == 0.0
    assert no_relation_offset(meta, ["Cause-Effect(e1,e2)", "Other"]) == 0.0


def test_gold_relation_type_unknown_to_the_model_is_an_error_not_a_silent_miss(tiny_encoder, semeval, tmp_path):
    out = tmp_path / "semeval-model"
    nlpkit.finetune("relations", model=str(tiny_encoder), train=str(semeval), output=out, config=TrainConfig(max_steps=1, progress=False))
    gold = tmp_path / "TEST_FILE.TXT"
    gold.write_text(semeval.read_text().replace("Content-Container(e2,e1)", "Member-Collection(e2,e1)"), encoding="utf-8")
    with pytest.raises(NlpkitError, match=r"'Member-Collection\(e2,e1\)' cannot be mapped"):
        nlpkit.evaluate("relations", model=str(out), data=str(gold), options={"entities": "gold"})


# bounded memory on long texts (issue 10 item 4) ------------------------------------------------
class PairCounter:
    """A pure-Python model of the contract that records how many marked pairs each call holds."""

    def __new__(cls, reach: int):
        from nlpkit.contracts.models import Model
        from nlpkit.contracts.tasks import Head

        class Counter(Model):
            backend = "counter"

            def __init__(self) -> None:
                super().__init__(head=Head.SEQUENCE_CLASSIFICATION, labels=["Near", NO_RELATION], source="counter")
                self.calls: list[int] = []
                self.widest = 0

            @property
            def max_length(self) -> int:
                return reach

            def knows_tokens(self, tokens):
                return True

            def classify_marked(self, items, markers, *, logit_bias=None, batch_size=32, stats=None, progress=False):
                self.calls.append(len(items))
                self.widest = max(self.widest, max(last - first for _, first, last in items))
                return [[1.0, 0.0] if last - first <= 20 else [0.0, 1.0] for _, first, last in items]

            def save(self, folder):
                return []

        return Counter()


def test_entity_pairs_of_a_100k_character_text_are_streamed_in_bounded_chunks():
    from nlpkit_ner.records import RelationExample
    from nlpkit_ner.relations import PAIRS_PER_CALL
    from nlpkit_ner.words import example_from_text

    text = " ".join(f"Name{i} met someone in the old town there" for i in range(2500))  # ~100,000 characters, 2,500 entities
    assert len(text) >= 100_000
    sentence = example_from_text(text)
    spans = [(w, w + 1, "Peop") for w, token in enumerate(sentence.tokens) if token.startswith("Name")]
    model = PairCounter(reach=64)
    start = time.perf_counter()
    [found] = RelationTask().predict(model, [RelationExample(sentence=sentence, entities=spans)], batch_size=8, entities="gold")
    bound = 8 * PAIRS_PER_CALL
    assert max(model.calls) <= bound  # never more marked pairs held than one chunk (all pairs: 6,247,500)
    assert sum(model.calls) < 2500 * 16  # only neighbours within the model's reach: linear in the text
    assert model.widest <= 64 + 8  # the marked span of any classified pair fits the model (plus markers)
    assert found.relations and all(abs(r.head.start - r.tail.start) < 64 * 6 for r in found.relations)
    assert time.perf_counter() - start < 60  # marking a copy of the whole text per pair took 350 s


def test_pairs_within_reach_are_every_close_pair_in_candidate_order():
    from nlpkit_ner.relations import pairs_within

    spans = [(0, 1, "A"), (2, 4, "B"), (10, 11, "C"), (30, 31, "D")]
    every = [(h, t) for h in range(4) for t in range(4) if h != t]
    close = [(h, t) for h, t in every if max(spans[h][1], spans[t][1]) - min(spans[h][0], spans[t][0]) <= 11]
    assert list(pairs_within(spans, 11)) == close == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
    shuffled = [spans[2], spans[0], spans[3], spans[1]]  # not in text order: every pair is checked
    assert sorted(pairs_within(shuffled, 11)) == sorted((h, t) for h in range(4) for t in range(4) if h != t and max(shuffled[h][1], shuffled[t][1]) - min(shuffled[h][0], shuffled[t][0]) <= 11)


def test_a_suite_chains_an_ner_run_into_a_relations_model_that_runs_it(tmp_path, tiny_encoder, conll03, relations_json):
    from click.testing import CliRunner

    from nlpkit.cli import cli

    suite = tmp_path / "chain.toml"
    suite.write_text(f"""
[[runs]]
name = "ner"
task = "ner"
model = "{tiny_encoder}"
data = "{conll03}"
[runs.finetune]
data = "{conll03}"
max_steps = 1

[[runs]]
name = "re"
task = "relations"
model = "{tiny_encoder}"
data = "{relations_json}"
[runs.finetune]
data = "{relations_json}"
max_steps = 1
options = {{ ner_model = "run:ner" }}
""", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["bench", str(suite), "--output", str(out), "--bootstrap", "10"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    card = json.loads((out / "models" / "re" / "nlpkit.json").read_text())
    assert card["training"]["task_options"]["ner_model"] == str(out / "models" / "ner")  # the NER run's model, recorded
    assert card["learned"]["relation_argument_types"]["Live_In"] == [["Peop", "Loc"]]
    record = json.loads((out / "runs" / "re.json").read_text())
    assert record["status"] == "ok" and list(record["config"]["upstream"]) == ["ner"]  # a retrained NER model re-measures this run
