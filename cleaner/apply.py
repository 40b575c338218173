"""Cut spans, tidy the seams they leave, and check that the report replays."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence

from .lines import Line
from .model import Category, Span, delete

TIDY_RULE = "tidy.blank-lines"


def touched_lines(lines: Sequence[Line], spans: Sequence[Span]) -> list[bool]:
    """For each line, whether any span takes part of it (or all of it)."""
    out: list[bool] = []
    k = 0
    ordered = sorted(spans, key=lambda s: s.start)
    for ln in lines:
        while k < len(ordered) and ordered[k].end <= ln.start:
            k += 1
        out.append(k < len(ordered) and ordered[k].start < max(ln.stop, ln.start + 1))
    return out


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
    touched = touched_lines(lines, spans)
    content = [ln.index for ln in lines if not removed[ln.index] and not ln.blank]
    drop: list[int] = []

    def blanks(lo: int, hi: int) -> list[int]:
        # A blank line that a span already takes part of (a blank that is not a space, such as
        # U+2028, removed by a rule) is left to that span.
        return [i for i in range(lo, hi) if not touched[i] and lines[i].blank]

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
        if not replays(original, clean, spans) or len(clean) != len(original) - sum(
            s.end - s.start for s in spans
        ):
            problem = "removed spans do not replay to the input"
        else:
            return clean, None
    return original, f"replay_check: {problem}"


def replays(original: str, clean: str, spans: Sequence[Span]) -> bool:
    """Whether ``model.restore(clean, spans) == original``, worked out piece by piece, so
    that the restored text (a long document's copy) is never built."""
    ci = prev = pos = 0  # in clean, in the spans' offsets, in the restored text
    for s in sorted(spans, key=lambda sp: sp.start):
        gap = s.start - prev
        piece = clean[ci : ci + gap]
        if not original.startswith(piece, pos):
            return False
        pos += len(piece)
        ci += gap
        if not original.startswith(s.text, pos):
            return False
        pos += len(s.text)
        prev = s.end
    tail = clean[ci:]
    return len(original) - pos == len(tail) and original.startswith(tail, pos)


def _to_original(original: str, first: Sequence[Span]) -> Callable[[int], int]:
    """Maps an offset in the text ``first`` left to the offset of that character in ``original``."""
    seg_clean: list[int] = []  # where each kept piece of the original starts in the clean text
    seg_orig: list[int] = []  # ...and in the original
    pos = kept = 0
    for s in first:
        if s.start > pos:
            seg_clean.append(kept)
            seg_orig.append(pos)
            kept += s.start - pos
        pos = s.end
    if pos < len(original):
        seg_clean.append(kept)
        seg_orig.append(pos)

    def to_original(p: int) -> int:
        k = bisect.bisect_right(seg_clean, p) - 1
        return seg_orig[k] + p - seg_clean[k]

    return to_original


def map_back(original: str, first: Sequence[Span], spans: Sequence[Span]) -> list[Span]:
    """Spans over the text ``first`` left, each as the range of ``original`` it stretches over."""
    to_original = _to_original(original, first)
    out = []
    for s in spans:
        start, end = to_original(s.start), to_original(s.end - 1) + 1
        out.append(Span(start, end, s.rule, s.category, original[start:end], s.rules))
    return out


def compose(original: str, first: Sequence[Span], second: Sequence[Span]) -> list[Span]:
    """The spans of two passes as one report on ``original``.

    ``first`` indexes ``original``; ``second`` indexes the text ``first`` left. A span of the
    second pass starts and ends on characters the first kept, so mapped back it encloses the
    first-pass spans between them: they become one span, credited to the second-pass rule,
    with every contributing rule listed. First-pass spans outside any such range stay as
    they were.
    """
    out: list[Span] = []
    i = 0
    for s in map_back(original, first, second):
        while i < len(first) and first[i].end <= s.start:
            out.append(first[i])
            i += 1
        ids = list(s.rules or (s.rule,))
        while i < len(first) and first[i].start < s.end:
            ids += [rid for rid in (first[i].rules or (first[i].rule,)) if rid not in ids]
            i += 1
        out.append(dataclasses.replace(s, rules=tuple(ids)))
    out += first[i:]
    return out
