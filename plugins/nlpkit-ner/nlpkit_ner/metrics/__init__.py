"""NER and relation-extraction metrics (entity F1, relation F1, SemEval-2010 Task 8).

Imported only when a metric is used: these modules import `evaluate` (seconds).
"""
