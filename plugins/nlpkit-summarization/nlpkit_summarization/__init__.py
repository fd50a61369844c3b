"""nlpkit-summarization: the `summarization` task and the `lead-N` baselines."""

from nlpkit_summarization.task import SummarizationTask

__all__ = ["SummarizationTask"]
