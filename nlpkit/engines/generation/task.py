"""`Seq2SeqTask`: the base class of every task that writes text (summaries, translations).

It predicts through `Model.generate` (any backend), reads the model's conventions
through the contract (task prefixes, language tokens), builds training features
(``text_target=``, label padding ignored by the loss through `DataCollatorForSeq2Seq`;
decoder-only models get prompt + target with the prompt masked out) and scores per
example.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import TRAIN, TRAIN_PREDICT, Option
from nlpkit.contracts.tasks import Generation, Head, Record, Task
from nlpkit.engines.generation.settings import GENERATION_OPTIONS, GenerationOutput, GenerationRequest, GenerationSettings, format_prompt, generation_defaults

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats

__all__ = ["IGNORE_INDEX", "GeneratedText", "Seq2SeqExample", "Seq2SeqTask"]

#: Label id the loss ignores (padding of target sequences).
IGNORE_INDEX = -100


# -- records ------------------------------------------------------------------
@dataclasses.dataclass
class Seq2SeqExample(Record):
    """A source text and, in labelled data, its reference outputs (one or more)."""

    text: str
    targets: list[str] | None = None
    id: str | None = None
    #: Where it came from, for error messages ("train.en:12").
    source: str | None = None
    source_lang: str | None = None
    target_lang: str | None = None


@dataclasses.dataclass
class GeneratedText(Generation):
    """Generated text; `candidates` holds all returned sequences when more than one was asked for."""

    candidates: list[str] | None = None
    #: True when the input was cut to the model's input length.
    truncated: bool | None = None


# -- the task base class ------------------------------------------------------------
class Seq2SeqTask(Task):
    """Text in, text out. Subclasses read their formats and name their metrics; this
    class predicts (batched generation), prepares training features and scores per example.

    Options (`options`, ``nlpkit task NAME`` lists them): generation settings, ``prompt``
    (decoder-only models), ``prefix`` (overrides the model's task prefix),
    ``max_source_length`` and ``scores`` (fill each record's score); subclasses add theirs.
    Options given when fine-tuning (``-O key=value``) are saved with the model and
    become its prediction defaults, so a fine-tuned folder predicts with no flags.
    """

    head = Head.SEQ2SEQ
    #: Key of the model config's ``task_specific_params`` for this task (T5/BART).
    params_key: ClassVar[str | None] = None
    options: ClassVar[tuple[Option, ...]] = (
        *GENERATION_OPTIONS,
        Option("prompt", str, None, "prompt format of decoder-only models: '… {source} …' (e.g. '{source}\\nTL;DR:')", stages=TRAIN_PREDICT),
        Option("prefix", str, None, "text put before each input (default: the model's task prefix, e.g. T5's 'summarize: ')", stages=TRAIN_PREDICT),
        Option("max_source_length", int, None, "input token limit (default: the model's)", minimum=1),
        Option("max_target_length", int, None, "target token limit when training (default: --max-length)", stages=TRAIN, minimum=1),
        Option("all_targets", bool, False, "train on every reference, not just the first", stages=TRAIN),
        Option("scores", bool, False, "fill each record's score (mean token log-probability; keeps every step's logits)"),
        # building an encoder-decoder from an encoder-only checkpoint (BERT, MiniLM); ignored for seq2seq checkpoints
        Option("target_vocab_size", int, None, "encoder-only start: train the decoder its own cased tokenizer of this many tokens on the training targets (0: share the encoder's; default: the task's)", stages=TRAIN, minimum=0),
        Option("decoder_layers", int, None, "encoder-only start: decoder layers (own target vocabulary: a fresh decoder, default 3; shared: copies of the encoder's first layers, default all)", stages=TRAIN, minimum=1),
        Option("decoder_learning_rate", float, None, "learning rate of an encoder-decoder's decoder (a fresh one learns faster than the pre-trained encoder; default: --learning-rate)", stages=TRAIN),
    )
    #: `target_vocab_size` when not given: 0 shares the encoder's vocabulary (summarization:
    #: same language); translation trains the decoder its own.
    default_target_vocab_size: ClassVar[int] = 0

    def __init__(self) -> None:
        # tokenizer id → model, filled by `prepare_model`, so `training_features`
        # (which receives only the tokenizer) can apply the model's conventions.
        self._models: dict[int, Model] = {}

    # data ---------------------------------------------------------------------
    def parse_inputs(self, texts: Sequence[str]) -> list[Seq2SeqExample]:
        out = []
        for i, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                raise NlpkitError(f"argument {i + 1}: empty text")
            out.append(Seq2SeqExample(text=text, source=f"argument {i + 1}"))
        return out

    def target_texts(self, examples: Sequence[Seq2SeqExample]) -> list[str]:
        """Every reference output of `examples` (what a decoder's own vocabulary is trained on)."""
        return [t for ex in examples for t in (ex.targets or []) if t and t.strip()]

    def check_example_for_scoring(self, example: Seq2SeqExample) -> None:
        if not example.targets:
            raise DataError(example.source, "no reference output to score against", field="targets")

    # conventions ------------------------------------------------------------------
    def conventions(self, model: Any, options: dict[str, Any]) -> tuple[str, dict[str, Any], GenerationRequest]:
        """(prefix, generation defaults, request skeleton) for `model` under `options`.
        Subclasses extend it (translation: language codes)."""
        params = model.task_params(self.params_key) if self.params_key else {}
        prefix = options.get("prefix") if options.get("prefix") is not None else params.get("prefix", "")
        request = GenerationRequest(prompt=options.get("prompt"), max_source_length=options.get("max_source_length"), scores=bool(options.get("scores")))
        return prefix, generation_defaults(params), request

    # inference ----------------------------------------------------------------------
    def predict(self, model: Model, inputs: Sequence[Seq2SeqExample], *, batch_size: int = 16, stats: InferenceStats | None = None, progress: bool = False, **options: Any) -> list[GeneratedText]:
        options = self.resolve_options("predict", options, model)
        settings_options = {k: v for k, v in options.items() if k in GenerationSettings.OPTIONS}
        rest = {k: v for k, v in options.items() if k not in GenerationSettings.OPTIONS}
        rest = self.check_inputs(inputs, rest)
        prefix, defaults, request = self.conventions(model, rest)
        request.settings, _ = GenerationSettings.from_options(settings_options, defaults)
        texts = [prefix + ex.text for ex in inputs]
        outputs = self.generate(model, texts, request, batch_size=batch_size, stats=stats, progress=progress, options=rest)
        return [self.record(o) for o in outputs]

    def check_inputs(self, inputs: Sequence[Seq2SeqExample], options: dict[str, Any]) -> dict[str, Any]:
        """Raise a `DataError` for an input the task cannot handle (empty text…); return
        the options, completed from the inputs where a subclass can (translation: languages)."""
        for i, ex in enumerate(inputs):
            if not ex.text or not ex.text.strip():
                raise DataError(ex.source or f"input {i + 1}", "empty source text", field="text")
        return options

    def generate(self, model: Model, texts: list[str], request: GenerationRequest, *, batch_size: int, stats: InferenceStats | None, progress: bool, options: dict[str, Any]) -> list[GenerationOutput]:
        """Generate for the prepared texts (summarization overrides it to chunk long documents)."""
        return model.generate(texts, request, batch_size=batch_size, stats=stats, progress=progress)

    @staticmethod
    def record(output: GenerationOutput) -> GeneratedText:
        return GeneratedText(
            text=output.texts[0] if output.texts else "",
            score=output.scores[0] if output.scores else None,
            candidates=list(output.texts) if len(output.texts) > 1 else None,
            truncated=True if output.truncated else None,
        )

    # scoring ------------------------------------------------------------------------
    def metric_inputs(self, metric: str, predictions: Sequence[GeneratedText], examples: Sequence[Seq2SeqExample]) -> tuple[list[Any], list[Any], dict[str, Any]]:
        """Per example: the predicted text and the list of its references."""
        return [p.text for p in predictions], [list(ex.targets or []) for ex in examples], {}

    # training -----------------------------------------------------------------------
    def prepare_model(self, model: Model, tokenizer: Any = None) -> None:
        """Remember `model` for `training_features`, which the backend calls with its tokenizer."""
        if tokenizer is not None:
            self._models[id(tokenizer)] = model

    def training_features(self, examples: Sequence[Seq2SeqExample], tokenizer: Any, label2id: dict[str, int] | None, max_length: int, **options: Any) -> list[dict[str, Any]]:
        """Source ids and target ``labels`` (``text_target=``); decoder-only models get
        prompt + target in one sequence with the prompt masked out of the loss."""
        options = self.resolve_options("train", options)
        options = self.check_inputs(examples, options) if examples else options
        model = self._models.get(id(tokenizer))
        prefix, _, request = self.conventions(model, options) if model is not None else (options.get("prefix") or "", {}, GenerationRequest(prompt=options.get("prompt")))
        target_length = options["max_target_length"] or max_length
        pairs = []
        for ex in examples:
            if not ex.targets:
                raise DataError(ex.source, "no reference output to train on", field="targets")
            targets = ex.targets if options["all_targets"] else ex.targets[:1]
            pairs.extend((prefix + ex.text, t) for t in targets)
        if not pairs:
            return []
        if model is not None and model.decoder_only:
            return _decoder_only_features(pairs, tokenizer, request.prompt, model, max_length + target_length)
        sources = [s for s, _ in pairs]
        targets = [t for _, t in pairs]
        enc = tokenizer(sources, text_target=targets, truncation=True, max_length=max_length)
        if target_length != max_length:
            enc["labels"] = tokenizer(text_target=targets, truncation=True, max_length=target_length)["input_ids"]
        keys = [k for k in ("input_ids", "attention_mask", "labels") if k in enc]
        return [{k: enc[k][i] for k in keys} for i in range(len(pairs))]

    def data_collator(self, tokenizer: Any) -> Any:
        """Pads sources with the pad token and labels with -100 (ignored by the loss)."""
        from transformers import DataCollatorForSeq2Seq

        return DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE_INDEX)


def _decoder_only_features(pairs: list[tuple[str, str]], tokenizer: Any, prompt: str | None, model: Any, max_length: int) -> list[dict[str, Any]]:
    if not prompt:
        raise NlpkitError(f"{model.source} is a decoder-only model: give a prompt format with -O prompt='… {{source}} …'")
    eos = tokenizer.eos_token or ""
    features = []
    for source, target in pairs:
        prompt_ids = tokenizer(format_prompt(prompt, source))["input_ids"]
        target_ids = tokenizer(" " + target + eos)["input_ids"]
        ids = (prompt_ids + target_ids)[-max_length:]
        labels = ([IGNORE_INDEX] * len(prompt_ids) + target_ids)[-max_length:]
        features.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels})
    return features
