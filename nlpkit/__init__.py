"""nlpkit: make pre-trained language models useful for concrete NLP tasks.

Tasks arrive as plugins (entry-point group ``nlpkit``); every task gets the same
verbs: predict, finetune, evaluate, bench. Importing this package is cheap: torch,
transformers, datasets and evaluate load only when a model or metric is used.
"""

__version__ = "0.2.0"  # kept equal to pyproject.toml's version by tests/test_distribution_metadata.py

from nlpkit.api import Evaluation, FinetuneResult, evaluate, finetune, get_task, list_tasks, predict, score
from nlpkit.bench import SuiteSpec
from nlpkit.classification import TextClassificationTask
from nlpkit.data import DatasetSpec, load_examples
from nlpkit.errors import DataError, ModelLoadError, NlpkitError, PluginError, UnknownNameError
from nlpkit.generation import Seq2SeqExample, Seq2SeqTask
from nlpkit.hookspecs import hookimpl
from nlpkit.inference import InferenceStats
from nlpkit.metrics import MetricSpec
from nlpkit.metrics.base import NlpkitMetric
from nlpkit.models import Backend, Model, ModelSpec, load_model
from nlpkit.options import Option
from nlpkit.registry import NameCollisionError
from nlpkit.tasks import Answer, Classification, Entity, Generation, Head, Record, Relation, Task, TextExample, require_text
from nlpkit.token_classification import Tags, TokenClassificationTask
from nlpkit.training import TrainConfig

__all__ = [
    "__version__",
    # verbs
    "predict", "evaluate", "finetune", "score", "get_task", "list_tasks", "load_model", "load_examples",
    "Evaluation", "FinetuneResult", "TrainConfig", "InferenceStats",
    # plugin contract
    "hookimpl", "Task", "Head", "Backend", "Model", "ModelSpec", "DatasetSpec", "MetricSpec", "SuiteSpec",
    "Option", "require_text",
    # building blocks
    "TextClassificationTask", "TokenClassificationTask", "Tags", "Seq2SeqTask", "Seq2SeqExample", "NlpkitMetric",
    # records
    "Record", "TextExample", "Classification", "Entity", "Relation", "Answer", "Generation",
    # errors
    "NlpkitError", "DataError", "ModelLoadError", "PluginError", "UnknownNameError", "NameCollisionError",
]
