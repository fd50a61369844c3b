import pytest

from nlpkit.contracts.errors import DataError
from nlpkit_ner.conll import read_conll


def test_conll2003_layout_skips_docstart_and_converts_iob1(conll03):
    examples = read_conll(conll03)
    assert [ex.tokens[0] for ex in examples] == ["Alice", "Bob"]
    assert examples[1].tags == ["B-PER", "I-PER", "O", "B-ORG", "I-ORG", "O", "B-LOC", "B-LOC"]
    assert examples[1].text == "Bob Smith joined Acme Corp in Rome Berlin"
    assert examples[1].source.endswith(":8")


def test_tab_separated_two_column_files_are_iob2(wnut):
    examples = read_conll(wnut, types=["person", "location"])
    assert examples[1].tags == ["B-person", "I-person"]


def test_wrong_column_count_names_file_and_line(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text("Alice\tB-PER\nvisited\tO\tX\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.conll:2: 3 columns where the file has 2"):
        read_conll(path)


def test_unknown_tag_names_file_and_line(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text("Alice\tB-PER\n\nParis\tLOCATION\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.conll:3: field 'tag': unknown tag 'LOCATION'"):
        read_conll(path)


def test_forbidden_i_tag_names_file_and_line(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text("Alice\tB-PER\nvisited\tO\nParis\tI-LOC\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.conll:3: .*'I-LOC' after 'O' is not allowed in IOB2"):
        read_conll(path)


def test_unlabelled_one_column_file_reads_as_input_only(tmp_path):
    path = tmp_path / "words.conll"
    path.write_text("Alice\nvisited\nParis\n", encoding="utf-8")
    assert read_conll(path, require_labels=False)[0].tags is None
    with pytest.raises(DataError, match="no tag column"):
        read_conll(path)


def test_utf8_bom_is_not_glued_to_the_first_token(tmp_path, conll03):
    path = tmp_path / "bom.conll"
    path.write_bytes(b"\xef\xbb\xbf" + conll03.read_bytes())
    plain = read_conll(conll03)
    with_bom = read_conll(path)
    assert [ex.tokens for ex in with_bom] == [ex.tokens for ex in plain]
    assert [ex.tags for ex in with_bom] == [ex.tags for ex in plain]  # the scheme guess sees -DOCSTART- too


def test_utf8_bom_before_a_wnut_token_keeps_its_offsets(tmp_path, wnut):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + wnut.read_bytes())
    first = read_conll(path)[0]
    assert first.tokens[0] == "Carol" and first.text.startswith("Carol ")


def test_empty_conll_file_is_a_data_error(tmp_path):
    path = tmp_path / "empty.conll"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"empty\.conll: file is empty"):
        read_conll(path)
