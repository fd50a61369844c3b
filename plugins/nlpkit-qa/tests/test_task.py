"""The qa task end to end: predict, options, scoring, fine-tuning, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import nlpkit
from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.inference import InferenceStats
from nlpkit_qa.records import GoldAnswer, QAExample, RankedAnswers
from nlpkit_qa.testing import CONTEXT, QUIRKY


@pytest.fixture(scope="module")
def model(tiny_qa: Path, task: Any) -> Any:
    return nlpkit.load_model(str(tiny_qa), task)


def test_answers_are_exact_spans_of_the_original_context(model: Any, task: Any) -> None:
    inputs = [QAExample("What do they serve?", QUIRKY), QAExample("Where did the cat sit?", CONTEXT)]
    answers = task.predict(model, inputs, max_length=24, doc_stride=6)
    for answer, example in zip(answers, inputs):
        assert answer.text and example.context[answer.start : answer.end] == answer.text
        assert 0 < answer.score <= 1


def test_answer_is_the_same_whatever_the_batch_and_window_neighbours(model: Any, task: Any) -> None:
    long_context = " ".join([CONTEXT] * 4)
    questions = [QAExample(q, long_context) for q in ("Where did the cat sit?", "Where did the dog sleep?", "What?")]
    together = task.predict(model, questions, batch_size=8, max_length=32, doc_stride=8)
    alone = [task.predict(model, [q], batch_size=1, max_length=32, doc_stride=8)[0] for q in questions]
    assert [(a.start, a.end) for a in together] == [(a.start, a.end) for a in alone]


def test_questions_about_one_context_share_batches_and_stats_count_questions(model: Any, task: Any) -> None:
    stats = InferenceStats()
    questions = [QAExample(f"where did the cat sit {i}?", CONTEXT) for i in range(10)]
    task.predict(model, questions, batch_size=16, stats=stats)
    assert stats.examples == 10 and len(stats.batch_seconds) == 1


def test_top_k_returns_distinct_ranked_answers(model: Any, task: Any) -> None:
    (ranked,) = task.predict(model, [QAExample("Where did the cat sit?", CONTEXT)], top_k=4)
    assert isinstance(ranked, RankedAnswers) and len(ranked.answers) == 4
    assert len({(a.start, a.end) for a in ranked.answers}) == 4
    assert [a.score for a in ranked.answers] == sorted((a.score for a in ranked.answers), reverse=True)
    assert ranked.to_dict()["answers"][0]["text"] == ranked.answers[0].text


def test_max_answer_length_bounds_the_span_in_tokens(model: Any, task: Any) -> None:
    answers = task.predict(model, [QAExample(q, CONTEXT) for q in ("Where?", "What?", "Who?")], max_answer_length=1, top_k=5)
    assert all(" " not in a.text for ranked in answers for a in ranked.answers)


def test_no_answer_threshold_lets_the_empty_answer_win(model: Any, task: Any) -> None:
    (answer,) = task.predict(model, [QAExample("Who flew?", CONTEXT)], no_answer_threshold=-1e9)
    assert (answer.text, answer.start, answer.end) == ("", 0, 0)


def test_context_option_supplies_the_context_of_command_line_questions(model: Any, task: Any) -> None:
    inputs = task.parse_inputs(["Where did the cat sit?", json.dumps({"question": "What?", "context": QUIRKY})])
    answers = task.predict(model, inputs, context=CONTEXT)
    assert CONTEXT[answers[0].start : answers[0].end] == answers[0].text
    assert QUIRKY[answers[1].start : answers[1].end] == answers[1].text
    with pytest.raises(NlpkitError, match="no context"):
        task.predict(model, task.parse_inputs(["Where?"]))
    with pytest.raises(NlpkitError, match="has no option 'topk'"):
        task.predict(model, inputs, context=CONTEXT, topk=2)


def test_text_file_inputs_are_questions_one_per_line(task: Any, tmp_path: Path) -> None:
    path = tmp_path / "questions.txt"
    path.write_text("Where did the cat sit?\n\nWho slept?\n", encoding="utf-8")
    assert [(ex.question, ex.source, ex.context) for ex in task.read_inputs(path)] == [("Where did the cat sit?", f"{path}:1", None), ("Who slept?", f"{path}:3", None)]


def test_empty_question_is_rejected(task: Any) -> None:
    with pytest.raises(NlpkitError, match="argument 2: empty question"):
        task.parse_inputs(["Where?", "  "])


def test_scoring_uses_every_gold_answer(task: Any, squad_v1: Path) -> None:
    examples = task.read(squad_v1)
    predictions = [nlpkit.Answer("the mat", 15, 22, 0.9), nlpkit.Answer("garden", 45, 51, 0.5), RankedAnswers([nlpkit.Answer("naïve\ttea", 0, 1, 1.0)])]
    result = nlpkit.score(task, predictions, examples)
    assert result["squad"]["exact_match"] == pytest.approx(200 / 3)
    assert result["squad"]["f1"] == pytest.approx(100 * (1 + 2 / 3 + 1) / 3)  # "garden" vs "in the garden"


def test_v2_data_scores_unanswerable_questions_with_the_no_answer_threshold(model: Any, squad_v2: Path) -> None:
    result = nlpkit.evaluate("qa", model=model, data=str(squad_v2), metrics=["squad_v2"], options={"no_answer_threshold": -1e9})
    assert result.metrics["squad_v2"]["NoAns_exact"] == 100.0 and result.metrics["squad_v2"]["HasAns_total"] == 1


def test_finetuned_folder_predicts_with_no_other_settings(tiny_qa: Path, task: Any, squad_v1: Path, tmp_path: Path) -> None:
    config = nlpkit.TrainConfig(max_steps=3, batch_size=2, max_length=32, progress=False, save_steps=100, task_options={"doc_stride": 8})
    result = nlpkit.finetune(task, model=str(tiny_qa), train=str(squad_v1), eval=str(squad_v1), output=tmp_path / "qa-model", config=config)
    assert set(result.metrics["squad"]) == {"exact_match", "f1"}
    (answer,) = nlpkit.predict("qa", [QAExample("Where did the cat sit?", CONTEXT)], model=str(result.output))
    assert CONTEXT[answer.start : answer.end] == answer.text


def test_cli_predicts_questions_against_a_context_option(tiny_qa: Path) -> None:
    from nlpkit.cli import cli

    run = CliRunner().invoke(cli, ["predict", "qa", "--model", str(tiny_qa), "-O", f"context={CONTEXT}", "-O", "top_k=2", "Where did the cat sit?", "Where did the dog sleep?"])
    assert run.exit_code == 0, run.output
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(rows) == 2 and all(len(r["answers"]) == 2 for r in rows)


def test_cli_reports_a_broken_answer_offset_in_one_line(tiny_qa: Path, tmp_path: Path) -> None:
    from nlpkit.cli import cli

    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x1", "question": "Where?", "context": CONTEXT, "answers": [{"text": "the mat", "answer_start": 3}]}) + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["evaluate", "qa", "--model", str(tiny_qa), "--data", str(path)])
    assert run.exit_code == 2
    assert f"{path}:1: record (id x1), field 'answers[0]': answer 'the mat' is not at answer_start 3" in run.output


def test_reader_hint_on_bad_answer_is_passable_from_the_command_line(tmp_path: Path, tiny_qa: Path) -> None:
    from nlpkit.cli import cli
    from nlpkit_qa.testing import SQUAD_V1, write_json

    data = json.loads(json.dumps(SQUAD_V1))
    data["data"][0]["paragraphs"][0]["qas"][1]["answers"][0]["answer_start"] = 40  # shifted: the reader refuses it by default
    path = write_json(tmp_path / "dirty.json", data)
    args = ["evaluate", "qa", "--model", str(tiny_qa), "--data", str(path), "--json"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "answer_start 40" in refused.output
    fixed = CliRunner().invoke(cli, [*args, "-O", "on_bad_answer=fix"])
    assert fixed.exit_code == 0, fixed.output
    assert json.loads(fixed.stdout)["examples"] == 3
    wrong = CliRunner().invoke(cli, [*args, "-O", "on_bad_answer=ignore"])
    assert wrong.exit_code == 2 and "option 'on_bad_answer' of task 'qa' must be one of error, fix, skip" in wrong.output


def test_no_answer_windows_option_reaches_training_and_is_not_a_predict_option(task: Any, tokenizer: Any, model: Any) -> None:
    long_context = CONTEXT + " " + " ".join(["the cat sat on the mat ."] * 8)
    examples = [QAExample("Where did the dog sleep?", long_context, [GoldAnswer("in the garden", 38)])]
    every = task.training_features(examples, tokenizer, None, 32, doc_stride=8)
    only = task.training_features(examples, tokenizer, None, 32, doc_stride=8, no_answer_windows=0)
    assert len(only) == 1 < len(every) and only[0]["start_positions"] != 0
    assert "no_answer_windows" not in task.resolve_options("predict", {"no_answer_windows": 0.5}, model)
