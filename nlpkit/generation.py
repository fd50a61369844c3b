"""Sequence to sequence: one path for every task that writes text (summaries, translations).

Transformers 5 dropped the summarization / translation / text2text pipelines, so
nlpkit generates itself, here, once:

- `GenerationSettings`: greedy, beam search or seeded sampling, length limits,
  length penalty, no-repeat n-grams, several returned sequences — parsed from
  ``-O key=value`` task options, with defaults from the model's config
  (``task_specific_params``, as T5 and BART checkpoints ship them).
- `generate_texts`: batched ``generate`` over inputs sorted by length, results in
  input order; encoder-decoder models, and decoder-only models (GPT-2 family)
  through a prompt format (``"{source}\\nTL;DR:"``).
- Model-config conventions: T5-style task prefixes and mBART/NLLB/M2M language
  codes are looked up from the model, not remembered by the user.
- `warm_start_encoder_decoder`: an `EncoderDecoderModel` built from two copies of an
  encoder checkpoint (BERT2BERT), with start/pad/end tokens set.
- `Seq2SeqTask`: the base class the summarization and translation plugins
  subclass, with training features (``text_target=``, label padding ignored by
  the loss through `DataCollatorForSeq2Seq`).

Cheap to import: torch and transformers load inside the functions that need them.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.errors import DataError, NlpkitError
from nlpkit.inference import length_sorted_batches, maybe_batch, progress_bar
from nlpkit.options import TRAIN, TRAIN_PREDICT, Option
from nlpkit.tasks import Generation, Head, Record, Task

if TYPE_CHECKING:
    from nlpkit.inference import InferenceStats
    from nlpkit.models import Model

#: Label id the loss ignores (padding of target sequences).
IGNORE_INDEX = -100
#: Output length limit when neither the options nor the model config give one.
DEFAULT_MAX_NEW_TOKENS = 128

#: ISO 639-1 → (ISO 639-3, English name), for NLLB codes and T5 prefixes.
LANGUAGES: dict[str, tuple[str, str]] = {
    "ar": ("arb", "Arabic"), "cs": ("ces", "Czech"), "da": ("dan", "Danish"), "de": ("deu", "German"),
    "el": ("ell", "Greek"), "en": ("eng", "English"), "es": ("spa", "Spanish"), "et": ("est", "Estonian"),
    "fi": ("fin", "Finnish"), "fr": ("fra", "French"), "hi": ("hin", "Hindi"), "hu": ("hun", "Hungarian"),
    "it": ("ita", "Italian"), "ja": ("jpn", "Japanese"), "ko": ("kor", "Korean"), "lt": ("lit", "Lithuanian"),
    "lv": ("lvs", "Latvian"), "nl": ("nld", "Dutch"), "pl": ("pol", "Polish"), "pt": ("por", "Portuguese"),
    "ro": ("ron", "Romanian"), "ru": ("rus", "Russian"), "sv": ("swe", "Swedish"), "tr": ("tur", "Turkish"),
    "uk": ("ukr", "Ukrainian"), "vi": ("vie", "Vietnamese"), "zh": ("zho", "Chinese"),
}
#: Language-code tokens: mBART (en_XX), NLLB (eng_Latn), M2M100 (__en__).
LANGUAGE_TOKEN = re.compile(r"^(?:[a-z]{2}_[A-Z]{2}|[a-z]{3}_[A-Z][a-z]{3}|__[a-z]{2,3}__)$")


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


# -- generation settings ----------------------------------------------------------
STRATEGIES = ("greedy", "beam", "sample")
#: The generation settings as task options (``-O num_beams=4``); None: the model's default.
GENERATION_OPTIONS: tuple[Option, ...] = (
    Option("strategy", str, None, "greedy, beam (4 beams unless num_beams is given) or sample", choices=STRATEGIES),
    Option("max_new_tokens", int, None, "longest output, in tokens (default: the model's, else 128)", minimum=1),
    Option("min_new_tokens", int, None, "shortest output, in tokens", minimum=0),
    Option("num_beams", int, None, "beams of beam search", minimum=1),
    Option("do_sample", bool, None, "sample instead of searching"),
    Option("temperature", float, None, "sampling temperature"),
    Option("top_k", int, None, "sample from the k most probable tokens", minimum=0),
    Option("top_p", float, None, "sample from the smallest set of tokens with this probability"),
    Option("seed", int, None, "random seed of sampling"),
    Option("length_penalty", float, None, "beam search: exponent of the length normalisation"),
    Option("no_repeat_ngram_size", int, None, "never repeat an n-gram of this size", minimum=0),
    Option("num_return_sequences", int, None, "sequences returned per input (best first)", minimum=1),
    Option("early_stopping", bool, None, "beam search: stop when enough beams are finished"),
    Option("repetition_penalty", float, None, "penalty of repeated tokens (1.0: none)"),
)
_SETTINGS = {option.name: option for option in GENERATION_OPTIONS if option.name != "strategy"}


@dataclasses.dataclass
class GenerationSettings:
    """How to decode. None means: the model's own default (its generation config)."""

    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    num_beams: int | None = None
    do_sample: bool | None = None
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    seed: int | None = None
    length_penalty: float | None = None
    no_repeat_ngram_size: int | None = None
    num_return_sequences: int = 1
    early_stopping: bool | None = None
    repetition_penalty: float | None = None

    OPTIONS: ClassVar[tuple[str, ...]] = tuple(option.name for option in GENERATION_OPTIONS)

    @classmethod
    def from_options(cls, options: dict[str, Any], defaults: dict[str, Any] | None = None) -> tuple[GenerationSettings, dict[str, Any]]:
        """Split `options` into settings and the rest. ``strategy=greedy|beam|sample`` is a
        shorthand (beam: 4 beams unless `num_beams` is given); `defaults` (e.g. from the
        model's ``task_specific_params``) fill what the options leave open."""
        rest = dict(options)
        values: dict[str, Any] = {}
        for option in GENERATION_OPTIONS:
            value = rest.pop(option.name, None)
            if value is not None:
                values[option.name] = option.convert(value)
        strategy = values.pop("strategy", None)
        if strategy is not None:
            values.setdefault("do_sample", strategy == "sample")
            values.setdefault("num_beams", 4 if strategy == "beam" else 1)
        if values.get("do_sample") or values.get("num_beams") == 1:
            defaults = {k: v for k, v in (defaults or {}).items() if k not in {"num_beams", "early_stopping", "length_penalty"}}
        for key, value in (defaults or {}).items():
            if key in _SETTINGS and value is not None:
                values.setdefault(key, value)
        settings = cls(**values)
        settings.check()
        return settings, rest

    def check(self) -> None:
        if not self.do_sample and self.num_return_sequences > (self.num_beams or 1):
            raise NlpkitError(f"num_return_sequences={self.num_return_sequences} needs as many beams (num_beams) or sampling (do_sample=true)")

    def generate_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for transformers' ``generate`` (seed excluded)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None and k != "seed"}


