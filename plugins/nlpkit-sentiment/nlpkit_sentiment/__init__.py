"""nlpkit-sentiment: the `sentiment` task (text classification with label names)."""

from nlpkit_sentiment.task import SentimentTask

__all__ = ["SentimentTask"]
