"""nlpkit-qa: the `qa` task (extractive question answering, SQuAD v1.1/v2.0)."""

from nlpkit_qa.records import GoldAnswer, QAExample, RankedAnswers
from nlpkit_qa.task import QuestionAnsweringTask

__all__ = ["GoldAnswer", "QAExample", "QuestionAnsweringTask", "RankedAnswers"]
