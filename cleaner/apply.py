"""Cut spans, tidy the seams they leave, and check that the report replays."""

from __future__ import annotations

from collections.abc import Sequence

from .lines import Line
from .model import Category, Span, delete, restore

TIDY_RULE = "tidy.blank-lines"


def covered_lines(lines: Sequence[Line], spans: Sequence[Span]) -> list[bool]:
    """For each line, whether the spans cover all of it, line break included."""
    union: list[list[int]] = []
    for s in spans:
        if union and s.start <= union[-1][1]:
            union[-1][1] = max(union[-1][1], s.end)
        else:
            union.append([s.start, s.end])
    out: list[bool] = []
    k = 0
    for ln in lines:
        while k < len(union) and union[k][1] <= ln.start:
            k += 1
        out.append(
            k < len(union) and union[k][0] <= ln.start and ln.stop <= union[k][1] and ln.stop > ln.start
        )
    return out


def tidy(text: str, lines: Sequence[Line], spans: Sequence[Span]) -> list[Span]:
    """Blank lines that removals left behind, as spans of their own.

    At the top and bottom of the document, blank lines that only a removal exposed go.
    Between two kept lines with a removal in between, at most one blank line stays.
    Blank lines that no removal touched are never changed.
    """
    if not spans:
        return []
    removed = covered_lines(lines, spans)
    content = [ln.index for ln in lines if not removed[ln.index] and not ln.blank]
    drop: list[int] = []

    def blanks(lo: int, hi: int) -> list[int]:
        return [i for i in range(lo, hi) if not removed[i] and lines[i].blank]

    def any_removed(lo: int, hi: int) -> bool:
        return any(removed[lo:hi])

    if not content:
        if any(removed):
            drop = blanks(0, len(lines))
    else:
        first, last = content[0], content[-1]
        if any_removed(0, first):
            drop += blanks(0, first)
        for a, b in zip(content, content[1:], strict=False):
            if b - a > 1 and any_removed(a + 1, b):
                drop += blanks(a + 1, b)[1:]
        if any_removed(last + 1, len(lines)):
            drop += blanks(last + 1, len(lines))
    out: list[Span] = []
    for i in sorted(drop):
        ln = lines[i]
        if out and out[-1].end == ln.start:
            prev = out[-1]
            out[-1] = Span(prev.start, ln.stop, TIDY_RULE, Category.WHITESPACE, text[prev.start : ln.stop])
        else:
            out.append(Span(ln.start, ln.stop, TIDY_RULE, Category.WHITESPACE, text[ln.start : ln.stop]))
    return out


def merge_sorted(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    return sorted([*a, *b], key=lambda s: s.start)


def check_spans(original: str, spans: Sequence[Span]) -> str | None:
    """Why ``spans`` are not a valid report of ``original``, or None when they are."""
    prev = 0
    for s in spans:
        if not (prev <= s.start < s.end <= len(original)):
            return f"span {s.start}-{s.end} ({s.rule}) is empty, out of order or out of range"
        if original[s.start : s.end] != s.text:
            return f"span {s.start}-{s.end} ({s.rule}) does not hold the text it reports"
        prev = s.end
    return None


def apply(original: str, spans: Sequence[Span]) -> tuple[str, str | None]:
    """Cut the spans and check the replay promise; on failure return the input and why."""
    problem = check_spans(original, spans)
    if problem is None:
        clean = delete(original, spans)
        if restore(clean, spans) != original or len(clean) != len(original) - sum(
            s.end - s.start for s in spans
        ):
            problem = "removed spans do not replay to the input"
        else:
            return clean, None
    return original, f"replay_check: {problem}"
