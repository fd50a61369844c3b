import pytest

from nlpkit_ner.tags import TagError, decode_spans, strict_spans, tags_from_spans, to_iob2


def test_iob1_becomes_iob2_with_b_at_every_entity_start():
    assert to_iob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"], "iob1") == ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG"]


def test_iob2_forbids_i_after_o_and_names_the_position():
    with pytest.raises(TagError) as err:
        to_iob2(["B-PER", "O", "I-PER"], "iob2")
    assert err.value.index == 2 and "not allowed in IOB2" in str(err.value)


def test_iob2_forbids_i_of_another_type():
    with pytest.raises(TagError):
        to_iob2(["B-PER", "I-LOC"], "iob2")


def test_unknown_tags_and_types_are_rejected():
    with pytest.raises(TagError, match="unknown tag"):
        to_iob2(["PER"], "iob2")
    with pytest.raises(TagError, match="unknown entity type"):
        to_iob2(["B-FOO"], "iob2", types=["PER"])


def test_decoding_starts_a_new_entity_at_an_i_after_o_or_another_type():
    assert decode_spans(["I-PER", "I-PER", "O", "I-LOC", "I-ORG", "B-ORG", "I-ORG"]) == [(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "ORG"), (5, 7, "ORG")]


def test_strict_reading_drops_stray_i_tags():
    assert strict_spans(["I-PER", "B-LOC", "I-LOC", "I-ORG", "O"]) == [(1, 3, "LOC")]


def test_spans_round_trip_through_tags():
    spans = [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC")]
    assert decode_spans(tags_from_spans(5, spans)) == spans
