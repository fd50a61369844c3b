"""Tiny models of every supported backbone family, with tokenizers of their real kind.

`tiny_backbone("xlnet", folder, texts)` saves a 2-layer model with random weights,
built from the family's own config class, and a tokenizer of the family's own
class whose vocabulary was trained on `texts` with the `tokenizers` library:
WordPiece (BERT, DistilBERT, ELECTRA), byte-level BPE (RoBERTa, BART, GPT-2),
sentencepiece-style Unigram with the ``▁`` word-start mark (XLNet, ALBERT,
DeBERTa-v2/v3, XLM-R, T5, mBART), sentencepiece-style BPE with byte fallback
(Llama) and a real sentencepiece model (Marian, whose tokenizer reads `.spm`
files). The family's tokenizer class supplies its real normaliser, pre-tokeniser,
special tokens, templates and padding side (XLNet pads on the left and puts
``<cls>`` last), so the traps of each family are present; no download is needed.

The folders load through the normal ``--model FOLDER`` path. Which family is
tested on which head is `nlpkit.backends.families.BACKBONES`; the matrix test
(``tests/backbones``) is parametrised from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

#: Width of every tiny backbone (hidden size, 2 layers, 2 heads).
HIDDEN = 32
LAYERS = 2
MAX_POSITIONS = 256
VOCAB_SIZE = 600

#: Texts with the traps of character offsets: leading spaces, accents, emoji, punctuation.
TRAP_TEXTS = ("  Zoë Martín visited Zürich 🎉 today.", "Ünal met Ana in Oslo , then left !", "Marta works for Tide Labs in Lisbon.")

WORDPIECE_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


# -- vocabularies trained with `tokenizers` ------------------------------------------------
def _corpus(texts: Iterable[str]) -> list[str]:
    from nlpkit.testing import BASE_WORDS

    return [" ".join(BASE_WORDS), *texts]


def wordpiece_vocab(texts: Iterable[str], specials: Sequence[str] = WORDPIECE_SPECIALS, *, lowercase: bool = True) -> dict[str, int]:
    """A WordPiece vocabulary (token → id) trained on `texts`, specials first."""
    import tokenizers

    trainer = tokenizers.BertWordPieceTokenizer(lowercase=lowercase, strip_accents=False)
    trainer.train_from_iterator(_corpus(texts), vocab_size=VOCAB_SIZE, min_frequency=1, special_tokens=list(specials), limit_alphabet=1000)
    return trainer.get_vocab()


def byte_bpe(texts: Iterable[str], specials: Sequence[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """A byte-level BPE vocabulary and merges (GPT-2 / RoBERTa / BART kind) trained on `texts`."""
    import tokenizers

    trainer = tokenizers.ByteLevelBPETokenizer()
    trainer.train_from_iterator(_corpus(texts), vocab_size=VOCAB_SIZE, min_frequency=1, special_tokens=list(specials))
    return trainer.get_vocab(), _merges(trainer._tokenizer)


def unigram_vocab(texts: Iterable[str], specials: Sequence[str], unk: str) -> list[tuple[str, float]]:
    """A sentencepiece-style Unigram vocabulary ((piece, log-probability) pairs, ``▁`` marking
    word starts) trained on `texts`; `specials` first, in order, as the family numbers them."""
    import tokenizers
    from tokenizers import models, pre_tokenizers, trainers

    tok = tokenizers.Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=VOCAB_SIZE, special_tokens=list(specials), unk_token=unk, max_piece_length=8, shrinking_factor=0.9)
    tok.train_from_iterator(_corpus(texts) * 2, trainer)
    return [(piece, float(score)) for piece, score in json.loads(tok.to_str())["model"]["vocab"]]


def sentencepiece_bpe(texts: Iterable[str], specials: Sequence[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """A sentencepiece-style BPE (``▁`` word starts, byte fallback ``<0xNN>``), as Llama's."""
    import tokenizers
    from tokenizers import models, pre_tokenizers, trainers

    bytes_ = [f"<0x{b:02X}>" for b in range(256)]
    tok = tokenizers.Tokenizer(models.BPE(byte_fallback=True, unk_token=specials[0]))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first")
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE + 256, min_frequency=1, special_tokens=[*specials, *bytes_])
    tok.train_from_iterator(_corpus(texts), trainer)
    return tok.get_vocab(), _merges(tok)


def _merges(tok: Any) -> list[tuple[str, str]]:
    merges = json.loads(tok.to_str())["model"]["merges"]
    return [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in merges]


# -- the families ---------------------------------------------------------------------------
def _labelled(config_kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"max_position_embeddings": MAX_POSITIONS, **config_kwargs}


def _bert_like(tokenizer_class: str, config_class: str, model_class: str, **config: Any) -> Callable[[Path, list[str]], Any]:
    def build(folder: Path, texts: list[str]) -> Any:
        import transformers

        tokenizer = getattr(transformers, tokenizer_class)(vocab=wordpiece_vocab(texts), do_lower_case=True, model_max_length=MAX_POSITIONS)
        cfg = getattr(transformers, config_class)(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, **config)
        return tokenizer, getattr(transformers, model_class)(cfg)

    return build


