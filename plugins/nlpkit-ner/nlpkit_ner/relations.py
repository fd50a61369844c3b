"""The `relations` task: entities (from an NER model, or gold) → typed, directed relations.

A sentence classifier (any encoder checkpoint with a sequence-classification head)
reads the sentence with typed entity markers around each candidate ordered pair and
predicts a relation type or ``no_relation`` from the states at the two start markers
(`Model.classify_marked`). Pairs are streamed in chunks, and only pairs within the
model's reach are candidates, so a long text costs linear time and bounded memory.
Directional datasets (SemEval) keep their directional labels as classes.

Which entities: ``-O entities=ner`` runs an NER model first; ``entities=gold`` uses
the entities given with the input; ``auto`` (default) uses NER when the relations
model knows an NER model, else the given entities. A relations model finds its NER
model, in order: ``-O ner_model=PATH``; an ``ner/`` sub-folder of the model folder;
the ``ner_model`` recorded in its nlpkit.json when it was fine-tuned with
``-O ner_model=PATH`` (relative paths: from the working directory, then from the
model folder's parent). So ``nlpkit predict relations --model FOLDER "text"`` needs
no other flag. ``-O no_relation_bias=B`` adds B to the ``no_relation`` logit (trades
recall for precision; ``prior`` undoes a ``negative_fraction`` subsample exactly).

Entity-type constraints (``-O type_constraints=true``, the default): fine-tuning learns
from the training data which (head type, tail type) pairs occur with each relation type
and saves them with the model (nlpkit.json ``learned.relation_argument_types``). A pair
whose types occur with no relation type is no candidate, neither in training nor in
prediction; a predicted relation whose argument types never occurred with its type is
dropped. Nothing is hard-coded per dataset: whatever types the data has are learned.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import PREDICT, TRAIN, TRAIN_PREDICT, Option, saved_options
from nlpkit.contracts.tasks import Entity, Head, Relation, Task, _require_text
from nlpkit_ner.records import Entities, Extraction, NerExample, RelationExample, Span

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model
    from nlpkit.engines.inference import InferenceStats

NO_RELATION = "no_relation"
#: Pairs marked and classified per call, in batches: memory holds this many, never all pairs.
PAIRS_PER_CALL = 32
ENTITY_SOURCES = ("auto", "ner", "gold")
#: Key of the learned argument types in a model's ``learned`` metadata.
ARGUMENT_TYPES = "relation_argument_types"
_NER_CACHE: dict[str, Any] = {}


class RelationTask(Task):
    """Relation extraction by entity-pair classification with typed entity markers."""

    name = "relations"
    head = Head.SEQUENCE_CLASSIFICATION
    sample = "samples/relations.json"  # tiny labelled file for nlpkit.testing.check_plugin
    description = "relations between entities: NER, then typed-marker pair classification (CoNLL04, ADE, SemEval-2010 Task 8)"
    default_metrics: ClassVar[tuple[str, ...]] = ("relation_f1", "relation_macro_f1")
    default_dataset = "conll04"
    formats: ClassVar[tuple[str, ...]] = ("CoNLL04/ADE JSON", "JSON lines with character spans", "SemEval-2010 Task 8 (.TXT)", "plain text (predict)")
    options: ClassVar[tuple[Option, ...]] = (
        Option("entities", str, "auto", "where entities come from: an NER model, the gold ones given with the input, or auto", choices=ENTITY_SOURCES, stages=PREDICT),
        Option("ner_model", str, None, "NER model folder that finds the entities (recorded with the model when given to finetune)", stages=TRAIN_PREDICT),
        Option("ner_batch_size", int, None, "batch size of the NER model (default: --batch-size)", stages=PREDICT, minimum=1),
        Option("no_relation_bias", float, 0.0, "added to the no_relation logit (prior: undo a negative_fraction subsample)", stages=PREDICT, keywords=("prior",)),
        Option("negative_fraction", float, 1.0, "share of no_relation pairs kept for training (a fixed random subset)", stages=TRAIN),
        Option("type_constraints", bool, True, "candidate pairs and relations only with the argument types each relation type has in the training data (learned, saved with the model)", stages=TRAIN_PREDICT),
    )

    # data --------------------------------------------------------------------
    def read(self, path: str | Path, *, format: str | None = None, require_labels: bool = True, **_: Any) -> list[RelationExample]:
        """CoNLL04 / ADE `.json`, JSON lines with character spans, or SemEval-2010 Task 8 (`format="semeval"` or `.TXT`)."""
        from nlpkit_ner import jsonformats
        from nlpkit_ner.semeval import read_semeval

        suffix = Path(path).suffix.lower()
        if format == "semeval" or (format is None and suffix == ".txt" and Path(path).suffix == ".TXT"):
            return read_semeval(path, require_labels=require_labels)
        if format == "jsonl" or suffix in {".jsonl", ".ndjson"}:
            return jsonformats.read_span_jsonl(path, require_labels=require_labels)
        if format in (None, "json") and jsonformats.is_span_json(path):
            return jsonformats.read_span_json(path, require_labels=require_labels)
        raise DataError(path, "unknown relation format: expected CoNLL04/ADE .json, .jsonl with character spans, or SemEval-2010 Task 8 (format=semeval)")

    def read_inputs(self, path: str | Path) -> list[RelationExample]:
        """Plain text (`.txt`, one text per line; entities come from the NER model) or a labelled format."""
        if Path(path).suffix == ".txt":
            from nlpkit.engines.readers import read_text

            return self.parse_inputs([line for line in read_text(path).splitlines() if line.strip()])
        return self.read(path, require_labels=False)

    def parse_inputs(self, texts: Sequence[str]) -> list[RelationExample]:
        from nlpkit_ner.words import example_from_text

        return [RelationExample(sentence=example_from_text(_require_text(t, f"argument {i + 1}")), source=f"argument {i + 1}") for i, t in enumerate(texts)]

    def label_set(self, examples: Sequence[RelationExample]) -> list[str]:
        """The relation types seen, plus ``no_relation`` when some candidate pair has none."""
        labels: set[str] = set()
        for ex in examples:
            pairs = {(h, t) for h, t, _ in ex.relations or ()}
            labels.update(r for _, _, r in ex.relations or ())
            if any(p not in pairs for p in ex.candidate_pairs()):
                labels.add(NO_RELATION)
        return sorted(labels)

    def learn_from_data(self, examples: Sequence[RelationExample], **options: Any) -> dict[str, Any]:
        """The argument types of each relation type in `examples` (``type_constraints``), saved with the model."""
        if not self.resolve_options("train", options)["type_constraints"]:
            return {}
        return {ARGUMENT_TYPES: argument_types(examples)}

    def check_example_for_scoring(self, example: RelationExample) -> None:
        if example.entities is None or example.relations is None:
            raise DataError(example.source, "no gold entities and relations to score against", field="relations")

    # model -----------------------------------------------------------------------
    def prepare_model(self, model: Model, tokenizer: Any = None) -> None:
        """Add the entity marker tokens (new embeddings) and pool at the start markers."""
        from nlpkit_ner.markers import MARKERS, POOL_AT

        model.add_marker_tokens(MARKERS)
        model.use_marker_pooling(POOL_AT)

    # inference -----------------------------------------------------------------
    def predict(self, model: Model, inputs: Sequence[RelationExample], *, batch_size: int = 32, stats: InferenceStats | None = None, progress: bool = False, **options: Any) -> list[Extraction]:
        explicit_ner = options.get("ner_model")  # given now (must exist), not recorded at training
        options = self.resolve_options("predict", options, model)
        source = options["entities"]
        if model.head is not Head.SEQUENCE_CLASSIFICATION:
            raise NlpkitError(f"{model.source}: the relations task needs a sequence-classification model, not {model.head}")
        ner_path = find_ner_model(model, explicit_ner) if source != "gold" else None
        if source == "ner" and ner_path is None:
            raise NlpkitError(f"{model.source} knows no NER model: pass -O ner_model=PATH, or put one in {Path(model.source) / 'ner'}")
        if ner_path is not None:
            spans, found = self._ner_spans(ner_path, inputs, options["ner_batch_size"] or batch_size, stats, progress)
        else:
            missing = next((ex for ex in inputs if ex.entities is None), None)
            if missing is not None:
                raise NlpkitError(f"{missing.source or 'input'}: no entities given and no NER model known (fine-tune with -O ner_model=PATH, or pass -O ner_model=PATH)")
            spans = [list(ex.entities or []) for ex in inputs]
            found = [[ex.sentence.entity(s, e, t) for s, e, t in ents] for ex, ents in zip(inputs, spans)]
        bias = options["no_relation_bias"]
        offset = no_relation_offset(model.meta, list(model.labels or [])) if bias == "prior" else float(bias)
        out = [Extraction(entities=records, relations=[]) for records in found]
        allowed = saved_argument_types(model.meta) if options["type_constraints"] else None
        jobs = self._jobs(inputs, spans, use_given=ner_path is None, reach=model.max_length, allowed=allowed)
        for (i, h, t), (label, score) in self._classify(model, inputs, spans, jobs, batch_size, stats, progress, offset):
            if label != NO_RELATION and (allowed is None or (spans[i][h][2], spans[i][t][2]) in allowed.get(label, ())):
                out[i].relations.append(Relation(head=out[i].entities[h], tail=out[i].entities[t], type=label, score=score))
        return out

    @staticmethod
    def _jobs(inputs: Sequence[RelationExample], spans: list[list[Span]], *, use_given: bool, reach: int, allowed: dict[str, set[tuple[str, str]]] | None = None) -> Iterator[tuple[int, int, int]]:
        """(input, head, tail) of each candidate pair, generated lazily: the given pairs, else
        ordered pairs of entities close enough to fit in one model input together; with
        `allowed` (type constraints) only pairs whose types some relation type takes."""
        typed = set().union(*allowed.values()) if allowed is not None else None
        for i, (ex, ents) in enumerate(zip(inputs, spans)):
            pairs = ex.pairs if use_given and ex.pairs is not None else pairs_within(ents, reach)
            yield from ((i, h, t) for h, t in pairs if typed is None or (ents[h][2], ents[t][2]) in typed)

    def _ner_spans(self, ner_path: str, inputs: Sequence[RelationExample], batch_size: int, stats: InferenceStats | None, progress: bool) -> tuple[list[list[Span]], list[list[Entity]]]:
        """Entities found by the NER model: word spans, and the records (with scores)."""
        from nlpkit.api import get_task
        from nlpkit.resolution.models import load_model
        from nlpkit_ner.ner import entity_tags
        from nlpkit_ner.tags import decode_spans

        ner = get_task("ner")
        if _NER_CACHE.get("path") != ner_path:  # keep the last NER model: predict is called repeatedly
            _NER_CACHE.update(path=ner_path, model=load_model(ner_path, ner))
        sentences = [ex.sentence for ex in inputs]
        found: list[Entities] = ner.predict(_NER_CACHE["model"], sentences, batch_size=batch_size, stats=stats, progress=progress)
        spans = [decode_spans(entity_tags(pred, sentence)) for sentence, pred in zip(sentences, found)]
        return spans, [pred.entities for pred in found]

    def _classify(self, model: Model, inputs: Sequence[RelationExample], spans: list[list[Span]], jobs: Iterable[tuple[int, int, int]], batch_size: int, stats: InferenceStats | None, progress: bool, offset: float = 0.0) -> Iterator[tuple[tuple[int, int, int], tuple[str, float]]]:
        """(job, (label, probability)) per pair, in job order. Pairs are marked and classified
        `PAIRS_PER_CALL` at a time, so memory holds one chunk, however many pairs a text has."""
        from nlpkit.engines.inference import chunked
        from nlpkit_ner.markers import MARKERS, POOL_AT, marked_window

        labels = list(model.labels or [])
        if offset and NO_RELATION not in labels:
            raise NlpkitError(f"{model.source} has no {NO_RELATION} class to bias")
        logit_bias = [offset if label == NO_RELATION else 0.0 for label in labels] if offset else None
        checked = False
        for chunk in chunked(jobs, max(batch_size, 1) * PAIRS_PER_CALL):
            if not checked:
                if not model.knows_tokens(MARKERS):
                    raise NlpkitError(f"{model.source} has no entity marker tokens: fine-tune it for the relations task first")
                checked = True
            items = [marked_window(inputs[i].sentence.tokens, spans[i][h], spans[i][t], model.max_length) for i, h, t in chunk]
            probs = model.classify_marked(items, POOL_AT, logit_bias=logit_bias, batch_size=batch_size, stats=stats, progress=progress and len(chunk) > batch_size)
            for job, row in zip(chunk, probs):
                k = max(range(len(row)), key=row.__getitem__)
                yield job, (labels[k], row[k])

    # scoring --------------------------------------------------------------------
    def metric_inputs(self, metric: str, predictions: Sequence[Extraction], examples: Sequence[RelationExample]) -> tuple[list[Any], list[Any], dict[str, Any]]:
        """semeval_f1: one label per sentence (``Other`` when none); otherwise the
        strict relation tuples of each sentence (character spans and types)."""
        if metric == "semeval_f1":
            preds = [next((r.type for r in p.relations), "Other") for p in predictions]
            refs = [next((r for _, _, r in ex.relations or ()), "Other") for ex in examples]
            return preds, refs, {}
        preds = [[relation_tuple(r.head, r.tail, r.type) for r in p.relations] for p in predictions]
        refs = []
        for ex in examples:
            ents = [ex.sentence.entity(s, e, t) for s, e, t in ex.entities or ()]
            refs.append([relation_tuple(ents[h], ents[t], r) for h, t, r in ex.relations or ()])
        return preds, refs, {}

    # training --------------------------------------------------------------------
    def training_features(self, examples: Sequence[RelationExample], tokenizer: Any, label2id: dict[str, int] | None, max_length: int, **options: Any) -> list[dict[str, Any]]:
        """One feature per candidate pair: marked sentence → relation type or ``no_relation``.

        ``negative_fraction`` (0–1, default 1) keeps that share of the ``no_relation``
        pairs (a fixed random subset) to cut training time; `ner_model` is only
        recorded, for prediction."""
        options = self.resolve_options("train", options)
        import random

        from nlpkit.engines.heads.words import encode_focused
        from nlpkit_ner.markers import marked_window

        assert label2id is not None
        typed = set().union(*argument_types_sets(argument_types(examples)).values()) if options["type_constraints"] else None
        keep = options["negative_fraction"]
        if not 0.0 < keep <= 1.0:
            raise NlpkitError(f"negative_fraction must be in (0, 1], not {keep}")
        rng = random.Random(0)
        items, labels = [], []
        for ex in examples:
            if ex.entities is None or ex.relations is None:
                raise DataError(ex.source, "no gold entities and relations to train on", field="relations")
            gold = {}
            for h, t, r in ex.relations:
                gold.setdefault((h, t), r)
            for h, t in ex.candidate_pairs():
                if typed is not None and (ex.entities[h][2], ex.entities[t][2]) not in typed:
                    continue  # no relation type takes these argument types: no candidate (see learn_from_data)
                label = gold.get((h, t), NO_RELATION)
                if label == NO_RELATION and keep < 1.0 and rng.random() >= keep:
                    continue
                if label not in label2id:
                    raise DataError(ex.source, f"relation {label!r} is not one of the model's labels ({', '.join(label2id)})", field="relations")
                items.append(marked_window(ex.sentence.tokens, ex.entities[h], ex.entities[t], max_length))
                labels.append(label2id[label])
        ids = encode_focused(tokenizer, items, max_length)
        return [{"input_ids": row, "attention_mask": [1] * len(row), "labels": label} for row, label in zip(ids, labels)]


def argument_types(examples: Sequence[RelationExample]) -> dict[str, list[list[str]]]:
    """Relation type → the sorted [head type, tail type] pairs it has in `examples` (JSON-able)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for ex in examples:
        if ex.entities is None or ex.relations is None:
            raise DataError(ex.source, "no gold entities and relations to learn argument types from", field="relations")
        for h, t, r in ex.relations:
            seen.setdefault(r, set()).add((ex.entities[h][2], ex.entities[t][2]))
    return {r: [list(pair) for pair in sorted(pairs)] for r, pairs in sorted(seen.items())}


