"""The sentiment task: text classification with sentiment defaults."""

from __future__ import annotations

from nlpkit.engines.classification import TextClassificationTask


class SentimentTask(TextClassificationTask):
    """Binary or multi-class sentiment. Labels are whatever the training data uses
    (``positive``/``negative``, ``1``–``5`` stars …); datasets can name raw labels."""

    name = "sentiment"
    description = "sentiment of a text (binary or multi-class, named labels)"
    default_model = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    default_dataset = "sst2"
    sample = "samples/sentiment.tsv"  # tiny labelled file for nlpkit.testing.check_plugin
