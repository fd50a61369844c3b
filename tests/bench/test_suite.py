"""Suite files: sweeps expand, and every bad name fails before a run starts, located."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpkit.bench.suite import SuiteError, load_suite

GOOD = """
[suite]
name = "demo"
bootstrap = 50

[[runs]]
name = "base"
task = "sentiment"
model = "tfidf-logreg"
data = "{data}"
[runs.finetune]
data = "{data}"
limits = [4, 8]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_training_size_sweep_expands_into_one_run_per_size(tmp_path: Path, sentiment_tsv: Path) -> None:
    suite = load_suite(str(write(tmp_path, GOOD.format(data=sentiment_tsv))))
    assert [r.name for r in suite.runs] == ["base-4", "base-8"]
    assert [r.finetune.limit for r in suite.runs] == [4, 8]
    assert suite.runs[0].bootstrap == 50
    assert suite.runs[0].fingerprint() != suite.runs[1].fingerprint()


def test_unknown_key_names_file_line_and_close_match(tmp_path: Path, sentiment_tsv: Path) -> None:
    text = GOOD.format(data=sentiment_tsv).replace('model = "tfidf-logreg"', 'model = "tfidf-logreg"\nmetrcs = ["accuracy"]')
    with pytest.raises(SuiteError, match=r"suite\.toml:10: unknown key 'metrcs' in \[\[runs\]\]; did you mean 'metrics'\?"):
        load_suite(str(write(tmp_path, text)))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('task = "sentiment"', 'task = "sentimnt"', "unknown task 'sentimnt'; did you mean 'sentiment'"),
        ('model = "tfidf-logreg"', 'model = "./no/such/folder"', "model folder ./no/such/folder does not exist"),
        ('name = "base"', 'name = "base"\nmetrics = ["acuracy"]', "unknown metric 'acuracy'; did you mean 'accuracy'"),
    ],
)
def test_unknown_names_fail_before_any_run_with_the_run_line(tmp_path: Path, sentiment_tsv: Path, old: str, new: str, message: str) -> None:
    text = GOOD.format(data=sentiment_tsv).replace(old, new)
    with pytest.raises(SuiteError, match=r"suite\.toml:6: run 'base-4': " + message.replace("(", r"\(").replace(".", r"\.")):
        load_suite(str(write(tmp_path, text)))


def test_unknown_dataset_split_lists_the_real_ones(tmp_path: Path) -> None:
    text = '[[runs]]\nname = "x"\ntask = "sentiment"\nmodel = "minilm"\ndataset = "sst2"\nsplit = "test"\n'
    with pytest.raises(SuiteError, match="dataset 'sst2' has no split 'test'"):
        load_suite(str(write(tmp_path, text)))


def test_unknown_registered_suite_name_suggests_close_ones() -> None:
    with pytest.raises(Exception, match="unknown suite 'nothing-like-it'"):
        load_suite("nothing-like-it")


def test_device_and_precision_come_from_the_suite_unless_a_run_sets_them(tmp_path: Path, sentiment_tsv: Path) -> None:
    text = GOOD.format(data=sentiment_tsv).replace('bootstrap = 50', 'bootstrap = 50\ndevice = "CPU"\nprecision = "fp32"')
    text += f'\n[[runs]]\nname = "other"\ntask = "sentiment"\nmodel = "tfidf-logreg"\ndata = "{sentiment_tsv}"\ndevice = "cuda:1"\nprecision = "auto"\n'
    runs = {r.name: r for r in load_suite(str(write(tmp_path, text))).runs}
    assert (runs["base-4"].device, runs["base-4"].precision) == ("cpu", "fp32")
    assert (runs["other"].device, runs["other"].precision) == ("cuda:1", "auto")
    assert runs["base-4"].fingerprint() != load_suite(str(write(tmp_path, text.replace('device = "CPU"', 'device = "mps"')))).runs[0].fingerprint()


@pytest.mark.parametrize(
    ("line", "message"),
    [('device = "gpu"', "unknown device 'gpu'; expected auto, cpu, cuda, cuda:N or mps"), ('precision = "half"', "unknown precision 'half'"), ("device = 0", "device must be a string")],
)
def test_bad_device_or_precision_names_file_and_line(tmp_path: Path, sentiment_tsv: Path, line: str, message: str) -> None:
    text = GOOD.format(data=sentiment_tsv).replace('model = "tfidf-logreg"', f'model = "tfidf-logreg"\n{line}')
    with pytest.raises(SuiteError, match=rf"suite\.toml:10: {message}"):
        load_suite(str(write(tmp_path, text)))