# -- model-config conventions -------------------------------------------------------
def language_tokens(tokenizer: Any) -> list[str]:
    """The language-code tokens a tokenizer knows (mBART, NLLB, M2M100); empty for most models."""
    added = getattr(tokenizer, "added_tokens_encoder", None) or {}
    names = set(added) | set(getattr(tokenizer, "additional_special_tokens", None) or [])
    return sorted(t for t in names if LANGUAGE_TOKEN.match(t))


def language_token(tokenizer: Any, code: str) -> str | None:
    """The model's token for language `code` (``en`` → ``en_XX`` / ``eng_Latn`` / ``__en__``).

    None for a model without language tokens (after checking that `code` is a
    language at all); an unknown code raises an `NlpkitError` listing what is known."""
    known = language_tokens(tokenizer)
    if not known:
        if code not in LANGUAGES:
            raise NlpkitError(f"unknown language code {code!r}; expected an ISO 639-1 code such as {', '.join(sorted(LANGUAGES)[:8])}, …")
        return None
    if code in known:
        return code
    iso3 = LANGUAGES.get(code, (code, ""))[0]
    for token in known:
        if token.startswith(code + "_") or token.startswith(iso3 + "_") or token == f"__{code}__":
            return token
    raise NlpkitError(f"unknown language code {code!r} for this model; it knows {', '.join(known[:12])}{', …' if len(known) > 12 else ''}")


