"""nlpkit-ner: the `ner` (token classification) and `relations` (entity-pair classification) tasks."""

from nlpkit_ner.records import Entities, Extraction, NerExample, RelationExample

__all__ = ["Entities", "Extraction", "NerExample", "RelationExample"]
