"""The translation task: parallel text or JSON lines in, translations out, sacreBLEU/chrF.

Generation, training features and model conventions (T5 prefixes, mBART/NLLB
language codes) come from `nlpkit.engines.generation.Seq2SeqTask`; this module knows the
file formats and the language pair.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nlpkit.contracts.errors import DataError, NlpkitError
from nlpkit.contracts.options import ALL, Option
from nlpkit.engines.generation import GenerationRequest, Seq2SeqExample, Seq2SeqTask, generation_defaults, language_token, t5_translation_prefix
from nlpkit.engines.readers import iter_rows, read_text

if TYPE_CHECKING:
    from nlpkit.contracts.models import Model

LANGUAGE_SUFFIX = re.compile(r"[a-z]{2,3}")
JSON_SUFFIXES = {".jsonl", ".json", ".ndjson"}


class TranslationTask(Seq2SeqTask):
    """Translate from a source to a target language (``-O source=en -O target=de``).

    Data: parallel files ``NAME.<src>`` + ``NAME.<tgt>`` aligned line by line (give the
    source file; the target file beside it is found by its language suffix), or JSON
    lines ``{"translation": {"en": …, "de": …}}``. The pair comes from the reader
    options (`source`/`target`, set by dataset specs), else from the file names
    (parallel) or the key order (JSON lines: source first).
    """

    name = "translation"
    sample = "samples/translation.jsonl"  # tiny labelled file for nlpkit.testing.check_plugin
    description = "translate text between languages (parallel text or JSON lines; sacreBLEU, chrF)"
    default_metrics: ClassVar[tuple[str, ...]] = ("sacrebleu", "chrf")
    default_dataset = "multi30k"
    #: From an encoder-only model (MiniLM) the decoder writes the target language with its own
    #: cased tokenizer of this many tokens, trained on the training targets (`-O target_vocab_size=`).
    default_target_vocab_size: ClassVar[int] = 8000
    formats: ClassVar[tuple[str, ...]] = ("parallel text NAME.<src> + NAME.<tgt>", "JSON lines {translation: {src: …, tgt: …}}", "plain text, one sentence per line (predict)")
    options: ClassVar[tuple[Option, ...]] = (
        *Seq2SeqTask.options,
        Option("source", str, None, "source language code (default: from the data)", stages=ALL),
        Option("target", str, None, "target language code (default: from the data)", stages=ALL),
    )

    # data -------------------------------------------------------------------------
    def read(self, path: str | Path, *, source: str | None = None, target: str | None = None, require_labels: bool = True, **_: Any) -> list[Seq2SeqExample]:
        path = Path(path)
        if path.suffix.lower() in JSON_SUFFIXES:
            return self._read_jsonl(path, source, target, require_labels)
        return self._read_parallel(path, source, target, require_labels)

    def read_rows(self, rows: Any, source: str, **options: Any) -> list[Seq2SeqExample]:
        """Hub rows: ``{"translation": {"en": …, "de": …}}`` or flat ``{"en": …, "de": …}``."""
        src, tgt = options.get("source"), options.get("target")
        examples = []
        for i, row in enumerate(rows, start=1):
            pair = row.get("translation", row)
            if not isinstance(pair.get(src), str) or not pair[src].strip():
                raise DataError(source, "missing or empty source text", line=i, field=src)
            ref = pair.get(tgt)
            examples.append(Seq2SeqExample(text=pair[src], targets=[ref] if isinstance(ref, str) and ref.strip() else None, source=f"{source}:{i}", source_lang=src, target_lang=tgt))
        return examples

    def read_inputs(self, path: str | Path) -> list[Seq2SeqExample]:
        """JSON lines (targets optional), or one source sentence per line."""
        path = Path(path)
        if path.suffix.lower() in JSON_SUFFIXES:
            return self.read(path, require_labels=False)
        lang = path.suffix.lstrip(".") if LANGUAGE_SUFFIX.fullmatch(path.suffix.lstrip(".")) else None
        lines = _lines(path)
        return [Seq2SeqExample(text=line, source=f"{path}:{i}", source_lang=lang) for i, line in enumerate(lines, start=1) if line.strip()]

    def _read_parallel(self, path: Path, source: str | None, target: str | None, require_labels: bool) -> list[Seq2SeqExample]:
        lang = path.suffix.lstrip(".")
        if not LANGUAGE_SUFFIX.fullmatch(lang):
            raise DataError(path, f"cannot tell the language from the extension {path.suffix!r}: name parallel files NAME.<lang> (train.en + train.de), or use JSON lines")
        if source is not None and lang != source:
            if lang == target and path.with_suffix("." + source).exists():
                return []  # the target half of a pair listed in full: read with its source file
            raise DataError(path, f"expected the {source!r} source file, got a {lang!r} file")
        source = lang
        if target is None:
            siblings = sorted(p for p in path.parent.glob(path.stem + ".*") if p != path and LANGUAGE_SUFFIX.fullmatch(p.suffix.lstrip(".")))
            if not siblings:
                if not require_labels:
                    return [Seq2SeqExample(text=line, source=f"{path}:{i}", source_lang=source) for i, line in _numbered(path, source)]
                raise DataError(path, f"no target file beside it (expected {path.stem}.<lang>)")
            if len(siblings) > 1:
                names = ", ".join(p.name for p in siblings)
                raise DataError(path, f"several target files beside it ({names}): use a registered dataset for the pair (e.g. multi30k_en_fr) or JSON lines")
            target = siblings[0].suffix.lstrip(".")
        target_path = path.with_suffix("." + target)
        if not target_path.exists():
            raise DataError(target_path, f"no {target!r} target file for {path}")
        sources, targets = _lines(path), _lines(target_path)
        if len(sources) != len(targets):
            raise DataError(path, f"parallel files are misaligned: {len(sources)} lines here but {len(targets)} in {target_path}; each line must translate the same line of the other file")
        examples = []
        for i, (src, tgt) in enumerate(zip(sources, targets), start=1):
            if not src.strip():
                raise DataError(path, "empty source line", line=i, field=source)
            if not tgt.strip() and require_labels:
                raise DataError(target_path, "empty target line", line=i, field=target)
            examples.append(Seq2SeqExample(text=src, targets=[tgt] if tgt.strip() else None, source=f"{path}:{i}", source_lang=source, target_lang=target))
        return examples

    def _read_jsonl(self, path: Path, source: str | None, target: str | None, require_labels: bool) -> list[Seq2SeqExample]:
        examples = []
        for line, row in iter_rows(path, format="jsonl"):
            pair = row.get("translation", row)
            if not isinstance(pair, dict):
                raise DataError(path, "expected an object of language → text", line=line, field="translation")
            langs = [k for k in pair if LANGUAGE_SUFFIX.fullmatch(str(k))]
            src = source or (langs[0] if langs else None)
            tgt = target or next((k for k in langs if k != src), None)
            if src is None or src not in pair:
                raise DataError(path, f"no {src or 'source'!r} text; the row has {', '.join(map(repr, pair)) or 'nothing'}", line=line)
            text = pair[src]
            if not isinstance(text, str) or not text.strip():
                raise DataError(path, "empty source text", line=line, field=src)
            ref = pair.get(tgt) if tgt else None
            if require_labels and (not isinstance(ref, str) or not ref.strip()):
                raise DataError(path, "missing or empty target text", line=line, field=tgt or "target")
            examples.append(Seq2SeqExample(text=text, targets=[ref] if isinstance(ref, str) and ref.strip() else None, id=row.get("id"), source=f"{path}:{line}", source_lang=src, target_lang=tgt))
        return examples

    # conventions ------------------------------------------------------------------
    def check_inputs(self, inputs: Sequence[Seq2SeqExample], options: dict[str, Any]) -> dict[str, Any]:
        """Fill `source`/`target` from the data; refuse options that contradict it."""
        options = dict(super().check_inputs(inputs, options))
        for key, attr in (("source", "source_lang"), ("target", "target_lang")):
            langs = {getattr(ex, attr) for ex in inputs} - {None}
            if len(langs) > 1:
                raise NlpkitError(f"the inputs mix {key} languages ({', '.join(sorted(langs))}); translate one pair at a time")
            if langs:
                lang = langs.pop()
                if options.get(key) not in (None, lang):
                    raise NlpkitError(f"option {key}={options[key]!r} contradicts the data, whose {key} language is {lang!r}")
                options[key] = lang
        return options

    def conventions(self, model: Model, options: dict[str, Any]) -> tuple[str, dict[str, Any], GenerationRequest]:
        prefix, defaults, request = super().conventions(model, options)
        source, target = options.get("source"), options.get("target")
        known = model.language_tokens()
        for code in (source, target):
            if code is not None:
                language_token(known, code)  # unknown codes fail here, with the known ones
        if source is None or target is None:
            return prefix, defaults, request
        request.source_language, request.target_language = language_token(known, source), language_token(known, target)
        params = model.task_params(f"translation_{source}_to_{target}")
        if params:
            defaults = generation_defaults(params)
        if options.get("prefix") is None:
            prefix = params.get("prefix") or t5_translation_prefix(model.model_family, source, target) or ""
        return prefix, defaults, request


def _lines(path: Path) -> list[str]:
    """Lines of a text file (only ``\\n`` ends a line; a final newline adds none)."""
    text = read_text(path)
    if text.endswith("\n"):
        text = text[:-1]
    return [line.rstrip("\r") for line in text.split("\n")]


def _numbered(path: Path, lang: str) -> list[tuple[int, str]]:
    out = []
    for i, line in enumerate(_lines(path), start=1):
        if not line.strip():
            raise DataError(path, "empty source line", line=i, field=lang)
        out.append((i, line))
    return out
