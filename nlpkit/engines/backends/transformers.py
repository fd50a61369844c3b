"""The transformers backend: any `AutoModelFor…` checkpoint, from a hub id or a folder."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.device import Placement
from nlpkit.contracts.errors import ModelLoadError, NlpkitError
from nlpkit.contracts.models import Backend, Model
from nlpkit.contracts.options import Option
from nlpkit.contracts.tasks import Head
from nlpkit.engines.inference import iter_batches, run_batches, to_cpu, to_device

if TYPE_CHECKING:
    from nlpkit.contracts.tasks import Task
    from nlpkit.engines.generation import GenerationOutput, GenerationRequest
    from nlpkit.engines.heads.spans import SpanBatch
    from nlpkit.engines.inference import InferenceStats
    from nlpkit.engines.training import TrainConfig

#: transformers Auto class per head (decoder-only seq2seq uses AutoModelForCausalLM).
AUTO_CLASSES = {
    Head.SEQUENCE_CLASSIFICATION: "AutoModelForSequenceClassification",
    Head.TOKEN_CLASSIFICATION: "AutoModelForTokenClassification",
    Head.SPAN_EXTRACTION: "AutoModelForQuestionAnswering",
    Head.SEQ2SEQ: "AutoModelForSeq2SeqLM",
}
LABELLED_HEADS = {Head.SEQUENCE_CLASSIFICATION, Head.TOKEN_CLASSIFICATION}
DEFAULT_MAX_LENGTH = 512
#: Layers of a fresh decoder built over its own target vocabulary (option `decoder_layers`).
DEFAULT_DECODER_LAYERS = 3


def auto_class(head: Head, config: Any = None) -> Any:
    import transformers

    if head is Head.SEQ2SEQ and config is not None and not getattr(config, "is_encoder_decoder", False):
        return transformers.AutoModelForCausalLM
    return getattr(transformers, AUTO_CLASSES[head])


def _warm_start(config: Any, options: dict[str, Any]) -> bool:
    """Seq2seq from an encoder-only checkpoint (BERT2BERT); the `warm_start` model option decides when given."""
    from nlpkit.engines.backends.seq2seq import wants_warm_start

    return wants_warm_start(config, options.pop("warm_start", None))


def _decoder_options(task: Task, train: Sequence[Any], config: TrainConfig) -> dict[str, Any]:
    """How to build a decoder when the checkpoint is an encoder only (the task's
    `target_vocab_size` and `decoder_layers` options; `load` applies them only then)."""
    given = config.task_options
    size = given.get("target_vocab_size")
    size = getattr(task, "default_target_vocab_size", 0) if size is None else int(size)
    out: dict[str, Any] = {}
    if given.get("decoder_layers"):
        out["decoder_layers"] = int(given["decoder_layers"])
    if size:
        from nlpkit.engines.backends.target_vocab import train_target_tokenizer

        def make_target() -> Any:
            texts = task.target_texts(train)  # type: ignore[attr-defined]
            if not texts:
                raise NlpkitError("no training targets to build the decoder's vocabulary from")
            return train_target_tokenizer(texts, size)

        out["target_tokenizer"] = make_target
    return out


def _load_error(source: str, exc: BaseException) -> ModelLoadError:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if "weights_only" in first or "pickle" in first.lower():  # never pass on advice to unpickle
        first = "its weights are not in safetensors format, and nlpkit does not load pickle files"
    if not Path(source).exists():
        first += " (not a local folder, and the Hugging Face hub could not provide it: offline, or a wrong id?)"
    return ModelLoadError(f"cannot load model {source!r}: {first}")


class TransformersModel(Model):
    """A transformers network and its tokenizer, serving every head of the contract.

    Each head's method prepares token ids (sub-words, windows, crops: `nlpkit.engines.heads`),
    writes the per-batch step, and runs it through the core inference loop."""

    backend = "transformers"
    accelerated = True

    def __init__(self, network: Any, tokenizer: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.network = network
        self.tokenizer = tokenizer
        #: Learning rate per parameter-name prefix when fine-tuning (a fresh decoder: ``{"decoder.": 5e-4}``); others take --learning-rate.
        self.learning_rates: dict[str, float] = {}

    @property
    def device(self) -> Any:
        return next(self.network.parameters()).device

    def to(self, placement: Placement) -> TransformersModel:
        """Move the network to the placement's device and cast it to its precision (for inference)."""
        if self.meta.get("quantize") and (placement.accelerator or placement.precision != "fp32"):
            raise NlpkitError(f"an int8-quantized model (-O quantize=int8) runs on the CPU with fp32 activations only, not on {placement.device} at {placement.precision}: use --device cpu --precision fp32")
        self.network.to(device=placement.device, dtype=placement.dtype)
        self.placement = placement
        return self

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

    @property
    def pad_id(self) -> int:
        from nlpkit.engines.backends.families import pad_token_id

        return pad_token_id(self.tokenizer)

    def _tensors(self, rows: Sequence[dict[str, list[int]]], *, left: bool = False) -> dict[str, Any]:
        """Pad a batch of encoded rows (input ids, type ids) into tensors on the model's device:
        on the right (positions of the rows stay valid), or on the left when `left`."""
        import torch

        width, pad = max(len(row["input_ids"]) for row in rows), self.pad_id

        def fill(row: list[int], value: int) -> list[int]:
            padding = [value] * (width - len(row))
            return padding + row if left else row + padding

        batch = {
            "input_ids": torch.tensor([fill(row["input_ids"], pad) for row in rows], dtype=torch.long),
            "attention_mask": torch.tensor([fill([1] * len(row["input_ids"]), 0) for row in rows], dtype=torch.long),
        }
        if "token_type_ids" in rows[0]:
            batch["token_type_ids"] = torch.tensor([fill(row["token_type_ids"], 0) for row in rows], dtype=torch.long)
        return to_device(batch, self.device)

    # sequence classification ------------------------------------------------------------
    def classify(self, texts: Sequence[str], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        self._require(Head.SEQUENCE_CLASSIFICATION)
        encodings = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
        keys = [k for k in ("input_ids", "token_type_ids") if k in encodings]
        rows = [{k: encodings[k][i] for k in keys} for i in range(len(texts))]
        self.network.eval()
        from nlpkit.engines.backends.families import padding_left

        left = padding_left(self.tokenizer)  # XLNet's classifier reads the last position: pad as in training

        def step(batch: list[dict[str, list[int]]]) -> list[list[float]]:
            return to_cpu(self.network(**self._tensors(batch, left=left)).logits).softmax(-1).tolist()

        return run_batches(rows, step, batch_size=batch_size, length=lambda r: len(r["input_ids"]), stats=stats, progress=progress)

    def classify_marked(self, items: Sequence[tuple[Sequence[str], int, int]], markers: tuple[str, str], *, logit_bias: Sequence[float] | None = None, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[float]]:
        import torch

        from nlpkit.engines.heads.words import encode_focused
        from nlpkit.engines.pooling import marker_logits

        self._require(Head.SEQUENCE_CLASSIFICATION)
        if not items:
            return []
        rows = [{"input_ids": ids} for ids in encode_focused(self.tokenizer, items, self.max_length)]
        marker_ids = tuple(self.tokenizer.convert_tokens_to_ids(list(markers)))
        bias = torch.tensor(list(logit_bias), dtype=torch.float) if logit_bias is not None and any(logit_bias) else None
        self.network.eval()

        def step(batch: list[dict[str, list[int]]]) -> list[list[float]]:
            inputs = self._tensors(batch)
            logits = to_cpu(marker_logits(self.network, inputs["input_ids"], inputs["attention_mask"], marker_ids))  # type: ignore[arg-type]
            if bias is not None:
                logits = logits + bias
            return logits.softmax(-1).tolist()

        return run_batches(rows, step, batch_size=batch_size, length=lambda r: len(r["input_ids"]), stats=stats, progress=progress, desc="relations")

    def knows_tokens(self, tokens: Sequence[str]) -> bool:
        vocab = self.tokenizer.get_vocab()
        return all(token in vocab for token in tokens)

    def add_marker_tokens(self, tokens: Sequence[str]) -> bool:
        missing = [t for t in tokens if t not in self.tokenizer.get_vocab()]
        if not missing:
            return False
        self.tokenizer.add_tokens(missing, special_tokens=True)
        self.network.resize_token_embeddings(len(self.tokenizer))
        return True

    def use_marker_pooling(self, markers: tuple[str, str]) -> None:
        from nlpkit.engines.pooling import use_marker_pooling

        use_marker_pooling(self.network, tuple(self.tokenizer.convert_tokens_to_ids(list(markers))))  # type: ignore[arg-type]

    # token classification ----------------------------------------------------------------
    def tag_words(self, sentences: Sequence[Sequence[str]], *, window_overlap: int | None = None, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> list[list[list[float]]]:
        import torch

        from nlpkit.engines.heads.words import WordWindow, collect_words, word_windows

        self._require(Head.TOKEN_CLASSIFICATION)
        rows, sizes = word_windows(self.tokenizer, sentences, self.max_length, window_overlap)
        self.network.eval()

        def step(batch: list[WordWindow]) -> list[list[list[float]]]:
            logits = self.network(**self._tensors([{"input_ids": row.input_ids} for row in batch])).logits
            probs = to_cpu(logits).softmax(-1)
            where = [(b, position) for b, row in enumerate(batch) for _, position in row.words]
            if not where:
                return [[] for _ in batch]
            flat = probs[torch.tensor([b for b, _ in where]), torch.tensor([p for _, p in where])].tolist()
            split, start = [], 0
            for row in batch:
                split.append(flat[start : start + len(row.words)])
                start += len(row.words)
            return split

        return collect_words(rows, sizes, iter_batches(rows, step, batch_size=batch_size, length=lambda r: len(r.input_ids), stats=stats, progress=progress, desc="predict (windows)"))

    # span extraction ----------------------------------------------------------------------
    def span_scores(self, questions: Sequence[str], contexts: Sequence[str], *, max_length: int, doc_stride: int, max_question_length: int, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False) -> Iterator[SpanBatch]:
        from nlpkit.engines.heads.spans import SpanBatch, build_windows, question_counter

        self._require(Head.SPAN_EXTRACTION)
        max_length = min(max_length, self.max_length)
        windows = build_windows(self.tokenizer, questions, contexts, max_length=max_length, doc_stride=doc_stride, max_question_length=max_question_length)
        finished = question_counter(windows, len(questions))

        def step(batch: list[Any]) -> list[tuple[Any, Any]]:
            rows = [{"input_ids": w.input_ids, **({"token_type_ids": w.token_type_ids} if w.token_type_ids is not None else {})} for w in batch]
            output = self.network(**self._tensors(rows))
            start, end = to_cpu(output.start_logits), to_cpu(output.end_logits)
            return list(zip(start, end))

        self.network.eval()
        for indices, results in iter_batches(windows, step, batch_size=batch_size, length=lambda w: len(w.input_ids), stats=stats, progress=progress, desc="answer", count=finished, total=len(questions)):
            import torch

            yield SpanBatch(
                pairs=[windows[i].example for i in indices],
                offsets=[windows[i].offsets for i in indices],
                cls_index=[windows[i].cls_index for i in indices],
                start_logits=torch.stack([s for s, _ in results]),
                end_logits=torch.stack([e for _, e in results]),
            )

    # seq2seq ----------------------------------------------------------------------------------
    def generate(self, texts: Sequence[str], request: GenerationRequest, *, batch_size: int = 16, stats: InferenceStats | None = None, progress: bool = False) -> list[GenerationOutput]:
        from nlpkit.engines.backends.seq2seq import generate

        self._require(Head.SEQ2SEQ)
        return generate(self, texts, request, batch_size=batch_size, stats=stats, progress=progress)

    def task_params(self, key: str) -> dict[str, Any]:
        params = getattr(self.network.config, "task_specific_params", None) or {}
        return dict(params.get(key) or {})

    def language_tokens(self) -> list[str]:
        from nlpkit.engines.backends.seq2seq import tokenizer_language_tokens

        return tokenizer_language_tokens(self.tokenizer)

    @property
    def model_family(self) -> str:
        return str(getattr(self.network.config, "model_type", "") or "")

    @property
    def decoder_only(self) -> bool:
        return not getattr(self.network.config, "is_encoder_decoder", False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(self.tokenizer.tokenize(text)) for text in texts]

    def save(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        before = set(p.name for p in folder.iterdir())
        self.network.save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)  # a decoder's own tokenizer goes to target_tokenizer/
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.relative_to(folder).parts[0] not in before and p.is_file())


def _apply_pooling(model: TransformersModel, source: str, meta: dict[str, Any] | None, requested: str | None) -> None:
    """Pool as the saved model was trained, else as asked, else as the checkpoint declares."""
    from nlpkit.engines.pooling import POOLINGS, checkpoint_pooling, use_mean_pooling

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
    accelerated = True
    requires = ("torch", "transformers")
    requires_extra = "nlpkit-core[transformers]"
    options: ClassVar[tuple[Option, ...]] = (
        Option("quantize", str, None, "int8: torch dynamic quantization of the encoder's linear layers (CPU inference; smaller, faster, scores move slightly; 8-bit activations on CPUs with VNNI, else 7-bit)", choices=("int8",)),
    )

    def accepts_folder(self, folder: Path) -> bool:
        return (folder / "config.json").exists()

    def load(self, source: str, task: Task, *, labels: list[str] | None = None, meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> TransformersModel:
        import transformers

        from nlpkit.engines.backends.loading import check_model_folder

        options = dict(options or {})
        requested_pooling = options.pop("pooling", None)  # a ModelSpec option, not a from_pretrained one
        quantize = options.pop("quantize", None)  # a backend option (-O quantize=int8), not a from_pretrained one
        trust = bool(options.pop("trust_remote_code", False))
        # fine-tuning a seq2seq model from an encoder only: a callable making the decoder's own
        # target tokenizer (None: the decoder shares the encoder's), and the decoder's depth
        make_target = options.pop("target_tokenizer", None)
        decoder_layers = options.pop("decoder_layers", None)
        if Path(source).is_dir():
            check_model_folder(Path(source), trust_remote_code=trust)  # foreign code, pickle, corrupt files: before loading
        access = {"trust_remote_code": trust}  # never None: transformers would ask on stdin
        try:
            config = transformers.AutoConfig.from_pretrained(source, **access)
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, **access)
            if Path(source).is_dir() and task.head is Head.SEQ2SEQ:
                from nlpkit.engines.backends.target_vocab import SourceTargetTokenizer, load_target_tokenizer

                target = load_target_tokenizer(source)
                if target is not None:
                    tokenizer = SourceTargetTokenizer(tokenizer, target)
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
            decoder_meta = None
            if task.head is Head.SEQ2SEQ and _warm_start(config, options) and make_target is not None:
                from nlpkit.engines.backends.seq2seq import build_encoder_decoder
                from nlpkit.engines.backends.target_vocab import TARGET_TOKENIZER_DIR, SourceTargetTokenizer

                target = make_target()
                network = build_encoder_decoder(source, target, decoder_layers=decoder_layers or DEFAULT_DECODER_LAYERS, **access)
                tokenizer = SourceTargetTokenizer(tokenizer, target)
                decoder_meta = {"layers": network.config.decoder.num_hidden_layers, "hidden_size": network.config.decoder.hidden_size, "init": "fresh", "target_vocab_size": len(target), "target_tokenizer": f"{TARGET_TOKENIZER_DIR}/ (cased BPE trained on the training targets)"}
            elif task.head is Head.SEQ2SEQ and _warm_start(config, options):
                from nlpkit.engines.backends.seq2seq import warm_start_encoder_decoder

                if decoder_layers:
                    options["decoder_num_hidden_layers"] = decoder_layers
                network = warm_start_encoder_decoder(source, tokenizer, **{f"{part}_{k}": v for part in ("encoder", "decoder") for k, v in access.items()}, **options)
                decoder_meta = {"layers": network.config.decoder.num_hidden_layers, "hidden_size": network.config.decoder.hidden_size, "init": "encoder", "target_vocab_size": 0}
            else:
                network = auto_class(task.head, config).from_pretrained(source, use_safetensors=True, **access, **kwargs, **options)
                if hasattr(tokenizer, "target") and not (meta or {}).get("decoder"):  # fine-tuning further a model that has its own decoder
                    decoder_meta = {"layers": network.config.decoder.num_hidden_layers, "hidden_size": network.config.decoder.hidden_size, "init": f"from {source}", "target_vocab_size": len(tokenizer.target)}
        except (OSError, ValueError) as exc:
            raise _load_error(source, exc) from None
        network.eval()
        from nlpkit.engines.backends.families import ensure_pad_token

        ensure_pad_token(tokenizer, network)  # GPT-2, Llama: batches (and their classifiers) need a pad token
        model = TransformersModel(network, tokenizer, head=task.head, labels=labels, source=source, task=task.name, meta=meta)
        if decoder_meta is not None:
            model.meta = {**model.meta, "decoder": decoder_meta}
        if task.head is Head.SEQUENCE_CLASSIFICATION:
            _apply_pooling(model, source, meta, requested_pooling)
        if quantize == "int8":
            from nlpkit.engines.backends.quantization import quantize_int8

            full_range = quantize_int8(network)
            model.meta = {**model.meta, "quantize": "int8", "activation_bits": 8 if full_range else 7}
        return model

    def finetune(self, task: Task, source: str | None, train: Sequence[Any], eval: Sequence[Any] | None, config: TrainConfig, workdir: Path, labels: list[str] | None) -> TransformersModel:
        from nlpkit.engines.training import train_transformers

        if source is None:
            raise NlpkitError("the transformers backend needs a pre-trained checkpoint to fine-tune")
        import transformers

        if config.backend_options.get("quantize"):
            raise NlpkitError("quantize applies to predict and evaluate: fine-tune at full precision, then predict with -O quantize=int8")
        transformers.set_seed(config.seed)  # before loading: a new head's weights are drawn here
        options: dict[str, Any] = {"trust_remote_code": config.trust_remote_code}
        if task.head is Head.SEQ2SEQ:
            options.update(_decoder_options(task, train, config))
        model = self.load(source, task, labels=labels, options=options)
        if task.head is Head.SEQ2SEQ:
            from nlpkit.engines.backends.seq2seq import prepare_for_training

            prepare_for_training(model)
            decoder_lr = config.task_options.get("decoder_learning_rate")
            if decoder_lr and getattr(model.network.config, "is_encoder_decoder", False):
                model.learning_rates = {"decoder.": float(decoder_lr)}
        return train_transformers(task, model, train, eval, config, workdir)
