from nlpkit.heads.words import best_window, window_ids, windows


def test_a_sentence_that_fits_is_one_window():
    assert windows([[1], [2, 3]], budget=10) == [(0, 2)]


def test_long_sentences_become_overlapping_windows_that_cover_every_word():
    pieces = [[i, i] for i in range(20)]  # 40 sub-words
    ranges = windows(pieces, budget=10, overlap=4)
    assert ranges[0] == (0, 5) and ranges[-1][1] == 20
    for (s1, e1), (s2, e2) in zip(ranges, ranges[1:]):
        assert s2 < e1 and e2 > e1  # overlap and progress
    assert all(sum(len(p) for p in pieces[s:e]) <= 10 for s, e in ranges)


def test_each_word_is_read_from_the_window_where_it_has_most_context():
    picks = best_window([(0, 5), (3, 8)])
    assert picks[:3] == [0, 0, 0] and picks[5:] == [1, 1, 1]


def test_window_ids_mark_first_sub_words():
    ids, firsts = window_ids([[7, 8], [9]], 0, 2, 10, prefix=[101], suffix=[102])
    assert ids == [101, 7, 8, 9, 102] and firsts == [1, 3]


def test_words_the_tokenizer_drops_become_unk_with_a_counted_warning(tiny_encoder, caplog):
    import transformers

    from nlpkit.heads.words import encode_words

    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_encoder)
    with caplog.at_level("WARNING", logger="nlpkit.heads"):
        [pieces] = encode_words(tokenizer, [["Paris", "\ufe0f", "\ufe0f"]])
    assert pieces[1] == pieces[2] == [tokenizer.unk_token_id]
    assert "2 words the tokenizer reads as nothing ('\\ufe0f')" in caplog.text


def test_word_windows_read_every_word_of_a_long_sentence_exactly_once(tiny_encoder):
    import transformers

    from nlpkit.heads.words import word_windows

    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_encoder)
    long = ["good", "film"] * 20
    rows, sizes = word_windows(tokenizer, [["bad"], long], max_length=16, overlap=4)
    assert sizes == [1, 40]
    assert all(len(row.input_ids) <= 16 for row in rows)
    assert len([row for row in rows if row.sentence == 1]) > 1
    read = sorted(word for row in rows if row.sentence == 1 for word, _ in row.words)
    assert read == list(range(40))
    first = rows[0]
    assert first.sentence == 0 and first.words == [(0, 1)] and first.input_ids[0] == tokenizer.cls_token_id
