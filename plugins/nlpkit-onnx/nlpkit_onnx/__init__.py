"""nlpkit-onnx: an ONNX Runtime backend (`onnx`) and the `nlpkit export` command.

`nlpkit export FOLDER --to onnx [--int8] --output OUT` turns a fine-tuned nlpkit
folder into a self-describing ONNX folder; `--model OUT` then serves it through
the same `Model` contract as the transformers backend (sequence classification,
relations, token classification, span extraction).
"""

__version__ = "0.2.0"
