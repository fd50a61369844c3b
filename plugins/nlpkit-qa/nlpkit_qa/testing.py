"""Hand-written QA fixtures for tests: SQuAD v1.1/v2.0 documents about two short
contexts, one of them full of Unicode and whitespace quirks (no-break and
zero-width spaces, a tab, İ whose lower case is longer, combining-free accents,
an emoji, runs of spaces)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONTEXT = "The cat sat on the mat. The dog slept in the garden all day long."
QUIRKY = "  Café\u00a0owners in İstanbul\u200b serve naïve\ttea —  at 5\u00a0pm \U0001F600 on the   quay.  "

SQUAD_V1 = {
    "version": "1.1",
    "data": [
        {
            "title": "Pets",
            "paragraphs": [
                {
                    "context": CONTEXT,
                    "qas": [
                        {"id": "q1", "question": "Where did the cat sit?", "answers": [{"text": "on the mat", "answer_start": 12}, {"text": "the mat", "answer_start": 15}]},
                        {"id": "q2", "question": "Where did the dog sleep?", "answers": [{"text": "in the garden", "answer_start": 38}]},
                    ],
                },
                {"context": QUIRKY, "qas": [{"id": "q3", "question": "What do they serve?", "answers": [{"text": "naïve\ttea", "answer_start": QUIRKY.index("naïve")}]}]},
            ],
        }
    ],
}

SQUAD_V2 = {
    "version": "v2.0",
    "data": [
        {
            "title": "Pets",
            "paragraphs": [
                {
                    "context": CONTEXT,
                    "qas": [
                        {"id": "a", "question": "Where did the cat sit?", "answers": [{"text": "on the mat", "answer_start": 12}], "is_impossible": False},
                        {"id": "b", "question": "Where did the bird fly?", "answers": [], "plausible_answers": [{"text": "the garden", "answer_start": 41}], "is_impossible": True},
                    ],
                }
            ],
        }
    ],
}

WORDS = [CONTEXT, QUIRKY, "where did sit sleep what do they serve bird fly"]


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