def argument_types_sets(saved: dict[str, list[list[str]]]) -> dict[str, set[tuple[str, str]]]:
    """`argument_types` as sets of (head type, tail type) tuples, for look-ups."""
    return {r: {(str(h), str(t)) for h, t in pairs} for r, pairs in saved.items()}


def saved_argument_types(meta: dict[str, Any] | None) -> dict[str, set[tuple[str, str]]] | None:
    """The argument types a relations model learned (`learn_from_data`), or None (a model
    fine-tuned without type constraints, or before they existed: every pair is a candidate)."""
    saved = ((meta or {}).get("learned") or {}).get(ARGUMENT_TYPES)
    return argument_types_sets(saved) if isinstance(saved, dict) else None


def pairs_within(spans: Sequence[Span], reach: int) -> Iterator[tuple[int, int]]:
    """Ordered pairs (head, tail) of distinct entities whose words, together, span at most
    `reach` words (a model reading `reach` tokens cannot see a wider pair: each word is at
    least one token), head-major as `candidate_pairs`. For entities in text order only
    the neighbours within reach are visited, so a long text costs time linear in its length."""
    n = len(spans)
    starts = [s for s, _, _ in spans]
    in_order = all(a <= b for a, b in zip(starts, starts[1:]))
    for h in range(n):
        hs, he, _ = spans[h]
        if in_order:
            lo, hi = bisect.bisect_left(starts, he - reach), bisect.bisect_right(starts, hs + reach)
        else:
            lo, hi = 0, n
        for t in range(lo, hi):
            ts, te, _ = spans[t]
            if t != h and max(he, te) - min(hs, ts) <= reach:
                yield h, t


