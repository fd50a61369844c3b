"""Contracts: what plugins and backends implement, and what the core promises them.

Errors, the registry, hook specs, `Task` and the records it exchanges, `Model` and
`Backend`, the specs plugins register, typed options. The lowest layer: it imports
no other part of nlpkit, and nothing heavy.
"""

#: The package version (here, at the bottom layer, so that every layer can read it).
__version__ = "0.2.0"  # kept equal to pyproject.toml's version by tests/test_distribution_metadata.py
