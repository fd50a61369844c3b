"""Extractive summarization: a sentence scorer fine-tuned on a pre-trained encoder (as BertSumExt).

The registered model ``extractive`` (backend ``extractive``) is fine-tuned with
``nlpkit finetune summarization --model extractive …``:

- each training document is split into sentences (`nlpkit_summarization.sentences`) and
  labelled by a greedy ROUGE oracle (`oracle_sentences`): sentences are added while they
  raise ROUGE-1 + ROUGE-2 F1 of the selection against the references (max over
  references, stemmed: the `rouge` metric's own scoring);
- the encoder reads the whole document as words through the token-classification
  contract (`Model.tag_words`; documents longer than the model are read in windows), every
  word trained toward its sentence's label, so each sentence is scored in the context of
  the whole document;
- a summary is the `sentences` best-scoring sentences (a sentence scores the mean
  probability of its words), skipping one that shares a word trigram with a sentence already
  chosen (`trigram_blocking`), in document order.

The fine-tuned folder is a token-classification checkpoint of the encoder plus
``extractive.json``; its ``nlpkit.json`` names the ``extractive`` backend, so predict,
evaluate and bench load it with no extra flag. The encoder is MiniLM unless
``-O encoder=NAME`` (a registered name, folder or hub id) says otherwise. Nothing here
touches a model's internals: training goes through the encoder backend's `finetune`,
prediction through `tag_words`, which runs the core inference loop.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, ModelLoadError, NlpkitError
from nlpkit.contracts.models import Backend, Model
from nlpkit.contracts.options import TRAIN, Option
from nlpkit.contracts.tasks import Head
from nlpkit.engines.token_classification import TokenClassificationTask

if TYPE_CHECKING:
    from nlpkit.contracts.device import Placement
    from nlpkit.engines.generation import GenerationOutput, GenerationRequest
    from nlpkit.engines.inference import InferenceStats
    from nlpkit.engines.training import TrainConfig

__all__ = ["ExtractiveBackend", "ExtractiveModel", "SentenceTagger", "TaggedDocument", "document_sentences", "oracle_sentences", "select_sentences", "tag_document", "trigrams"]

log = logging.getLogger("nlpkit")

#: Word labels of the sentence scorer: outside / inside the oracle summary.
OUTSIDE, INSIDE = "O", "SUMMARY"
LABELS = (OUTSIDE, INSIDE)
#: The file beside the scorer's weights that makes a folder an extractive summarizer.
CARD = "extractive.json"
#: Most sentences the oracle labels per document unless ``-O oracle_sentences`` says otherwise (BertSumExt: 3).
ORACLE_LIMIT = 3
DEFAULT_ENCODER = "minilm"
ORACLE_TYPES = ("rouge1", "rouge2")


# -- oracle labels and sentence selection ---------------------------------------------
def document_sentences(text: str) -> list[str]:
    """The sentences of `text` an extractive summary chooses from (each with at least one word)."""
    from nlpkit_summarization.sentences import split_sentences

    return [s for s in split_sentences(text) if s.split()]


def oracle_sentences(sentences: Sequence[str], references: Sequence[str], limit: int = ORACLE_LIMIT) -> list[int]:
    """Indices (document order) of the greedy ROUGE oracle: each round adds the sentence
    that most raises ROUGE-1 + ROUGE-2 F1 of the selection (read in document order; max over
    `references`, stemmed, as the `rouge` metric scores); it stops when no sentence raises it
    or at `limit` sentences. Ties go to the earlier sentence."""
    from nlpkit_summarization.rouge import best_scores

    refs = tuple(references)
    if not refs:
        raise NlpkitError("the oracle needs at least one reference summary")
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < limit:
        gains = []
        for i in range(len(sentences)):
            if i in chosen:
                continue
            text = " ".join(sentences[j] for j in sorted([*chosen, i]))
            gains.append((sum(best_scores(text, refs, ORACLE_TYPES, True)), -i))
        if not gains:
            break
        score, minus_i = max(gains)
        if score <= best:
            break
        chosen.append(-minus_i)
        best = score
    return sorted(chosen)


def trigrams(text: str) -> set[tuple[str, str, str]]:
    """Lower-cased word trigrams of `text` (words: runs of letters and digits)."""
    words = re.findall(r"\w+", text.lower())
    return set(zip(words, words[1:], words[2:]))


def select_sentences(scores: Sequence[float], sentences: Sequence[str], k: int, block_trigrams: bool = True) -> list[int]:
    """Indices of up to `k` sentences in document order: the best-scoring first (ties: the
    earlier), skipping, with `block_trigrams`, a sentence that shares a word trigram with one
    already chosen (BertSumExt's redundancy control; then fewer than `k` may remain)."""
    if len(scores) != len(sentences):
        raise NlpkitError(f"{len(scores)} sentence scores for {len(sentences)} sentences")
    chosen: list[int] = []
    seen: set[tuple[str, str, str]] = set()
    for i in sorted(range(len(scores)), key=lambda i: (-scores[i], i)):
        if len(chosen) == k:
            break
        grams = trigrams(sentences[i])
        if block_trigrams and grams & seen:
            continue
        chosen.append(i)
        seen |= grams
    return sorted(chosen)


@dataclasses.dataclass
class TaggedDocument:
    """A document as words, each tagged with its sentence's oracle label (training data of the scorer)."""

    tokens: list[str]
    tags: list[str]
    source: str | None = None
    #: Indices of the oracle's sentences.
    summary: list[int] = dataclasses.field(default_factory=list)


def tag_document(example: Any, limit: int = ORACLE_LIMIT) -> TaggedDocument:
    """`example` (text and reference `targets`) as words tagged by the oracle."""
    if not example.targets:
        raise DataError(example.source, "no reference summary to derive the oracle sentence labels from", field="targets")
    sentences = document_sentences(example.text)
    chosen = oracle_sentences(sentences, example.targets, limit)
    tokens: list[str] = []
    tags: list[str] = []
    for i, sentence in enumerate(sentences):
        words = sentence.split()
        tokens += words
        tags += [INSIDE if i in chosen else OUTSIDE] * len(words)
    return TaggedDocument(tokens, tags, example.source, chosen)


class SentenceTagger(TokenClassificationTask):
    """The scorer's training task: words of a document tagged in / out of the oracle summary.
    Not registered: the summarization task trains it through the ``extractive`` backend."""

    name = "summarization-sentences"
    description = "words of a document tagged by the sentence they belong to: in or out of the oracle summary"


# -- the model -------------------------------------------------------------------------------
class ExtractiveModel(Model):
    """Summarises by choosing sentences; `scorer` is a token-classification model whose labels are `LABELS`."""

    backend = "extractive"
    accelerated = True

    def __init__(self, scorer: Model, *, scorer_backend: str, encoder: str, source: str, task: str | None, meta: dict[str, Any] | None = None):
        super().__init__(head=Head.SEQ2SEQ, labels=None, source=source, task=task, meta=scorer.meta if meta is None else meta)
        if INSIDE not in (scorer.labels or ()):
            raise ModelLoadError(f"{source}: the sentence scorer's labels are {scorer.labels}, not {list(LABELS)}")
        self.scorer = scorer
        self.scorer_backend = scorer_backend
        self.encoder = encoder

    @property
    def max_length(self) -> int:
        return self.scorer.max_length

    @property
    def device(self) -> Any:
        return self.scorer.device

    def to(self, placement: Placement) -> ExtractiveModel:
        self.scorer.to(placement)
        self.placement = self.scorer.placement
        return self

    def sentence_scores(self, documents: Sequence[Sequence[str]], *, batch_size: int = 16, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        """Per document, per sentence: the mean probability of its words being in the summary."""
        column = list(self.scorer.labels or ()).index(INSIDE)
        words = [[w for sentence in sentences for w in sentence.split()] for sentences in documents]
        distributions = self.scorer.tag_words(words, batch_size=batch_size, stats=stats, progress=progress)
        out = []
        for sentences, rows in zip(documents, distributions):
            scores, start = [], 0
            for sentence in sentences:
                size = len(sentence.split())
                scores.append(sum(row[column] for row in rows[start : start + size]) / size)
                start += size
            out.append(scores)
        return out

    def extract(self, texts: Sequence[str], *, sentences: int = 1, trigram_blocking: bool = True, batch_size: int = 16, stats: InferenceStats | None = None, progress: bool = False) -> list[GenerationOutput]:
        """Per text: the chosen sentences joined by spaces (`select_sentences`), scored by their mean probability."""
        from nlpkit.engines.generation import GenerationOutput

        documents = [document_sentences(text) for text in texts]
        outputs = []
        for doc, scores in zip(documents, self.sentence_scores(documents, batch_size=batch_size, stats=stats, progress=progress)):
            picked = select_sentences(scores, doc, sentences, trigram_blocking)
            outputs.append(GenerationOutput([" ".join(doc[i] for i in picked)], [sum(scores[i] for i in picked) / len(picked) if picked else None]))
        return outputs

    def generate(self, texts: Sequence[str], request: GenerationRequest | None = None, *, batch_size: int = 16, stats: InferenceStats | None = None, progress: bool = False) -> list[GenerationOutput]:
        """The seq2seq contract: `extract` with its defaults (one sentence, trigram blocking);
        decoding settings in `request` do not apply. The summarization task calls `extract`
        with its ``sentences`` / ``trigram_blocking`` options instead."""
        return self.extract(texts, batch_size=batch_size, stats=stats, progress=progress)

    def save(self, folder: Path) -> list[str]:
        files = self.scorer.save(folder)
        card = {"format": 1, "scorer_backend": self.scorer_backend, "labels": list(self.scorer.labels or ()), "encoder": self.encoder}
        (folder / CARD).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        return sorted({*files, CARD})


class ExtractiveBackend(Backend):
    """Fine-tunes a sentence scorer on an encoder (``-O encoder=…``, default MiniLM) from oracle
    labels, and loads the folders it saved (``extractive.json`` beside the scorer)."""

    name = "extractive"
    heads = frozenset({Head.SEQ2SEQ})
    accelerated = True
    requires: ClassVar[tuple[str, ...]] = ("torch", "transformers")
    requires_extra = "nlpkit-summarization[transformers]"
    options: ClassVar[tuple[Option, ...]] = (
        Option("encoder", str, None, f"pre-trained encoder of the sentence scorer: a registered name, folder or hub id (default: {DEFAULT_ENCODER})", stages=TRAIN),
    )

    def accepts_folder(self, folder: Path) -> bool:
        return False  # its folders carry an nlpkit.json naming this backend

    def load(self, source: str, task: Any, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> ExtractiveModel:
        from nlpkit.resolution import registries_or_loaded

        card = Path(source) / CARD
        if not card.is_file():
            raise NlpkitError(
                f"{source!r} is not a fine-tuned extractive summarizer (no {CARD}): fine-tune one first with "
                f"`nlpkit finetune summarization --model extractive --train DATA --output DIR`, then use --model DIR"
            )
        try:
            info = json.loads(card.read_text(encoding="utf-8"))
            scorer_backend, scorer_labels, encoder = info["scorer_backend"], info["labels"], info.get("encoder", "?")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelLoadError(f"{card}: unreadable extractive model description ({exc})") from None
        backend = registries_or_loaded()["backends"].get(scorer_backend)
        passed = {k: v for k, v in (options or {}).items() if k == "trust_remote_code"}
        scorer = backend.load(source, SentenceTagger(), labels=scorer_labels, options=passed)
        return ExtractiveModel(scorer, scorer_backend=scorer_backend, encoder=encoder, source=source, task=task.name, meta=meta or {})

    def finetune(self, task: Any, source: str | None, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path, labels: list[str] | None) -> ExtractiveModel:
        from nlpkit.resolution.models import require_libraries, resolve_model

        encoder = config.backend_options.get("encoder") or source or DEFAULT_ENCODER
        tagger = SentenceTagger()
        resolved = resolve_model(encoder, tagger)
        if Head.TOKEN_CLASSIFICATION not in resolved.backend.heads or resolved.source is None:
            raise NlpkitError(f"-O encoder={encoder}: the {resolved.backend.name} backend cannot fine-tune it to score words; choose a pre-trained encoder such as {DEFAULT_ENCODER}")
        require_libraries(resolved.backend)
        limit = int(config.task_options.get("oracle_sentences") or ORACLE_LIMIT)
        documents = [tag_document(example, limit) for example in train]
        log.info(f"oracle labels: {sum(len(d.summary) for d in documents) / max(len(documents), 1):.2f} sentences per document in the summary (at most {limit})")
        checked = [tag_document(example, limit) for example in eval] if eval and config.early_stopping_patience is not None else None
        scorer_config = replace(config, task_options={}, backend_options={})
        scorer = resolved.backend.finetune(tagger, resolved.source, documents, checked, scorer_config, workdir, list(LABELS))
        return ExtractiveModel(scorer, scorer_backend=resolved.backend.name, encoder=encoder, source=encoder, task=task.name)

