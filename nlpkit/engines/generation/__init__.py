"""Sequence to sequence: one path for every task that writes text (summaries, translations).

Transformers 5 dropped the summarization / translation / text2text pipelines, so
nlpkit generates itself, split along its jobs:

- `nlpkit.engines.generation.settings`: decoding settings as typed options, what a task asks
  a model (`GenerationRequest`) and gets back (`GenerationOutput`);
- `nlpkit.engines.generation.languages`: language codes, mBART/NLLB/M2M tokens, T5 prefixes;
- `nlpkit.engines.generation.task`: `Seq2SeqTask`, the base class of the summarization and
  translation plugins;
- batched generation and warm-starting (BERT2BERT) are the transformers backend's
  compute: `nlpkit.engines.backends.seq2seq`, behind `Model.generate`.

Cheap to import: nothing here loads torch or transformers.
"""

from nlpkit.engines.generation.languages import LANGUAGES, language_token, t5_translation_prefix
from nlpkit.engines.generation.settings import DEFAULT_MAX_NEW_TOKENS, GENERATION_OPTIONS, STRATEGIES, GenerationOutput, GenerationRequest, GenerationSettings, format_prompt, generation_defaults
from nlpkit.engines.generation.task import IGNORE_INDEX, GeneratedText, Seq2SeqExample, Seq2SeqTask

__all__ = [
    "DEFAULT_MAX_NEW_TOKENS", "GENERATION_OPTIONS", "IGNORE_INDEX", "LANGUAGES", "STRATEGIES", "GeneratedText",
    "GenerationOutput", "GenerationRequest", "GenerationSettings", "Seq2SeqExample", "Seq2SeqTask",
    "format_prompt", "generation_defaults", "language_token", "t5_translation_prefix",
]
