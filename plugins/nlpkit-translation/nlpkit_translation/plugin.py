"""Hook implementations: the task, its datasets, metrics and suite. Import stays light."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from nlpkit import DatasetSpec, MetricSpec, hookimpl

MULTI30K_SPLITS = ("train", "val", "test_2016_flickr", "test_2017_flickr", "test_2018_flickr")
#: Language pairs registered for Multi30k besides en→de (`multi30k_<src>_<tgt>`).
MULTI30K_PAIRS = (("en", "fr"), ("en", "cs"), ("de", "en"), ("fr", "en"), ("cs", "en"))
SUITES = Path(__file__).parent / "suites"


@hookimpl
def register_tasks(register: Callable[[Any], None]) -> None:
    from nlpkit_translation.task import TranslationTask

    register(TranslationTask())


@hookimpl
def register_datasets(register: Callable[[Any], None]) -> None:
    register(multi30k("en", "de", name="multi30k"))
    for source, target in MULTI30K_PAIRS:
        register(multi30k(source, target))
    register(
        DatasetSpec(
            name="wmt_newstest_en_de",
            task="translation",
            folder="translation/wmt_newstest_en_de",
            files={"newstest2013": "newstest2013.en", "newstest2014": "newstest2014.en"},
            hub_id="wmt/wmt14",
            hub_config="de-en",
            hub_splits={"newstest2013": "validation", "newstest2014": "test"},
            read_options={"source": "en", "target": "de"},
            default_split="newstest2014",
            description="WMT news test sets en→de: newstest2013 (3,000 lines), newstest2014 (full, 3,003 lines)",
        )
    )


def multi30k(source: str, target: str, name: str | None = None) -> DatasetSpec:
    splits = [s for s in MULTI30K_SPLITS if not ("cs" in (source, target) and s == "test_2017_flickr")]
    return DatasetSpec(
        name=name or f"multi30k_{source}_{target}",
        task="translation",
        folder="translation/multi30k",
        files={split: f"{split}.{source}" for split in splits},
        hub_id="bentrevett/multi30k" if (source, target) == ("en", "de") else None,
        hub_splits={"val": "validation", "test_2016_flickr": "test"},
        read_options={"source": source, "target": target},
        description=f"Multi30k task 1 (Flickr image captions) {source}→{target}: 29,000 train, 1,014 val, test_2016/2017/2018_flickr",
    )


@hookimpl
def register_metrics(register: Callable[[Any], None]) -> None:
    register(MetricSpec("sacrebleu", "nlpkit_translation.metrics:SacreBleu", "corpus sacreBLEU with its signature", main_key="bleu"))
    register(MetricSpec("chrf", "nlpkit_translation.metrics:Chrf", "corpus chrF with its signature", main_key="chrf"))
    register(MetricSpec("chrf++", "nlpkit_translation.metrics:Chrf", "corpus chrF++ (chrF plus word uni- and bigrams) with its signature", options={"word_order": 2}, main_key="chrf"))


@hookimpl
def register_suites(register: Callable[[Any], None]) -> None:
    from nlpkit import SuiteSpec

    register(SuiteSpec("translation", SUITES / "translation.toml", "Multi30k en→de: MiniLM encoder-decoder fine-tuned, sacreBLEU and chrF"))
