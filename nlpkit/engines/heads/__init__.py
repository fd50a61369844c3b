"""Head building blocks: tokenizer-level input preparation shared by backends and
by tasks' training features (which receive the tokenizer from the backend).

- `nlpkit.engines.heads.words`: pre-tokenised words → sub-word ids, windows over long
  sentences, crops around a marked focus.
- `nlpkit.engines.heads.spans`: (question, context) pairs → overlapping windows with
  character offsets.

Cheap to import; nothing here loads torch.
"""
