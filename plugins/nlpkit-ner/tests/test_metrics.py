import random

import pytest

from nlpkit_ner.metrics.entities import EntityF1
from nlpkit_ner.metrics.relations import RelationF1, SemEvalF1


def test_entity_f1_equals_seqeval_strict_iob2():
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    rng = random.Random(0)
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    refs = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-LOC", "I-LOC", "I-LOC"], ["B-PER", "B-PER", "O", "O"]] * 3
    preds = [[rng.choice(tags) for _ in ref] for ref in refs]  # includes stray I- tags
    ours = EntityF1.score(preds, refs)
    theirs = classification_report(refs, preds, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    assert ours["f1"] == pytest.approx(theirs["micro avg"]["f1-score"])
    assert ours["precision"] == pytest.approx(theirs["micro avg"]["precision"])
    for type_ in ("PER", "LOC"):
        assert ours["per_type"][type_]["f1"] == pytest.approx(theirs[type_]["f1-score"])
        assert ours["per_type"][type_]["support"] == theirs[type_]["support"]


def test_entity_f1_needs_a_right_type_and_both_boundaries():
    result = EntityF1.score([["B-PER", "I-PER", "O"], ["B-ORG", "O", "O"]], [["B-PER", "O", "O"], ["B-LOC", "O", "O"]])
    assert result["f1"] == 0.0 and result["per_type"]["PER"]["support"] == 1


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