def task_params(network: Any, key: str) -> dict[str, Any]:
    """The model config's ``task_specific_params[key]`` (T5, BART: prefix, beams, lengths…)."""
    params = getattr(network.config, "task_specific_params", None) or {}
    return dict(params.get(key) or {})


def t5_translation_prefix(network: Any, source_lang: str, target_lang: str) -> str | None:
    """``translate English to German: `` for T5-family models (which were trained with it)."""
    if getattr(network.config, "model_type", "") not in {"t5", "mt5", "umt5"}:
        return None
    names = [LANGUAGES.get(code, (None, None))[1] for code in (source_lang, target_lang)]
    if None in names:
        return None
    return f"translate {names[0]} to {names[1]}: "


def generation_defaults(params: dict[str, Any]) -> dict[str, Any]:
    """Generation settings from ``task_specific_params`` (``max_length`` becomes ``max_new_tokens``)."""
    out = {k: v for k, v in params.items() if k in _SETTINGS}
    if "max_length" in params and "max_new_tokens" not in out:
        out["max_new_tokens"] = params["max_length"]
    if "min_length" in params and "min_new_tokens" not in out:
        out["min_new_tokens"] = params["min_length"]
    return out


def is_decoder_only(network: Any) -> bool:
    return not getattr(network.config, "is_encoder_decoder", False)


# -- warm start -------------------------------------------------------------------
ENCODER_FAMILIES = {"bert", "roberta", "electra", "xlm-roberta", "camembert", "ernie", "bert-generation"}


def wants_warm_start(config: Any, option: Any = None) -> bool:
    """Whether a seq2seq model must be warm-started from `config`'s encoder: the
    `warm_start` model option when given, else true for an encoder-only checkpoint
    (a BERT-family config not saved as a causal LM)."""
    if option is not None:
        return bool(option)
    if getattr(config, "is_encoder_decoder", False):
        return False
    architectures = getattr(config, "architectures", None) or []
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in architectures):
        return False
    return getattr(config, "model_type", "") in ENCODER_FAMILIES


def warm_start_encoder_decoder(source: str, tokenizer: Any, *, tie_encoder_decoder: bool = False, **kwargs: Any) -> Any:
    """An `EncoderDecoderModel` with encoder and decoder both initialised from `source`.

    The decoder gets causal self-attention and fresh cross-attention; generation
    starts at [CLS] and ends at [SEP] (the tokens the encoder already knows). Untied
    by default: source and target often differ (translation). Keyword arguments
    prefixed ``decoder_`` configure the decoder (``decoder_num_hidden_layers=3``)."""
    from transformers import EncoderDecoderModel

    network = EncoderDecoderModel.from_encoder_decoder_pretrained(source, source, tie_encoder_decoder=tie_encoder_decoder, **kwargs)
    start = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    end = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else end
    if start is None or end is None:
        raise NlpkitError(f"cannot warm-start from {source}: its tokenizer has no start ([CLS]/<s>) or end ([SEP]/</s>) token")
    for cfg in (network.config, network.generation_config):
        cfg.decoder_start_token_id = start
        cfg.bos_token_id = start
        cfg.eos_token_id = end
        cfg.pad_token_id = pad
    network.config.vocab_size = network.config.decoder.vocab_size
    return network


# -- batched generation --------------------------------------------------------------
@dataclasses.dataclass
class GenerationRequest:
    """Everything `generate_texts` needs besides the model and the texts."""

    settings: GenerationSettings = dataclasses.field(default_factory=GenerationSettings)
    #: Decoder-only models: ``"… {source} …"``; required for them, ignored otherwise.
    prompt: str | None = None
    #: Input token limit (default: the model's).
    max_source_length: int | None = None
    #: Token the decoder must start with (mBART/NLLB target language).
    forced_bos_token_id: int | None = None
    #: Compute each sequence's score (mean token log-probability, or the beam score):
    #: keeps every step's logits, so it is off unless asked for (``-O scores=true``).
    scores: bool = False


