import pytest

from nlpkit.contracts.errors import DataError
from nlpkit_ner.semeval import read_semeval


def test_markup_becomes_two_nominals_and_one_directional_pair(semeval):
    examples = read_semeval(semeval)
    first = examples[0]
    assert first.sentence.text == "The smoke came from a small fire."
    assert [first.sentence.entity(s, e, t).text for s, e, t in first.entities] == ["smoke", "fire"]
    assert first.relations == [(0, 1, "Cause-Effect(e2,e1)")] and first.pairs == [(0, 1)]
    assert examples[2].relations == [(0, 1, "Other")]


def test_unknown_label_names_file_and_line(tmp_path):
    path = tmp_path / "TRAIN_FILE.TXT"
    path.write_text('1\t"A <e1>b</e1> c <e2>d</e2>."\nCause-Effect\nComment:\n')
    with pytest.raises(DataError, match=r"TRAIN_FILE.TXT:2: field 'label': unknown label 'Cause-Effect'"):
        read_semeval(path)


def test_missing_markup_is_an_error(tmp_path):
    path = tmp_path / "TRAIN_FILE.TXT"
    path.write_text('1\t"A <e1>b</e1> c d."\nOther\nComment:\n')
    with pytest.raises(DataError, match=r":1: field 'sentence': needs exactly one"):
        read_semeval(path)
