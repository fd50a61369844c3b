"""The transformers backend's seq2seq compute: batched ``generate``, sequence scores,
and warm-starting an encoder-decoder from an encoder checkpoint (BERT2BERT).

Encoder-decoder models, and decoder-only models (GPT-2 family) through a prompt
format (``"{source}\\nTL;DR:"``); batches come from the core inference loop.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nlpkit.contracts.errors import NlpkitError
from nlpkit.engines.backends.families import ENCODER_FAMILIES, ensure_pad_token, pad_rows
from nlpkit.engines.generation.languages import LANGUAGE_TOKEN
from nlpkit.engines.generation.settings import DEFAULT_MAX_NEW_TOKENS, GenerationOutput, GenerationRequest, format_prompt
from nlpkit.engines.inference import iter_batches, to_device

if TYPE_CHECKING:
    from nlpkit.engines.backends.transformers import TransformersModel
    from nlpkit.engines.inference import InferenceStats

__all__ = ["ENCODER_FAMILIES", "build_encoder_decoder", "generate", "is_decoder_only", "prepare_for_training", "tokenizer_language_tokens", "wants_warm_start", "warm_start_encoder_decoder"]


def tokenizer_language_tokens(tokenizer: Any) -> list[str]:
    """The language-code tokens a tokenizer knows (mBART, NLLB, M2M100); empty for most models."""
    added = getattr(tokenizer, "added_tokens_encoder", None) or {}
    names = set(added) | set(getattr(tokenizer, "additional_special_tokens", None) or [])
    return sorted(t for t in names if LANGUAGE_TOKEN.match(t))


def is_decoder_only(network: Any) -> bool:
    return not getattr(network.config, "is_encoder_decoder", False)


# -- warm start -------------------------------------------------------------------
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


def build_encoder_decoder(source: str, target_tokenizer: Any, *, decoder_layers: int = 3, **access: Any) -> Any:
    """An `EncoderDecoderModel`: the encoder pre-trained from `source`, a fresh BERT-style
    decoder (`decoder_layers` layers of the encoder's width, causal self-attention and
    cross-attention) over `target_tokenizer`'s vocabulary, starting at its ``<s>`` and
    ending at its ``</s>``. For targets the encoder's vocabulary cannot write (German
    from an English encoder); `target_vocab.train_target_tokenizer` makes the tokenizer."""
    from transformers import AutoModel, BertConfig, BertLMHeadModel, EncoderDecoderModel

    encoder = AutoModel.from_pretrained(source, use_safetensors=True, **access)  # access: the backend's trust_remote_code
    enc = encoder.config
    heads = enc.num_attention_heads if enc.hidden_size % enc.num_attention_heads == 0 else 1
    start, end, pad = target_tokenizer.bos_token_id, target_tokenizer.eos_token_id, target_tokenizer.pad_token_id
    if start is None or end is None or pad is None:
        raise NlpkitError("the target tokenizer needs start (<s>), end (</s>) and pad tokens")
    decoder_config = BertConfig(
        vocab_size=len(target_tokenizer), hidden_size=enc.hidden_size, num_hidden_layers=decoder_layers, num_attention_heads=heads,
        intermediate_size=getattr(enc, "intermediate_size", 4 * enc.hidden_size), max_position_embeddings=getattr(enc, "max_position_embeddings", 512),
        is_decoder=True, add_cross_attention=True, pad_token_id=pad, bos_token_id=start, eos_token_id=end,
    )
    network = EncoderDecoderModel(encoder=encoder, decoder=BertLMHeadModel(decoder_config))
    for cfg in (network.config, network.generation_config):
        cfg.decoder_start_token_id = start
        cfg.bos_token_id = start
        cfg.eos_token_id = end
        cfg.pad_token_id = pad
    network.config.vocab_size = decoder_config.vocab_size
    return network


def prepare_for_training(model: TransformersModel) -> None:
    """A generator without a pad token (GPT-2) pads with its end token (`families.ensure_pad_token`)."""
    ensure_pad_token(model.tokenizer, model.network)


# -- batched generation --------------------------------------------------------------
def generate(model: TransformersModel, texts: Sequence[str], request: GenerationRequest, *, batch_size: int, stats: InferenceStats | None, progress: bool) -> list[GenerationOutput]:
    """Generate for each text through the core loop (length-sorted batches); input order kept."""
    import torch

    network, tokenizer = model.network, model.tokenizer
    decoder_only = is_decoder_only(network)
    settings = request.settings
    texts = list(texts)
    if decoder_only:
        if not request.prompt:
            raise NlpkitError(f"{model.source} is a decoder-only model: give a prompt format with -O prompt='… {{source}} …' (e.g. '{{source}}\\nTL;DR:')")
        texts = [format_prompt(request.prompt, t) for t in texts]
    if request.source_language is not None and hasattr(tokenizer, "src_lang"):
        tokenizer.src_lang = request.source_language
    if request.target_language is not None and hasattr(tokenizer, "tgt_lang"):
        tokenizer.tgt_lang = request.target_language
    limit = request.max_source_length or model.max_length
    if decoder_only:
        limit = max(8, limit - (settings.max_new_tokens or DEFAULT_MAX_NEW_TOKENS))
    ids, truncated = _encode(tokenizer, texts, limit, left=decoder_only)
    if truncated:
        print(f"nlpkit: {sum(truncated)} of {len(texts)} inputs were longer than {limit} tokens and were truncated", file=sys.stderr)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    kwargs = settings.generate_kwargs()
    kwargs.setdefault("max_new_tokens", DEFAULT_MAX_NEW_TOKENS)
    if request.target_language is not None:
        kwargs["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(request.target_language)
    if decoder_only:
        kwargs["pad_token_id"] = pad_id
    n = settings.num_return_sequences
    if settings.seed is not None:
        torch.manual_seed(settings.seed)
    network.eval()

    def step(rows: list[list[int]]) -> list[tuple[list[str], list[float | None]]]:
        batch = to_device(_pad(rows, pad_id, left=decoder_only), model.device)
        out = network.generate(**batch, **kwargs, return_dict_in_generate=True, output_scores=request.scores)
        sequences = out.sequences[:, batch["input_ids"].shape[1]:] if decoder_only else out.sequences
        scores = _sequence_scores(network, out, sequences, pad_id) if request.scores else [None] * len(sequences)
        decoded = tokenizer.batch_decode(sequences, skip_special_tokens=True)
        return [([d.strip() for d in decoded[r * n : (r + 1) * n]], scores[r * n : (r + 1) * n]) for r in range(len(rows))]

    outputs: list[GenerationOutput] = [None] * len(texts)  # type: ignore[list-item]
    for indices, results in iter_batches(ids, step, batch_size=batch_size, stats=stats, progress=progress, desc="generate"):
        for i, (decoded, scores) in zip(indices, results):
            outputs[i] = GenerationOutput(decoded, scores, truncated=bool(truncated and truncated[i]))
    return outputs


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


def _pad(rows: list[list[int]], pad_id: int, *, left: bool) -> dict[str, Any]:
    import torch


    width = max(len(r) for r in rows)
    input_ids = pad_rows(rows, pad_id, width, left=left)
    mask = pad_rows([[1] * len(r) for r in rows], 0, width, left=left)
    return {"input_ids": torch.tensor(input_ids), "attention_mask": torch.tensor(mask)}


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
