from nlpkit.heads.spans import Window, question_counter


def window(example: int) -> Window:
    return Window(example, [1], None, [None], 0)


def test_question_counter_counts_a_question_in_the_batch_running_its_last_window():
    windows = [window(0), window(0), window(1), window(2)]
    count = question_counter(windows, 3)
    assert count([0, 2]) == 1  # question 1 done, question 0 has a window left
    assert count([1, 3]) == 2
