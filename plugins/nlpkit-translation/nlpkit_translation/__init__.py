"""nlpkit-translation: the `translation` task (sequence to sequence, language pairs)."""

from nlpkit_translation.task import TranslationTask

__all__ = ["TranslationTask"]
