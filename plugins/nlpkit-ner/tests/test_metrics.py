import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpkit.contracts.errors import NlpkitError
from nlpkit.resolution import metrics
from nlpkit_ner.metrics.entities import EntityF1, entities
from nlpkit_ner.metrics.relations import RelationF1, SemEvalF1


def test_strict_mode_equals_seqeval_strict_iob2():
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    rng = random.Random(0)
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    refs = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-LOC", "I-LOC", "I-LOC"], ["B-PER", "B-PER", "O", "O"]] * 3
    preds = [[rng.choice(tags) for _ in ref] for ref in refs]  # includes stray I- tags
    ours = EntityF1.score(preds, refs, mode="strict")
    theirs = classification_report(refs, preds, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    assert ours["f1"] == pytest.approx(theirs["micro avg"]["f1-score"])
    assert ours["precision"] == pytest.approx(theirs["micro avg"]["precision"])
    for type_ in ("PER", "LOC"):
        assert ours["per_type"][type_]["f1"] == pytest.approx(theirs[type_]["f1-score"])
        assert ours["per_type"][type_]["support"] == theirs[type_]["support"]


def test_entity_f1_needs_a_right_type_and_both_boundaries():
    result = EntityF1.score([["B-PER", "I-PER", "O"], ["B-ORG", "O", "O"]], [["B-PER", "O", "O"], ["B-LOC", "O", "O"]])
    assert result["f1"] == 0.0 and result["per_type"]["PER"]["support"] == 1


def test_seqeval_is_the_lenient_default_and_seqeval_strict_the_strict_mode_each_recorded():
    preds, refs = [["O", "I-PER", "I-PER", "O"]], [["O", "B-PER", "I-PER", "O"]]
    lenient, strict = metrics.score("seqeval", preds, refs), metrics.score("seqeval_strict", preds, refs)
    assert (lenient["f1"], lenient["mode"]) == (1.0, "default")
    assert (strict["f1"], strict["mode"]) == (0.0, "strict")
    assert lenient["scheme"] == strict["scheme"] == "IOB2"


def test_iob1_gold_under_the_default_iob2_scheme_is_an_error_naming_sentence_and_position():
    # IOB1: an entity after O starts with I-; under IOB2 that gold is malformed
    with pytest.raises(NlpkitError, match=r"references\[1\], position 2: tag 'I-LOC' after 'O' is not IOB2.*scheme='IOB1'"):
        EntityF1.score([["O"], ["O", "O", "B-LOC"]], [["O"], ["O", "O", "I-LOC"]], mode="strict")


def test_declared_iob1_gold_is_converted_to_iob2_before_scoring():
    refs = [["I-PER", "I-PER", "O", "I-LOC", "B-LOC"]]  # raw CoNLL-2003 style
    preds = [["B-PER", "I-PER", "O", "B-LOC", "B-LOC"]]
    for mode in ("default", "strict"):
        result = EntityF1.score(preds, refs, mode=mode, scheme="IOB1")
        assert result["f1"] == 1.0 and result["support"] == 3 and result["scheme"] == "IOB1"


@pytest.mark.parametrize(("tag", "hint"), [("S-PER", "scheme='IOBES'"), ("b-per", "upper case"), ("PER", "expected O or B-TYPE/I-TYPE")])
def test_a_tag_outside_the_scheme_is_an_error_in_either_mode(tag, hint):
    for mode in ("default", "strict"):
        with pytest.raises(NlpkitError, match=rf"predictions\[0\], position 1: tag '{tag}' is not IOB2.*{hint}"):
            EntityF1.score([["O", tag]], [["O", "O"]], mode=mode)


def test_iobes_is_accepted_when_declared_and_malformed_iobes_gold_is_an_error():
    refs, preds = [["S-PER", "B-LOC", "E-LOC"]], [["S-PER", "B-LOC", "I-LOC"]]
    assert EntityF1.score(preds, refs, scheme="IOBES", mode="strict")["f1"] == pytest.approx(2 / 3)
    with pytest.raises(NlpkitError, match=r"references\[0\], position 3: the end of the sentence after 'I-LOC' is not IOBES"):
        EntityF1.score(refs, preds, scheme="IOBES")


def test_an_unknown_mode_or_scheme_is_an_error_listing_the_choices():
    with pytest.raises(NlpkitError, match="modes: default, strict"):
        EntityF1.score([["O"]], [["O"]], mode="lenient")
    with pytest.raises(NlpkitError, match="schemes: IOB2, IOB1, IOBES"):
        EntityF1.score([["O"]], [["O"]], scheme="BILOU")


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(1, 3), st.sampled_from(["PER", "LOC"])), max_size=5))
def test_the_ner_decoders_tags_are_valid_iob2_so_lenient_and_strict_read_the_same_entities(raw):
    """nlpkit's NER task turns predicted entities into tags with `tags_from_spans`: always
    valid IOB2, so its own predictions score the same under `seqeval` and `seqeval_strict`."""
    from nlpkit_ner.iob import check_scheme
    from nlpkit_ner.tags import tags_from_spans

    spans, taken = [], set()
    for start, length, type_ in raw:  # non-overlapping, as the decoder emits them
        cells = set(range(start, min(start + length, 12)))
        if not cells & taken:
            taken |= cells
            spans.append((start, max(cells) + 1, type_))
    tags = tags_from_spans(12, spans)
    assert check_scheme(tags, "IOB2", where="predictions[0]", gold=True) == tags
    assert entities(tuple(tags), "default", "IOB2") == entities(tuple(tags), "strict", "IOB2") == frozenset(spans)