def _bert_config() -> dict[str, Any]:
    return _labelled({"hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": 2, "intermediate_size": 2 * HIDDEN})


def _build_distilbert(folder: Path, texts: list[str]) -> Any:
    import transformers

    tokenizer = transformers.DistilBertTokenizer(vocab=wordpiece_vocab(texts), do_lower_case=True, model_max_length=MAX_POSITIONS)
    cfg = transformers.DistilBertConfig(vocab_size=len(tokenizer), dim=HIDDEN, n_layers=LAYERS, n_heads=2, hidden_dim=2 * HIDDEN, max_position_embeddings=MAX_POSITIONS, pad_token_id=tokenizer.pad_token_id)
    return tokenizer, transformers.DistilBertForMaskedLM(cfg)


def _build_electra(folder: Path, texts: list[str]) -> Any:
    import transformers

    tokenizer = transformers.ElectraTokenizer(vocab=wordpiece_vocab(texts), do_lower_case=True, model_max_length=MAX_POSITIONS)
    cfg = transformers.ElectraConfig(vocab_size=len(tokenizer), embedding_size=16, pad_token_id=tokenizer.pad_token_id, **_bert_config())
    return tokenizer, transformers.ElectraForPreTraining(cfg)  # a discriminator checkpoint, as the released ones


def _build_roberta(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab, merges = byte_bpe(texts, ROBERTA_SPECIALS)
    tokenizer = transformers.RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=MAX_POSITIONS - 2)
    cfg = transformers.RobertaConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, **{**_bert_config(), "max_position_embeddings": MAX_POSITIONS + 2})
    return tokenizer, transformers.RobertaForMaskedLM(cfg)


def _build_xlm_roberta(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab = unigram_vocab(texts, ["<s>", "<pad>", "</s>", "<unk>"], "<unk>")
    tokenizer = transformers.XLMRobertaTokenizer(vocab=vocab, model_max_length=MAX_POSITIONS - 2)
    cfg = transformers.XLMRobertaConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, **{**_bert_config(), "max_position_embeddings": MAX_POSITIONS + 2})
    return tokenizer, transformers.XLMRobertaForMaskedLM(cfg)


