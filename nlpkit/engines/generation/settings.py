"""How to decode: generation settings (typed options), what a model is asked, what it returns.

`GENERATION_OPTIONS` declares greedy / beam / seeded sampling, length limits, length
penalty, no-repeat n-grams, several returned sequences as task options; defaults
come from the model (``task_specific_params``, as T5 and BART checkpoints ship
them) through `generation_defaults`. `GenerationRequest` is what a task hands to
`Model.generate`; `GenerationOutput` what it gets back.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from nlpkit.contracts.errors import NlpkitError
from nlpkit.contracts.options import Option

__all__ = [
    "DEFAULT_MAX_NEW_TOKENS", "GENERATION_OPTIONS", "STRATEGIES", "GenerationOutput", "GenerationRequest",
    "GenerationSettings", "format_prompt", "generation_defaults",
]

#: Output length limit when neither the options nor the model config give one.
DEFAULT_MAX_NEW_TOKENS = 128

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


def generation_defaults(params: dict[str, Any]) -> dict[str, Any]:
    """Generation settings from ``task_specific_params`` (``max_length`` becomes ``max_new_tokens``)."""
    out = {k: v for k, v in params.items() if k in _SETTINGS}
    if "max_length" in params and "max_new_tokens" not in out:
        out["max_new_tokens"] = params["max_length"]
    if "min_length" in params and "min_new_tokens" not in out:
        out["min_new_tokens"] = params["min_length"]
    return out




@dataclasses.dataclass
class GenerationRequest:
    """Everything `Model.generate` needs besides the texts."""

    settings: GenerationSettings = dataclasses.field(default_factory=GenerationSettings)
    #: Decoder-only models: ``"… {source} …"``; required for them, ignored otherwise.
    prompt: str | None = None
    #: Input token limit (default: the model's).
    max_source_length: int | None = None
    #: Compute each sequence's score (mean token log-probability, or the beam score):
    #: keeps every step's logits, so it is off unless asked for (``-O scores=true``).
    scores: bool = False
    #: Language tokens of multilingual models (mBART/NLLB/M2M: ``en_XX``, ``deu_Latn``);
    #: the target one is forced as the first generated token.
    source_language: str | None = None
    target_language: str | None = None


@dataclasses.dataclass
class GenerationOutput:
    """Per input: the returned sequences (best first), their scores, whether it was truncated."""

    texts: list[str]
    scores: list[float | None]
    truncated: bool = False



def format_prompt(prompt: str, text: str) -> str:
    """Put `text` into a prompt format (``{source}`` marks the place; appended when absent)."""
    return prompt.replace("{source}", text) if "{source}" in prompt else f"{text}{prompt}"

