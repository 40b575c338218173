"""The one overlap policy.

Everything any applicable rule matched is removed. Candidates that overlap (share at least
one code point) become one span; candidates that only touch stay separate spans. A merged
span is credited to one rule chosen by priority, then the longer candidate, then the
earlier one, then the rule id; every contributing rule is listed in ``rules`` in that
order, and the candidates that lost the credit are returned as shadowed for ``explain``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Span
from .schema import Rule


class Candidate:
    """What one rule matched: ``[start, end)`` of the text. Read-only by convention, and a
    plain class with slots, as a document makes thousands (a frozen dataclass is several
    times slower to build)."""

    __slots__ = ("start", "end", "rule")

    def __init__(self, start: int, end: int, rule: Rule) -> None:
        self.start = start
        self.end = end
        self.rule = rule

    def __repr__(self) -> str:
        return f"Candidate({self.start}, {self.end}, {self.rule.id!r})"


def _rank(c: Candidate) -> tuple[int, int, int, str]:
    return (-c.rule.priority, -(c.end - c.start), c.start, c.rule.id)


def resolve(text: str, candidates: Iterable[Candidate]) -> tuple[list[Span], list[Span]]:
    """Merge candidates into sorted, disjoint spans; return (spans, shadowed)."""
    ordered = sorted((c for c in candidates if c.end > c.start), key=lambda c: (c.start, c.end))
    clusters: list[list[Candidate]] = []
    cluster_end = -1
    for c in ordered:
        if clusters and c.start < cluster_end:
            clusters[-1].append(c)
            cluster_end = max(cluster_end, c.end)
        else:
            clusters.append([c])
            cluster_end = c.end
    spans: list[Span] = []
    shadowed: list[Span] = []
    for cluster in clusters:
        ranked = sorted(cluster, key=_rank)
        win = ranked[0].rule
        start = cluster[0].start
        end = max(c.end for c in cluster)
        ids: list[str] = []
        for c in ranked:
            if c.rule.id not in ids:
                ids.append(c.rule.id)
        spans.append(Span(start, end, win.id, win.category, text[start:end], tuple(ids)))
        for c in ranked[1:]:
            if c.rule.id != win.id:
                shadowed.append(Span(c.start, c.end, c.rule.id, c.rule.category, text[c.start : c.end]))
    return spans, shadowed
