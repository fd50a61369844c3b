"""Tiny models for tests: built from configs (2 layers, a vocabulary of the fixture
words), saved to a folder and loaded like any checkpoint. No downloads, a second or
two to build, deterministic under a seed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

#: Words for tiny vocabularies; tests add their own fixture words.
BASE_WORDS = (
    "the a an and or of to in on for with is was are be it this that film movie good bad great awful "
    "not very really love hate fine boring fun plot actor story ! . , ? ' - : ; ( )"
).split()

def vocabulary(words: Iterable[str] = ()) -> list[str]:
    """Special tokens, single characters (so any ASCII text tokenises) and `words`, lower-cased."""
    chars = [chr(c) for c in range(33, 127)]
    pieces = ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    seen: dict[str, None] = {}
    for token in [*SPECIAL_TOKENS, *chars, *pieces, *BASE_WORDS, *(w.lower() for text in words for w in re.findall(r"\w+|[^\w\s]", text))]:
        seen.setdefault(token, None)
    return list(seen)

def tiny_tokenizer(folder: Path, words: Iterable[str] = ()) -> Any:
    """A lower-casing WordPiece (BERT) tokenizer over `vocabulary(words)`, saved in `folder`."""
    from transformers import BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {token: i for i, token in enumerate(vocabulary(words))}
    tokenizer = BertTokenizer(vocab=vocab, do_lower_case=True, model_max_length=128)
    tokenizer.save_pretrained(folder)
    return tokenizer

def tiny_bert(folder: str | Path, words: Iterable[str] = (), *, head: str = "base", labels: Sequence[str] | None = None, seed: int = 0, hidden_size: int = 32, layers: int = 2) -> Path:
    """Save a 2-layer BERT (random weights) with a tokenizer to `folder`; return the folder.

    `head` picks the class saved: "base" (an encoder any head can start from),
    "sequence-classification" or "token-classification" (with `labels`), "span-extraction".
    """
    import torch
    import transformers

    folder = Path(folder)
    tokenizer = tiny_tokenizer(folder, words)
    config_kwargs: dict[str, Any] = {}
    if labels:
        config_kwargs = {"num_labels": len(labels), "id2label": dict(enumerate(labels)), "label2id": {label: i for i, label in enumerate(labels)}}
    config = transformers.BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=hidden_size * 2,
        max_position_embeddings=128,
        **config_kwargs,
    )
    classes = {
        "base": transformers.BertModel,
        "sequence-classification": transformers.BertForSequenceClassification,
        "token-classification": transformers.BertForTokenClassification,
        "span-extraction": transformers.BertForQuestionAnswering,
    }
    torch.manual_seed(seed)
    model = classes[head](config)
    model.save_pretrained(folder)
    return folder

SENTIMENT_FIXTURE = [  # labels alternate, so any prefix of two or more has both
    ("a good film , really fun", "positive"),
    ("a bad film , really boring", "negative"),
    ("great story and a great actor", "positive"),
    ("awful plot and an awful actor", "negative"),
    ("i love this movie", "positive"),
    ("i hate this movie", "negative"),
    ("fine , fun and very good", "positive"),
    ("not good , very boring", "negative"),
]

# -- tiny sequence-to-sequence models ------------------------------------------------
def tiny_t5(folder: str | Path, words: Iterable[str] = (), *, seed: int = 0, d_model: int = 32, layers: int = 2, task_specific_params: dict[str, Any] | None = None) -> Path:
    """Save a 2-layer T5 (random weights) with a WordPiece tokenizer to `folder`; return the folder.

    Generation starts at [PAD] and ends at [SEP], as T5 starts at <pad> and ends at </s>.
    `task_specific_params` goes into the config (T5 checkpoints ship task prefixes there)."""
    import torch
    import transformers

    folder = Path(folder)
    tokenizer = tiny_tokenizer(folder, words)
    config = transformers.T5Config(
        vocab_size=len(tokenizer), d_model=d_model, d_kv=d_model // 2, d_ff=d_model * 2, num_layers=layers,
        num_decoder_layers=layers, num_heads=2, pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.sep_token_id,
        decoder_start_token_id=tokenizer.pad_token_id, task_specific_params=task_specific_params,
    )
    torch.manual_seed(seed)
    transformers.T5ForConditionalGeneration(config).save_pretrained(folder)
    return folder

def tiny_gpt2(folder: str | Path, texts: Iterable[str] = (), *, seed: int = 0, n_embd: int = 32, layers: int = 2) -> Path:
    """Save a 2-layer GPT-2 (random weights) with a byte-level BPE tokenizer trained on
    `texts` (no pad token, as GPT-2 has none) to `folder`; return the folder."""
    import tokenizers
    import torch
    import transformers

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe = tokenizers.ByteLevelBPETokenizer()
    bpe.train_from_iterator([*BASE_WORDS, *texts], vocab_size=400, min_frequency=1, special_tokens=["<|endoftext|>"])
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>", unk_token="<|endoftext|>", model_max_length=128)
    tokenizer.save_pretrained(folder)
    eos = tokenizer.eos_token_id
    config = transformers.GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=n_embd, n_layer=layers, n_head=2, bos_token_id=eos, eos_token_id=eos)
    torch.manual_seed(seed)
    transformers.GPT2LMHeadModel(config).save_pretrained(folder)
    return folder
