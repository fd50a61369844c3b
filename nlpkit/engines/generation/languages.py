"""Language conventions read from the model, not remembered by the user: ISO codes,
mBART/NLLB/M2M language tokens, T5 translation prefixes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlpkit.contracts.errors import NlpkitError

__all__ = ["LANGUAGES", "LANGUAGE_TOKEN", "language_token", "t5_translation_prefix"]

#: ISO 639-1 → (ISO 639-3, English name), for NLLB codes and T5 prefixes.
LANGUAGES: dict[str, tuple[str, str]] = {
    "ar": ("arb", "Arabic"), "cs": ("ces", "Czech"), "da": ("dan", "Danish"), "de": ("deu", "German"),
    "el": ("ell", "Greek"), "en": ("eng", "English"), "es": ("spa", "Spanish"), "et": ("est", "Estonian"),
    "fi": ("fin", "Finnish"), "fr": ("fra", "French"), "hi": ("hin", "Hindi"), "hu": ("hun", "Hungarian"),
    "it": ("ita", "Italian"), "ja": ("jpn", "Japanese"), "ko": ("kor", "Korean"), "lt": ("lit", "Lithuanian"),
    "lv": ("lvs", "Latvian"), "nl": ("nld", "Dutch"), "pl": ("pol", "Polish"), "pt": ("por", "Portuguese"),
    "ro": ("ron", "Romanian"), "ru": ("rus", "Russian"), "sv": ("swe", "Swedish"), "tr": ("tur", "Turkish"),
    "uk": ("ukr", "Ukrainian"), "vi": ("vie", "Vietnamese"), "zh": ("zho", "Chinese"),
}
#: Language-code tokens: mBART (en_XX), NLLB (eng_Latn), M2M100 (__en__).
LANGUAGE_TOKEN = re.compile(r"^(?:[a-z]{2}_[A-Z]{2}|[a-z]{3}_[A-Z][a-z]{3}|__[a-z]{2,3}__)$")


def language_token(known: Sequence[str], code: str) -> str | None:
    """The token among a model's `known` language tokens (`Model.language_tokens`) for
    language `code` (``en`` → ``en_XX`` / ``eng_Latn`` / ``__en__``).

    None for a model without language tokens (after checking that `code` is a
    language at all); an unknown code raises an `NlpkitError` listing what is known."""
    if not known:
        if code not in LANGUAGES:
            raise NlpkitError(f"unknown language code {code!r}; expected an ISO 639-1 code such as {', '.join(sorted(LANGUAGES)[:8])}, …")
        return None
    if code in known:
        return code
    iso3 = LANGUAGES.get(code, (code, ""))[0]
    for token in known:
        if token.startswith(code + "_") or token.startswith(iso3 + "_") or token == f"__{code}__":
            return token
    raise NlpkitError(f"unknown language code {code!r} for this model; it knows {', '.join(known[:12])}{', …' if len(known) > 12 else ''}")


def t5_translation_prefix(family: str, source_lang: str, target_lang: str) -> str | None:
    """``translate English to German: `` for T5-family models (which were trained with it)."""
    if family not in {"t5", "mt5", "umt5"}:
        return None
    names = [LANGUAGES.get(code, (None, None))[1] for code in (source_lang, target_lang)]
    if None in names:
        return None
    return f"translate {names[0]} to {names[1]}: "