@dataclasses.dataclass
class GenerationOutput:
    """Per input: the returned sequences (best first), their scores, whether it was truncated."""

    texts: list[str]
    scores: list[float | None]
    truncated: bool = False


def generate_texts(
    model: Model,
    texts: Sequence[str],
    request: GenerationRequest | None = None,
    *,
    batch_size: int = 16,
    stats: InferenceStats | None = None,
    progress: bool = False,
) -> list[GenerationOutput]:
    """Generate for each text, batched by length; outputs in input order.

    Models of other backends take part by defining ``generate_texts(texts, request)``
    (e.g. the lead-sentence baseline)."""
    request = request or GenerationRequest()
    network = getattr(model, "network", None)
    if network is None:
        custom = getattr(model, "generate_texts", None)
        if custom is None:
            raise NlpkitError(f"the {model.backend} backend cannot generate text")
        with maybe_batch(stats, len(texts), 0):
            return list(custom(list(texts), request))
    return _generate_transformers(model, list(texts), request, batch_size, stats, progress)


def _generate_transformers(model: Any, texts: list[str], request: GenerationRequest, batch_size: int, stats: InferenceStats | None, progress: bool) -> list[GenerationOutput]:
    import torch

    network, tokenizer = model.network, model.tokenizer
    decoder_only = is_decoder_only(network)
    settings = request.settings
    if decoder_only:
        if not request.prompt:
            raise NlpkitError(f"{model.source} is a decoder-only model: give a prompt format with -O prompt='… {{source}} …' (e.g. '{{source}}\\nTL;DR:')")
        texts = [format_prompt(request.prompt, t) for t in texts]
    limit = request.max_source_length or model.max_length
    if decoder_only:
        limit = max(8, limit - (settings.max_new_tokens or DEFAULT_MAX_NEW_TOKENS))
    ids, truncated = _encode(tokenizer, texts, limit, left=decoder_only)
    if truncated:
        print(f"nlpkit: {sum(truncated)} of {len(texts)} inputs were longer than {limit} tokens and were truncated", file=sys.stderr)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    kwargs = settings.generate_kwargs()
    kwargs.setdefault("max_new_tokens", DEFAULT_MAX_NEW_TOKENS)
    if request.forced_bos_token_id is not None:
        kwargs["forced_bos_token_id"] = request.forced_bos_token_id
    if decoder_only:
        kwargs["pad_token_id"] = pad_id
    n = settings.num_return_sequences
    if settings.seed is not None:
        torch.manual_seed(settings.seed)
    outputs: list[GenerationOutput | None] = [None] * len(texts)
    network.eval()
    with torch.inference_mode(), progress_bar(len(texts), progress, "generate") as bar:
        for indices in length_sorted_batches(ids, batch_size, key=len):
            batch = _pad([ids[i] for i in indices], pad_id, left=decoder_only, device=model.device)
            with maybe_batch(stats, len(indices), sum(len(ids[i]) for i in indices)):
                out = network.generate(**batch, **kwargs, return_dict_in_generate=True, output_scores=request.scores)
            sequences = out.sequences[:, batch["input_ids"].shape[1]:] if decoder_only else out.sequences
            scores = _sequence_scores(network, out, sequences, pad_id) if request.scores else [None] * len(sequences)
            decoded = tokenizer.batch_decode(sequences, skip_special_tokens=True)
            for row, i in enumerate(indices):
                span = slice(row * n, (row + 1) * n)
                outputs[i] = GenerationOutput([d.strip() for d in decoded[span]], scores[span], truncated=bool(truncated and truncated[i]))
            bar.update(len(indices))
    return outputs  # type: ignore[return-value]