def _build_albert(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab = unigram_vocab(texts, ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"], "<unk>")
    tokenizer = transformers.AlbertTokenizer(vocab=vocab, model_max_length=MAX_POSITIONS)
    cfg = transformers.AlbertConfig(vocab_size=len(tokenizer), embedding_size=16, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.cls_token_id, eos_token_id=tokenizer.sep_token_id, **_bert_config())
    return tokenizer, transformers.AlbertForMaskedLM(cfg)


def _build_deberta_v2(folder: Path, texts: list[str]) -> Any:
    """DeBERTa-v3 layout: the v2 classes, relative positions with buckets, no absolute positions."""
    import transformers

    vocab = unigram_vocab(texts, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], "[UNK]")
    tokenizer = transformers.DebertaV2Tokenizer(vocab=vocab, unk_id=1, model_max_length=MAX_POSITIONS)
    cfg = transformers.DebertaV2Config(
        vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, relative_attention=True, position_buckets=16,
        max_relative_positions=-1, pos_att_type=["p2c", "c2p"], position_biased_input=False, norm_rel_ebd="layer_norm", share_att_key=True,
        **_bert_config(),
    )
    return tokenizer, transformers.DebertaV2ForMaskedLM(cfg)


def _build_xlnet(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab = unigram_vocab(texts, ["<unk>", "<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>"], "<unk>")
    tokenizer = transformers.XLNetTokenizer(vocab=vocab, unk_id=0, keep_accents=True, model_max_length=MAX_POSITIONS)
    cfg = transformers.XLNetConfig(vocab_size=len(tokenizer), d_model=HIDDEN, n_layer=LAYERS, n_head=2, d_inner=2 * HIDDEN, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    return tokenizer, transformers.XLNetLMHeadModel(cfg)


def _build_t5(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab = unigram_vocab(texts, ["<pad>", "</s>", "<unk>"], "<unk>")
    tokenizer = transformers.T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=MAX_POSITIONS)
    cfg = transformers.T5Config(
        vocab_size=len(tokenizer), d_model=HIDDEN, d_kv=HIDDEN // 2, d_ff=2 * HIDDEN, num_layers=LAYERS, num_decoder_layers=LAYERS, num_heads=2,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id,
    )
    return tokenizer, transformers.T5ForConditionalGeneration(cfg)


def _bart_config(config_class: Any, tokenizer: Any, **extra: Any) -> Any:
    return config_class(
        vocab_size=len(tokenizer), d_model=HIDDEN, encoder_layers=LAYERS, decoder_layers=LAYERS, encoder_attention_heads=2, decoder_attention_heads=2,
        encoder_ffn_dim=2 * HIDDEN, decoder_ffn_dim=2 * HIDDEN, max_position_embeddings=MAX_POSITIONS,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, **extra,
    )


def _build_bart(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab, merges = byte_bpe(texts, ROBERTA_SPECIALS)
    tokenizer = transformers.BartTokenizer(vocab=vocab, merges=merges, model_max_length=MAX_POSITIONS)
    cfg = _bart_config(transformers.BartConfig, tokenizer, decoder_start_token_id=tokenizer.eos_token_id, forced_eos_token_id=tokenizer.eos_token_id)
    return tokenizer, transformers.BartForConditionalGeneration(cfg)


def _build_mbart(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab = unigram_vocab(texts, ["<s>", "<pad>", "</s>", "<unk>"], "<unk>")
    tokenizer = transformers.MBartTokenizer(vocab=vocab, src_lang="en_XX", tgt_lang="de_DE", model_max_length=MAX_POSITIONS)
    cfg = _bart_config(transformers.MBartConfig, tokenizer, decoder_start_token_id=tokenizer.eos_token_id, forced_eos_token_id=tokenizer.eos_token_id)
    return tokenizer, transformers.MBartForConditionalGeneration(cfg)


def _build_marian(folder: Path, texts: list[str]) -> Any:
    """Marian reads sentencepiece model files (``source.spm``/``target.spm``): trained here
    with the `sentencepiece` library, a Marian-style vocab.json around them."""
    import io

    import sentencepiece as spm
    import transformers

    folder.mkdir(parents=True, exist_ok=True)
    corpus = _corpus(texts)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus * 4), model_writer=model, vocab_size=min(VOCAB_SIZE, 200), model_type="unigram",
        hard_vocab_limit=False, character_coverage=1.0, unk_id=1, pad_id=-1, bos_id=-1, eos_id=0, unk_piece="<unk>", eos_piece="</s>", minloglevel=2,
    )
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(model.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab = {"</s>": 0, "<unk>": 1, "<pad>": 2}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = transformers.MarianTokenizer(source_spm=str(folder / "source.spm"), target_spm=str(folder / "target.spm"), vocab=str(folder / "vocab.json"), model_max_length=MAX_POSITIONS)
    cfg = _bart_config(transformers.MarianConfig, tokenizer, decoder_start_token_id=tokenizer.pad_token_id, forced_eos_token_id=tokenizer.eos_token_id, decoder_vocab_size=len(tokenizer))
    return tokenizer, transformers.MarianMTModel(cfg)


def _build_gpt2(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab, merges = byte_bpe(texts, ["<|endoftext|>"])
    tokenizer = transformers.GPT2Tokenizer(vocab=vocab, merges=merges, model_max_length=MAX_POSITIONS)
    eos = tokenizer.eos_token_id
    cfg = transformers.GPT2Config(vocab_size=len(tokenizer), n_positions=MAX_POSITIONS, n_embd=HIDDEN, n_layer=LAYERS, n_head=2, bos_token_id=eos, eos_token_id=eos)
    return tokenizer, transformers.GPT2LMHeadModel(cfg)


def _build_llama(folder: Path, texts: list[str]) -> Any:
    import transformers

    vocab, merges = sentencepiece_bpe(texts, ["<unk>", "<s>", "</s>"])
    tokenizer = transformers.LlamaTokenizer(vocab=vocab, merges=merges, model_max_length=MAX_POSITIONS)
    cfg = transformers.LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=HIDDEN, intermediate_size=2 * HIDDEN, num_hidden_layers=LAYERS, num_attention_heads=2, num_key_value_heads=2,
        max_position_embeddings=MAX_POSITIONS, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=None,
    )
    return tokenizer, transformers.LlamaForCausalLM(cfg)


#: family → builder of (tokenizer, model with random weights).
BUILDERS: dict[str, Callable[[Path, list[str]], Any]] = {
    "bert": _bert_like("BertTokenizer", "BertConfig", "BertForMaskedLM", **_bert_config()),
    "distilbert": _build_distilbert,
    "electra": _build_electra,
    "albert": _build_albert,
    "roberta": _build_roberta,
    "xlm-roberta": _build_xlm_roberta,
    "deberta-v2": _build_deberta_v2,
    "xlnet": _build_xlnet,
    "t5": _build_t5,
    "bart": _build_bart,
    "mbart": _build_mbart,
    "marian": _build_marian,
    "gpt2": _build_gpt2,
    "llama": _build_llama,
}


def tiny_backbone(family: str, folder: str | Path, texts: Iterable[str] = (), *, seed: int = 0) -> Path:
    """Save a tiny `family` model (random weights, seeded) and its tokenizer to `folder`; return it.

    `texts` are the sentences the tokenizer's vocabulary is trained on: pass the
    fixture texts the test will use, so they tokenise into real pieces."""
    import torch

    if family not in BUILDERS:
        raise KeyError(f"unknown backbone family {family!r}; expected one of {', '.join(BUILDERS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    tokenizer, model = BUILDERS[family](folder, list(texts))
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


__all__ = ["BUILDERS", "TRAP_TEXTS", "byte_bpe", "sentencepiece_bpe", "tiny_backbone", "unigram_vocab", "wordpiece_vocab"]