def no_relation_offset(meta: dict[str, Any] | None, labels: list[str]) -> float:
    """The ``-O no_relation_bias=prior`` logit: undoes training with ``negative_fraction`` f < 1.

    Keeping a fraction f of the negative pairs multiplies their prior odds by f; adding
    log(1/f) to their logit restores the odds of the full candidate set (a prior shift
    correction), so a model trained on a subsample does not over-predict relations."""
    import math

    fraction = float(saved_options(meta).get("negative_fraction", 1.0))
    return math.log(1.0 / fraction) if NO_RELATION in labels and 0.0 < fraction < 1.0 else 0.0


def relation_tuple(head: Entity, tail: Entity, type_: str) -> list[str]:
    return [str(head.start), str(head.end), head.type, str(tail.start), str(tail.end), tail.type, type_]


def find_ner_model(model: Any, option: str | None) -> str | None:
    """The NER model a relations model uses (see the module docstring), or None."""
    folder = Path(str(model.source))
    candidates: list[Path] = []
    if option:
        candidates.append(Path(option).expanduser())
        if not candidates[0].exists():
            raise NlpkitError(f"NER model {option}: no such folder")
    if (folder / "ner").is_dir():
        candidates.append(folder / "ner")
    recorded = saved_options(model.meta).get("ner_model")
    if recorded:
        candidates += [Path(recorded).expanduser(), folder.parent / recorded]
    for path in candidates:
        if path.is_dir():
            return str(path)
    if recorded:
        raise NlpkitError(f"{folder}: its NER model {recorded} (recorded in nlpkit.json) is gone; pass -O ner_model=PATH or copy it to {folder / 'ner'}")
    return None