def format_prompt(prompt: str, text: str) -> str:
    """Put `text` into a prompt format (``{source}`` marks the place; appended when absent)."""
    return prompt.replace("{source}", text) if "{source}" in prompt else f"{text}{prompt}"


def _encode(tokenizer: Any, texts: list[str], limit: int, *, left: bool) -> tuple[list[list[int]], list[bool]]:
    """Token ids per text, cut to `limit` (keeping the end for prompts), and which were cut."""
    ids = tokenizer(texts, truncation=False, verbose=False)["input_ids"]
    truncated = [len(row) > limit for row in ids]
    if any(truncated):
        long = [i for i, cut in enumerate(truncated) if cut]
        if left:
            for i in long:
                ids[i] = ids[i][-limit:]
        else:
            cut_ids = tokenizer([texts[i] for i in long], truncation=True, max_length=limit)["input_ids"]
            for i, row in zip(long, cut_ids):
                ids[i] = row
    return ids, truncated if any(truncated) else []


def _pad(rows: list[list[int]], pad_id: int, *, left: bool, device: Any) -> dict[str, Any]:
    import torch

    width = max(len(r) for r in rows)
    def fill(row: list[int], value: int, n: int) -> list[int]:
        return [value] * n + row if left else row + [value] * n
    input_ids = [fill(r, pad_id, width - len(r)) for r in rows]
    mask = [fill([1] * len(r), 0, width - len(r)) for r in rows]
    return {"input_ids": torch.tensor(input_ids, device=device), "attention_mask": torch.tensor(mask, device=device)}


def _sequence_scores(network: Any, out: Any, sequences: Any, pad_id: int) -> list[float | None]:
    """Mean log-probability per generated token (beam search: the beam score)."""
    if getattr(out, "sequences_scores", None) is not None:
        return [float(s) for s in out.sequences_scores]
    if not getattr(out, "scores", None):
        return [None] * len(sequences)
    import torch

    steps = network.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
    generated = sequences[:, -steps.shape[1]:]
    eos = network.generation_config.eos_token_id
    eos_ids = torch.tensor(eos if isinstance(eos, list) else [eos if eos is not None else pad_id], device=generated.device)
    is_eos = torch.isin(generated, eos_ids).long()
    mask = ((is_eos.cumsum(1) - is_eos) == 0).float()  # up to and including the first end token
    totals = (steps.float().nan_to_num(0.0, neginf=0.0) * mask).sum(1) / mask.sum(1).clamp(min=1)
    return [float(t) for t in totals]


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
    )

    def __init__(self) -> None:
        # tokenizer id → model, filled by `prepare_model`, so `training_features`
        # (which receives only the tokenizer) can apply the model's conventions.
        self._models: dict[int, Any] = {}

    # data ---------------------------------------------------------------------
    def parse_inputs(self, texts: Sequence[str]) -> list[Seq2SeqExample]:
        out = []
        for i, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                raise NlpkitError(f"argument {i + 1}: empty text")
            out.append(Seq2SeqExample(text=text, source=f"argument {i + 1}"))
        return out

    def check_example_for_scoring(self, example: Seq2SeqExample) -> None:
        if not example.targets:
            raise DataError(example.source, "no reference output to score against", field="targets")

    # conventions ------------------------------------------------------------------
    def conventions(self, model: Any, options: dict[str, Any]) -> tuple[str, dict[str, Any], GenerationRequest]:
        """(prefix, generation defaults, request skeleton) for `model` under `options`.
        Subclasses extend it (translation: language codes)."""
        network = getattr(model, "network", None)
        params = task_params(network, self.params_key) if network is not None and self.params_key else {}
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
        return generate_texts(model, texts, request, batch_size=batch_size, stats=stats, progress=progress)

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
    def prepare_model(self, model: Model) -> None:
        network = getattr(model, "network", None)
        if network is None:
            return
        tokenizer = model.tokenizer  # type: ignore[attr-defined]
        if tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
            tokenizer.pad_token = tokenizer.eos_token
            network.config.pad_token_id = tokenizer.eos_token_id
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
        network = getattr(model, "network", None)
        if network is not None and is_decoder_only(network):
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
