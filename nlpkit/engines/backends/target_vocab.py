"""A decoder's own target-language vocabulary, for encoder-decoders built from an encoder only.

An English encoder-only checkpoint (MiniLM: uncased English WordPiece) cannot write
German: its vocabulary has no capitals, no umlauts, few German pieces. So the
decoder gets its own cased sub-word tokenizer, trained with the `tokenizers`
library on the training targets (BPE over SentencePiece-style ``▁`` word marks, so
decoding restores the spacing exactly), and saved in the model folder under
``target_tokenizer/``. `SourceTargetTokenizer` pairs it with the encoder's
tokenizer the way transformers' Marian tokenizer pairs its two vocabularies:
sources encode with the source side, ``text_target=`` and decoding use the target
side, so the task code (``tokenizer(sources, text_target=targets)``,
``batch_decode``) and `Trainer` checkpoints work unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["TARGET_SPECIALS", "TARGET_TOKENIZER_DIR", "SourceTargetTokenizer", "load_target_tokenizer", "train_target_tokenizer"]

#: Sub-folder of a model folder holding the decoder's tokenizer.
TARGET_TOKENIZER_DIR = "target_tokenizer"
#: Special tokens of a trained target tokenizer (ids 0-3): pad, unknown, decoder start, end.
TARGET_SPECIALS = ("<pad>", "<unk>", "<s>", "</s>")
#: Letters always in the vocabulary, seen in the training targets or not (Latin-script accents).
ALPHABET = "ÄÖÜäöüßÀÂÇÉÈÊËÎÏÔŒÙÛàâçéèêëîïôœùûÁÍÓÚÑáíóúñČŠŽčšžěřůý"


def train_target_tokenizer(texts: Iterable[str], vocab_size: int, *, model_max_length: int = 512) -> Any:
    """A cased BPE tokenizer of at most `vocab_size` tokens trained on `texts` (NFC-normalised,
    ``▁`` marks word starts, punctuation is split off; every encoding ends with ``</s>``), as a transformers fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    pad, unk, bos, eos = TARGET_SPECIALS
    tokenizer = Tokenizer(models.BPE(unk_token=unk))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"), pre_tokenizers.Punctuation("isolated")])
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=list(TARGET_SPECIALS), initial_alphabet=list(ALPHABET), show_progress=False)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    tokenizer.post_processor = processors.TemplateProcessing(single=f"$A {eos}", special_tokens=[(eos, tokenizer.token_to_id(eos))])
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token=pad, unk_token=unk, bos_token=bos, eos_token=eos, model_max_length=model_max_length)


def load_target_tokenizer(folder: str | Path) -> Any | None:
    """The target tokenizer saved in `folder` (``target_tokenizer/``), or None when it has none."""
    path = Path(folder) / TARGET_TOKENIZER_DIR
    if not path.is_dir():
        return None
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path), trust_remote_code=False)  # a tokenizers file: no code to run


class SourceTargetTokenizer:
    """The encoder's tokenizer for sources, the decoder's for targets and decoded text.

    Everything else (padding sources, the pad id, `model_max_length`, counting
    tokens) is the source tokenizer's. Deliberately not a `PreTrainedTokenizerBase`:
    `Trainer` would otherwise copy the source side's special tokens into the
    model's (decoder) generation config."""

    def __init__(self, source: Any, target: Any):
        self.source = source
        self.target = target

    def __call__(self, text: Any = None, text_target: Any = None, **kwargs: Any) -> Any:
        if text is None and text_target is None:
            raise ValueError("give text, text_target or both")
        if text is None:
            return self.target(text_target, **kwargs)
        encoded = self.source(text, **kwargs)
        if text_target is not None:
            encoded["labels"] = self.target(text_target, **kwargs)["input_ids"]
        return encoded

    def decode(self, ids: Any, **kwargs: Any) -> str:
        return self.target.decode(ids, **kwargs)

    def batch_decode(self, sequences: Any, **kwargs: Any) -> list[str]:
        return self.target.batch_decode(sequences, **kwargs)

    def save_pretrained(self, folder: str | Path, **kwargs: Any) -> tuple[str, ...]:
        """The source tokenizer in `folder`, the target one in ``folder/target_tokenizer``."""
        saved = self.source.save_pretrained(folder, **kwargs)
        return tuple(saved) + tuple(self.target.save_pretrained(Path(folder) / TARGET_TOKENIZER_DIR, **kwargs))

    def __len__(self) -> int:
        return len(self.source)

    def __getattr__(self, name: str) -> Any:
        if name in ("source", "target"):  # not set yet (copy/pickle): no recursion
            raise AttributeError(name)
        return getattr(self.source, name)
