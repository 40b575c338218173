"""Score the cleaner against a benchmark dataset: the article-extraction benchmark's
shingle F1, WCXB's word F1 and snippets, and the pages cleaning harmed.

``evaluate(dataset, cleaner, mode)`` cleans every document and returns an ``EvalReport``;
``cleaner eval`` prints it. See ``metrics`` for the metrics, ``dataset`` for what a
dataset holds, and ``run`` for what an evaluation counts.
"""

from __future__ import annotations

from .dataset import MODES, Dataset, Mode, load_dataset
from .metrics import (
    SHINGLE_N,
    DocScore,
    Scores,
    Snippets,
    WordScore,
    WordScores,
    aggregate,
    score_document,
    shingles,
    snippets_of,
    tokens,
    word_average,
    word_score,
)
from .run import (
    EMPTY_EXTRACTION,
    HARM_MUCH,
    HARM_SOME,
    DocResult,
    EvalReport,
    Group,
    Hits,
    evaluate,
    reports_json,
)

__all__ = [
    "EMPTY_EXTRACTION",
    "HARM_MUCH",
    "HARM_SOME",
    "MODES",
    "SHINGLE_N",
    "Dataset",
    "DocResult",
    "DocScore",
    "EvalReport",
    "Group",
    "Hits",
    "Mode",
    "Scores",
    "Snippets",
    "WordScore",
    "WordScores",
    "aggregate",
    "evaluate",
    "load_dataset",
    "reports_json",
    "score_document",
    "shingles",
    "snippets_of",
    "tokens",
    "word_average",
    "word_score",
]
