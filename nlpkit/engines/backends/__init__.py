"""The model backends the core ships: `transformers` and `sklearn`.

Importing this package is cheap; each backend imports its libraries on first use.
"""

from nlpkit.engines.backends.sklearn import SklearnBackend
from nlpkit.engines.backends.transformers import TransformersBackend

__all__ = ["SklearnBackend", "TransformersBackend"]
