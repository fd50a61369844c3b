"""The transformers backend: any `AutoModelFor…` checkpoint, from a hub id or a folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpkit.errors import ModelLoadError, NlpkitError
from nlpkit.inference import length_sorted_batches, maybe_batch, progress_bar
from nlpkit.models import Backend, Model
from nlpkit.tasks import Head

if TYPE_CHECKING:
    from nlpkit.inference import InferenceStats
    from nlpkit.tasks import Task
    from nlpkit.training import TrainConfig

#: transformers Auto class per head (decoder-only seq2seq uses AutoModelForCausalLM).
AUTO_CLASSES = {
    Head.SEQUENCE_CLASSIFICATION: "AutoModelForSequenceClassification",
    Head.TOKEN_CLASSIFICATION: "AutoModelForTokenClassification",
    Head.SPAN_EXTRACTION: "AutoModelForQuestionAnswering",
    Head.SEQ2SEQ: "AutoModelForSeq2SeqLM",
}
LABELLED_HEADS = {Head.SEQUENCE_CLASSIFICATION, Head.TOKEN_CLASSIFICATION}
DEFAULT_MAX_LENGTH = 512


def auto_class(head: Head, config: Any = None) -> Any:
    import transformers

    if head is Head.SEQ2SEQ and config is not None and not getattr(config, "is_encoder_decoder", False):
        return transformers.AutoModelForCausalLM
    return getattr(transformers, AUTO_CLASSES[head])


def _warm_start(config: Any, options: dict[str, Any]) -> bool:
    """Seq2seq from an encoder-only checkpoint (BERT2BERT); the `warm_start` model option decides when given."""
    from nlpkit.generation import wants_warm_start

    return wants_warm_start(config, options.pop("warm_start", None))


def _load_error(source: str, exc: BaseException) -> ModelLoadError:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if "weights_only" in first or "pickle" in first.lower():  # never pass on advice to unpickle
        first = "its weights are not in safetensors format, and nlpkit does not load pickle files"
    if not Path(source).exists():
        first += " (not a local folder, and the Hugging Face hub could not provide it: offline, or a wrong id?)"
    return ModelLoadError(f"cannot load model {source!r}: {first}")


class TransformersModel(Model):
    """A transformers network and its tokenizer."""

    backend = "transformers"

    def __init__(self, network: Any, tokenizer: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.network = network
        self.tokenizer = tokenizer

    @property
    def device(self) -> Any:
        return next(self.network.parameters()).device

    @property
    def max_length(self) -> int:
        limits = [DEFAULT_MAX_LENGTH]
        tok_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and tok_max < 100_000:
            limits.append(tok_max)
        pos = getattr(self.network.config, "max_position_embeddings", None)
        if isinstance(pos, int) and pos > 0:
            limits.append(pos)
        return min(limits)

    def pad(self, encodings: dict[str, list[list[int]]], indices: Sequence[int], *, left: bool = False) -> dict[str, Any]:
        """Pad the rows `indices` of pre-tokenised `encodings` into tensors (dynamic padding),
        on the right unless `left` (positions of the unpadded rows stay valid on the right)."""
        import torch

        from nlpkit.backends.families import pad_rows, pad_token_id

        width = max(len(encodings["input_ids"][i]) for i in indices)
        pad_id = pad_token_id(self.tokenizer)
        batch: dict[str, Any] = {}
        for key, rows in encodings.items():
            if key not in {"input_ids", "attention_mask", "token_type_ids"}:
                continue
            fill = pad_id if key == "input_ids" else 0
            batch[key] = torch.tensor(pad_rows([rows[i] for i in indices], fill, width, left=left), dtype=torch.long)
        return {k: v.to(self.device) for k, v in batch.items()}

    def classify(self, texts: Sequence[str], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        import torch

        if self.head is not Head.SEQUENCE_CLASSIFICATION:
            raise NlpkitError(f"{self.source} has a {self.head} head, not sequence classification")
        from nlpkit.backends.families import padding_left

        encodings = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
        ids = encodings["input_ids"]
        left = padding_left(self.tokenizer)  # XLNet's classifier reads the last position: pad as in training
        probs: list[list[float]] = [[] for _ in texts]
        self.network.eval()
        with torch.inference_mode(), progress_bar(len(texts), progress, "predict") as bar:
            for indices in length_sorted_batches(ids, batch_size, key=len):
                with maybe_batch(stats, len(indices), sum(len(ids[i]) for i in indices)):
                    logits = self.network(**self.pad(encodings, indices, left=left)).logits
                    rows = logits.float().softmax(-1).cpu().tolist()
                for i, row in zip(indices, rows):
                    probs[i] = row
                bar.update(len(indices))
        return probs

    def save(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        before = set(p.name for p in folder.iterdir())
        self.network.save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)
        return sorted(p.name for p in folder.iterdir() if p.name not in before and p.is_file())


def _apply_pooling(model: TransformersModel, source: str, meta: dict[str, Any] | None, requested: str | None) -> None:
    """Pool as the saved model was trained, else as asked, else as the checkpoint declares."""
    from nlpkit.pooling import POOLINGS, checkpoint_pooling, use_mean_pooling

    pooling = (meta or {}).get("pooling") if meta else (requested or checkpoint_pooling(source))
    if pooling is not None and pooling not in POOLINGS:
        raise NlpkitError(f"unknown pooling {pooling!r}; expected one of {', '.join(POOLINGS)}")
    if pooling == "mean":
        use_mean_pooling(model.network)
        model.meta["pooling"] = "mean"


class TransformersBackend(Backend):
    """Loads `AutoModelFor<head>` checkpoints; fine-tunes with `transformers.Trainer`."""

    name = "transformers"
    heads = frozenset(Head)

    def accepts_folder(self, folder: Path) -> bool:
        return (folder / "config.json").exists()

    def load(self, source: str, task: Task, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> TransformersModel:
        import transformers

        from nlpkit.backends.loading import check_model_folder, hub_access

        options = dict(options or {})
        requested_pooling = options.pop("pooling", None)  # a ModelSpec option, not a from_pretrained one
        trust = bool(options.pop("trust_remote_code", False))
        if Path(source).is_dir():
            check_model_folder(Path(source), trust_remote_code=trust)  # foreign code, pickle, corrupt files: before loading
        access = {"trust_remote_code": trust, **hub_access(source)}  # never None: transformers would ask on stdin
        try:
            config = transformers.AutoConfig.from_pretrained(source, **access)
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, **access)
        except (OSError, ValueError) as exc:
            raise _load_error(source, exc) from None
        kwargs: dict[str, Any] = {}
        if task.head in LABELLED_HEADS:
            if labels:
                kwargs.update(
                    num_labels=len(labels),
                    id2label=dict(enumerate(labels)),
                    label2id={label: i for i, label in enumerate(labels)},
                )
                if len(labels) != config.num_labels:
                    kwargs["ignore_mismatched_sizes"] = True
            else:
                labels = [config.id2label[i] for i in range(config.num_labels)]
        try:
            if task.head is Head.SEQ2SEQ and _warm_start(config, options):
                from nlpkit.generation import warm_start_encoder_decoder

                network = warm_start_encoder_decoder(source, tokenizer, **{f"{part}_{k}": v for part in ("encoder", "decoder") for k, v in access.items()}, **options)
            else:
                network = auto_class(task.head, config).from_pretrained(source, use_safetensors=True, **access, **kwargs, **options)
        except (OSError, ValueError) as exc:
            raise _load_error(source, exc) from None
        network.eval()
        from nlpkit.backends.families import ensure_pad_token

        ensure_pad_token(tokenizer, network)  # GPT-2, Llama: batches (and their classifiers) need a pad token
        model = TransformersModel(network, tokenizer, head=task.head, labels=labels, source=source, task=task.name, meta=meta)
        if task.head is Head.SEQUENCE_CLASSIFICATION:
            _apply_pooling(model, source, meta, requested_pooling)
        return model

    def finetune(self, task: Task, source: str | None, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path, labels: list[str] | None) -> TransformersModel:
        from nlpkit.training import train_transformers

        if source is None:
            raise NlpkitError("the transformers backend needs a pre-trained checkpoint to fine-tune")
        import transformers

        transformers.set_seed(config.seed)  # before loading: a new head's weights are drawn here
        model = self.load(source, task, labels=labels, options={"trust_remote_code": config.trust_remote_code})
        return train_transformers(task, model, train, eval, config, workdir)
