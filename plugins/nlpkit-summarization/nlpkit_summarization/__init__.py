"""nlpkit-summarization: the `summarization` task. The task class loads on first access, so the
plugin's entry point (`nlpkit_summarization.plugin`) stays cheap to import."""

from __future__ import annotations

from typing import Any

__all__ = ["SummarizationTask"]


def __getattr__(name: str) -> Any:
    if name == "SummarizationTask":
        from nlpkit_summarization.task import SummarizationTask

        return SummarizationTask
    raise AttributeError(name)
