#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment in .venv:
# the CPU torch wheel first (a plain `torch` requirement would pull a multi-GB CUDA
# build), then nlpkit (distribution nlpkit-core, with its transformers extra), every
# bundled plugin, the offline MiniLM, the test tools and the docs builder (mkdocs).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "nlpkit needs Python 3.11 or newer (python3 is $(python3 -V 2>&1))" >&2; exit 1; }
python3 -m venv .venv
. .venv/bin/activate
pip_install() { pip install --quiet --disable-pip-version-check "$@" 2>&1 | { grep -v "is ignored: it is neither" || true; }; }
python -c "import torch" 2>/dev/null || pip_install "torch==2.13.0"
# the core was called `nlpkit` before 0.2 (a name taken on PyPI): drop a stale install
if pip show --quiet nlpkit >/dev/null 2>&1; then pip uninstall --quiet --yes nlpkit; fi
plugins=()
for p in plugins/*/; do [ -f "$p/pyproject.toml" ] && plugins+=(-e "$p"); done
pip_install -e ".[transformers,test,minilm,docs]" "${plugins[@]}"
python -c "import nlpkit, torch; print(f'nlpkit {nlpkit.__version__}, torch {torch.__version__}: ready')"