def test_strict_relation_f1_counts_entity_types():
    gold = [[["0", "4", "Peop", "10", "14", "Org", "Work_For"]], [["0", "3", "Peop", "8", "12", "Loc", "Live_In"]]]
    pred = [[["0", "4", "Peop", "10", "14", "Org", "Work_For"]], [["0", "3", "Org", "8", "12", "Loc", "Live_In"]]]
    result = RelationF1.score(pred, gold)
    assert result["f1"] == pytest.approx(0.5)
    assert result["per_type"]["Work_For"]["f1"] == 1.0 and result["per_type"]["Live_In"]["f1"] == 0.0
    assert result["macro_f1"] == pytest.approx(0.5)


def test_semeval_score_counts_a_wrong_direction_as_wrong_and_leaves_out_other():
    refs = ["Cause-Effect(e1,e2)", "Cause-Effect(e2,e1)", "Other", "Other"]
    preds = ["Cause-Effect(e1,e2)", "Cause-Effect(e1,e2)", "Other", "Cause-Effect(e1,e2)"]
    result = SemEvalF1.score(preds, refs)
    assert set(result["per_type"]) == {"Cause-Effect"}
    # 1 right of 3 predicted Cause-Effect, of 2 gold Cause-Effect
    assert result["per_type"]["Cause-Effect"]["precision"] == pytest.approx(1 / 3)
    assert result["per_type"]["Cause-Effect"]["recall"] == pytest.approx(1 / 2)
    assert result["f1"] == pytest.approx(0.4)


def test_semeval_macro_f1_averages_over_the_keys_relations_only():
    # Message-Topic is only predicted: it costs nothing in the average (the official scorer
    # warns about it), so the one key relation, right, gives 1.0
    result = SemEvalF1.score(["Cause-Effect(e1,e2)", "Other", "Message-Topic(e1,e2)"], ["Cause-Effect(e1,e2)", "Other", "Other"])
    assert result["f1"] == 1.0 and set(result["per_type"]) == {"Cause-Effect"}
    assert result["predicted_not_in_key"] == ["Message-Topic"]


def test_symmetric_relation_types_match_whatever_the_argument_order():
    gold = [[["0", "4", "Peop", "10", "14", "Peop", "Kill"]]]
    swapped = [[["10", "14", "Peop", "0", "4", "Peop", "Kill"]]]
    assert RelationF1.score(swapped, gold)["f1"] == 0.0
    result = RelationF1.score(swapped, gold, symmetric=["Kill"])
    assert result["f1"] == 1.0 and result["symmetric"] == ["Kill"]


def test_every_spert_style_relation_dataset_declares_its_symmetric_types():
    from nlpkit.plugins import get_manager
    from nlpkit_ner.plugin import SYMMETRIC_RELATION_TYPES

    datasets = get_manager().registries["datasets"]
    for name in ("conll04", "ade"):
        assert SYMMETRIC_RELATION_TYPES[name] == []
        assert datasets.get(name).description.endswith("symmetric relation types: none")