def test_finetune_schedule_keys_reach_the_run(tmp_path: Path, sentiment_tsv: Path) -> None:
    keys = 'warmup_ratio = 0.1\nweight_decay = 0.0\nlr_scheduler = "cosine"\ngradient_accumulation_steps = 2\n'
    suite = load_suite(str(write(tmp_path, GOOD.format(data=sentiment_tsv) + keys)))
    spec = suite.runs[0].finetune
    assert (spec.warmup_ratio, spec.weight_decay, spec.lr_scheduler, spec.gradient_accumulation_steps) == (0.1, 0.0, "cosine", 2)
    plain = load_suite(str(write(tmp_path, GOOD.format(data=sentiment_tsv))))
    assert suite.runs[0].fingerprint() != plain.runs[0].fingerprint()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('lr_scheduler = "cosin"', r"\[runs.finetune\] lr_scheduler must be one of linear, cosine, .*, not 'cosin'"),
        ("warmup_ratio = 1.5", r"\[runs.finetune\] warmup_ratio must be at least 0 and below 1"),
        ("gradient_accumulation_steps = 0", r"\[runs.finetune\] gradient_accumulation_steps must be at least 1"),
        ('learning_rate = "fast"', r"\[runs.finetune\] learning_rate has the wrong type"),
    ],
)
def test_bad_finetune_setting_names_file_line_and_key(tmp_path: Path, sentiment_tsv: Path, line: str, message: str) -> None:
    with pytest.raises(SuiteError, match=r"suite\.toml:14: " + message):
        load_suite(str(write(tmp_path, GOOD.format(data=sentiment_tsv) + line + "\n")))


CHAINED = """
[[runs]]
name = "first"
task = "sentiment"
model = "tfidf-logreg"
data = "{data}"
[runs.finetune]
data = "{data}"
limit = {limit}

[[runs]]
name = "second"
task = "sentiment"
model = "run:{upstream}"
data = "{data}"
"""


def test_a_run_using_an_earlier_runs_model_records_its_fingerprint(tmp_path: Path, sentiment_tsv: Path) -> None:
    first, second = load_suite(str(write(tmp_path, CHAINED.format(data=sentiment_tsv, limit=4, upstream="first")))).runs
    assert second.references() == ["first"] and second.upstream == {"first": first.fingerprint()}
    retrained = load_suite(str(write(tmp_path, CHAINED.format(data=sentiment_tsv, limit=8, upstream="first")))).runs[1]
    assert retrained.fingerprint() != second.fingerprint()  # another upstream model: measured again


def test_a_reference_to_an_unknown_or_later_run_fails_before_any_run(tmp_path: Path, sentiment_tsv: Path) -> None:
    with pytest.raises(SuiteError, match=r"suite.toml:\d+: run 'second' uses run:frist, which is no run of this suite; did you mean 'first'"):
        load_suite(str(write(tmp_path, CHAINED.format(data=sentiment_tsv, limit=4, upstream="frist"))))
    later = CHAINED.format(data=sentiment_tsv, limit=4, upstream="first").replace('model = "tfidf-logreg"', 'model = "run:second"', 1)
    with pytest.raises(SuiteError, match="uses run:second, which comes later: list it before this run"):
        load_suite(str(write(tmp_path, later)))


def test_a_reference_to_a_run_that_fine_tunes_nothing_fails(tmp_path: Path, sentiment_tsv: Path) -> None:
    text = CHAINED.format(data=sentiment_tsv, limit=4, upstream="first") + '\n[[runs]]\nname = "third"\ntask = "sentiment"\nmodel = "run:second"\ndata = "{}"\n'.format(sentiment_tsv)
    with pytest.raises(SuiteError, match=r"run 'third' uses run:second, which fine-tunes nothing"):
        load_suite(str(write(tmp_path, text)))


LEAK = """
[[runs]]
name = "ner"
task = "ner"
model = "minilm"
dataset = "conll2003"
split = "test"
[runs.finetune]
split = "{train}"

[[runs]]
name = "scored"
task = "ner"
model = "run:ner"
dataset = "conll2003"
split = "dev"
"""


def test_a_run_scoring_a_split_its_model_trained_on_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match=r"suite.toml:\d+: run 'scored' scores conll2003:dev, which its model .* was fine-tuned on"):
        load_suite(str(write(tmp_path, LEAK.format(train="train+dev"))), validate=False)
    first, second = load_suite(str(write(tmp_path, LEAK.format(train="train"))), validate=False).runs  # dev is held out: fine
    assert second.references() == ["ner"]


def test_a_combined_training_split_is_checked_part_by_part(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match=r"suite.toml:2: run 'ner': dataset 'conll2003' has no split 'val'"):
        load_suite(str(write(tmp_path, LEAK.format(train="train+val"))))


def test_a_malformed_training_split_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match=r"suite.toml:2: run 'ner': split 'train\+': empty part"):
        load_suite(str(write(tmp_path, LEAK.format(train="train+"))), validate=False)
