"""nlpkit: make pre-trained language models useful for concrete NLP tasks.

Tasks arrive as plugins (entry-point group ``nlpkit``); every task gets the same
verbs: predict, finetune, evaluate, bench. Importing this package is cheap: torch,
transformers, datasets and evaluate load only when a model or metric is used.
"""

from nlpkit.api import Evaluation, FinetuneResult, evaluate, finetune, get_task, list_tasks, predict, predict_file, score
from nlpkit.contracts import __version__
from nlpkit.contracts.errors import DataError, ModelLoadError, NlpkitError, PluginError, UnknownNameError
from nlpkit.contracts.hookspecs import hookimpl
from nlpkit.contracts.models import Backend, Model, ModelSpec
from nlpkit.contracts.options import Option
from nlpkit.contracts.registry import NameCollisionError
from nlpkit.contracts.specs import DatasetSpec, MetricSpec, SuiteSpec
from nlpkit.contracts.tasks import Answer, Classification, Entity, Generation, Head, Record, Relation, Task, TextExample, require_text
from nlpkit.engines.classification import TextClassificationTask
from nlpkit.engines.generation import Seq2SeqExample, Seq2SeqTask
from nlpkit.engines.inference import InferenceStats
from nlpkit.engines.metrics.base import NlpkitMetric
from nlpkit.engines.token_classification import Tags, TokenClassificationTask
from nlpkit.engines.training import TrainConfig
from nlpkit.resolution.data import load_examples
from nlpkit.resolution.models import load_model

__all__ = [
    "__version__",
    # verbs
    "predict", "predict_file", "evaluate", "finetune", "score", "get_task", "list_tasks", "load_model", "load_examples",
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
