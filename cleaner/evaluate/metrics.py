"""The metrics: the article-extraction benchmark's shingle F1, and WCXB's word F1 and snippets.

The AEB metric (ScrapingHub's article-extraction-benchmark, ``evaluate.py``):

- tokens are runs of ``\\w+`` (Python's ``re``, case-sensitive);
- a document is a multiset of 4-token shingles; a document of 1 to 3 tokens is one
  shingle (the tuple of all its tokens), an empty one none;
- per document, the shingles found in both, only in the prediction and only in the gold
  are counted and divided by their sum, giving tp, fp and fn that sum to 1;
- precision is averaged over the documents with a non-empty prediction (an empty output
  costs recall only), recall over the documents with a non-empty gold, and F1 is the
  harmonic mean of the two averages.

WCXB's word metric (Web Content Extraction Benchmark, 2026): a document is the multiset
of its lower-cased ``\\w+`` words; precision and recall come from the multiset
intersection; each page's F1 is averaged over the pages (an empty gold with an empty
output scores 1). Its snippets are short strings a correct extraction must keep
(``with``) or drop (``without``), found after lower-casing and collapsing whitespace, and
counted over all snippets of the pages together.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SHINGLE_N = 4
# The benchmark's scorer tokenises with the standard library's ``re``. The ``regex``
# module's ``\\w`` is wider (it takes combining marks, for one), which would change the
# tokens of some pages, so the metric deliberately uses ``re``.
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """The ``\\w+`` runs of ``text``, in order."""
    return _TOKEN.findall(text)


def shingles(text: str, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Multiset of the ``n``-token windows of ``text``.

    A text with fewer than ``n`` tokens is one window holding all its tokens; a text
    with no token has none.
    """
    words = tokens(text)
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(zip(*(words[k:] for k in range(n)), strict=False))


@dataclass(frozen=True, slots=True)
class DocScore:
    """One document's shingle match. ``tp + fp + fn`` is 1, or all three are 0.

    ``precision`` is ``None`` when the prediction has no token (the document then counts
    for recall only); ``recall`` is ``None`` when the gold has no token.
    """

    tp: float
    fp: float
    fn: float
    precision: float | None
    recall: float | None

    @property
    def empty(self) -> bool:
        """The prediction has no token."""
        return self.precision is None

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return 0.0
        return 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "empty": self.empty,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def score_document(pred: str, gold: str) -> DocScore:
    """Compare one prediction with its gold as multisets of shingles."""
    g, p = shingles(gold), shingles(pred)
    both = sum((g & p).values())
    extra = sum((p - g).values())
    missing = sum((g - p).values())
    total = both + extra + missing
    tp, fp, fn = (both / total, extra / total, missing / total) if total else (0.0, 0.0, 0.0)
    return DocScore(
        tp,
        fp,
        fn,
        _precision(tp, fp, fn) if tp + fp > 0 else None,
        _recall(tp, fp, fn) if tp + fn > 0 else None,
    )


@dataclass(frozen=True, slots=True)
class Scores:
    """The averages over a set of documents. ``empty`` counts predictions with no token."""

    precision: float
    recall: float
    f1: float
    n: int
    empty: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n": self.n,
            "empty": self.empty,
        }


def _mean(xs: list[float]) -> float:
    # statistics.mean, like the reference scorer, so the two agree to the last bit
    return statistics.mean(xs) if xs else 0.0


def aggregate(scores: Iterable[DocScore]) -> Scores:
    """Precision averaged over non-empty predictions, recall over non-empty golds; F1 of the two."""
    scores = list(scores)
    precision = _mean([s.precision for s in scores if s.precision is not None])
    recall = _mean([s.recall for s in scores if s.recall is not None])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, len(scores), sum(1 for s in scores if s.empty))


# -- WCXB's word F1 and snippets -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class WordScore:
    """One page's word match: precision, recall and F1 of lower-cased word multisets."""

    precision: float
    recall: float
    f1: float

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


def word_score(pred: str, gold: str) -> WordScore:
    """WCXB's word metric for one page."""
    p, g = Counter(_TOKEN.findall(pred.lower())), Counter(_TOKEN.findall(gold.lower()))
    if not g:
        return WordScore(1.0, 1.0, 1.0) if not p else WordScore(0.0, 0.0, 0.0)
    if not p:
        return WordScore(0.0, 0.0, 0.0)
    both = sum((p & g).values())
    precision, recall = both / sum(p.values()), both / sum(g.values())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return WordScore(precision, recall, f1)


@dataclass(frozen=True, slots=True)
class WordScores:
    """Word scores averaged over pages."""

    precision: float
    recall: float
    f1: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "n": self.n}


def word_average(scores: Iterable[WordScore]) -> WordScores:
    scores = list(scores)
    return WordScores(
        _mean([s.precision for s in scores]),
        _mean([s.recall for s in scores]),
        _mean([s.f1 for s in scores]),
        len(scores),
    )


def _flat(text: str) -> str:
    """Lower-cased, every run of whitespace one space (a snippet may cross a line break)."""
    return " ".join(text.lower().split())


@dataclass(frozen=True, slots=True)
class Snippets:
    """How many of a page's (or pages') snippets came out right: ``with`` snippets kept and
    ``without`` snippets dropped, of how many."""

    kept: int = 0
    with_total: int = 0
    dropped: int = 0
    without_total: int = 0

    def __add__(self, other: Snippets) -> Snippets:
        return Snippets(
            self.kept + other.kept,
            self.with_total + other.with_total,
            self.dropped + other.dropped,
            self.without_total + other.without_total,
        )

    @property
    def kept_share(self) -> float | None:
        return self.kept / self.with_total if self.with_total else None

    @property
    def dropped_share(self) -> float | None:
        return self.dropped / self.without_total if self.without_total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "with_kept": self.kept,
            "with": self.with_total,
            "without_dropped": self.dropped,
            "without": self.without_total,
        }


def snippets_of(text: str, keep: Iterable[str], drop: Iterable[str]) -> Snippets:
    flat = _flat(text)
    keep, drop = list(keep), list(drop)
    return Snippets(
        sum(_flat(s) in flat for s in keep),
        len(keep),
        sum(_flat(s) not in flat for s in drop),
        len(drop),
    )
