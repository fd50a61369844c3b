"""nlpkit-translation: the `translation` task. The task class loads on first access, so the
plugin's entry point (`nlpkit_translation.plugin`) stays cheap to import."""

from __future__ import annotations

from typing import Any

__all__ = ["TranslationTask"]


def __getattr__(name: str) -> Any:
    if name == "TranslationTask":
        from nlpkit_translation.task import TranslationTask

        return TranslationTask
    raise AttributeError(name)
