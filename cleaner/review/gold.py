"""Documents from results cleaned in this process, and marked against a gold."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ..evaluate import SHINGLE_N, score_document, shingles, tokens
from ..lines import split_lines
from ..loader import load_rules
from ..model import Result, Span, delete
from .run import BUILTIN_DESCRIPTIONS, MISSED_SHARE, GoldCase, GoldMarks, ReviewDoc, ReviewRun

# -- documents from results, and the gold ------------------------------------------------------


def document(
    name: str, text: str, result: Result | Sequence[Span] | None, error: str | None = None
) -> ReviewDoc:
    """A document cleaned in this process: ``result`` (or its spans) over ``text``."""
    if result is None:
        return ReviewDoc(name, "error", error=error or "not cleaned")
    repaired = None  # the repaired text, which the spans index, when mojibake was repaired
    if isinstance(result, Result):
        repaired = result.source if result.repair else None
        spans, clean = result.spans, result.text
        error, warnings = error or result.error, result.warnings
    else:
        spans, clean, warnings = tuple(result), delete(text, result), ()
    original = text if repaired is None else repaired
    return ReviewDoc(
        name, "error" if error else "ok", "text" if repaired is None else "repaired", original,
        tuple(spans), len(original), len(clean), error, tuple(warnings),
    )  # fmt: skip


def gold_marks(text: str, spans: Sequence[Span], gold: str) -> GoldMarks:
    """Harm and missed noise of one document (see ``GoldMarks``).

    A kept line is missed noise when it has words and under half of its 4-word windows occur
    in the gold (a line of fewer words: when its word run does not). Half rather than none,
    so that a common phrase shared by chance ("one of the") does not hide a line of noise;
    an article line, whose windows are nearly all in the gold, stays unmarked.
    """
    gold_run = f" {' '.join(tokens(gold))} "
    gold_windows = set(shingles(gold))
    harm = [i for i, s in enumerate(spans) if _in_gold(tokens(s.text), gold_run)]
    kept = [(a, b) for a, b in kept_ranges(spans, len(text)) if b > a]
    clean = "".join(text[a:b] for a, b in kept)
    starts, at = [], 0  # clean offset at which each kept range starts
    for a, b in kept:
        starts.append(at)
        at += b - a
    missed: list[tuple[int, int]] = []
    missed_words = 0
    for line in split_lines(clean):
        words = tokens(line.text)
        if not words:
            continue
        if len(words) < SHINGLE_N:
            lacks = not _in_gold(words, gold_run, 1)
        else:
            windows = list(zip(*(words[k:] for k in range(SHINGLE_N)), strict=False))
            lacks = sum(w in gold_windows for w in windows) < MISSED_SHARE * len(windows)
        if lacks:
            missed_words += len(words)
            missed += _to_input(line.start, line.end, kept, starts)
    score = score_document(clean, gold)
    return GoldMarks(
        tuple(harm), tuple(missed), sum(len(tokens(spans[i].text)) for i in harm), missed_words,
        score.precision, score.recall, score.f1,
    )  # fmt: skip


def _in_gold(words: list[str], gold_run: str, least: int = SHINGLE_N) -> bool:
    return len(words) >= least and f" {' '.join(words)} " in gold_run


def kept_ranges(spans: Sequence[Span], size: int) -> list[tuple[int, int]]:
    ends = [0, *(s.end for s in spans)]
    starts = [*(s.start for s in spans), size]
    return list(zip(ends, starts, strict=True))


def _to_input(start: int, end: int, kept: list[tuple[int, int]], starts: list[int]) -> list[tuple[int, int]]:
    """The input ranges of clean text ``[start, end)``."""
    out = []
    k = bisect_right(starts, start) - 1
    while k < len(kept) and starts[k] < end:
        a = kept[k][0] + max(start - starts[k], 0)
        b = kept[k][0] + min(end - starts[k], kept[k][1] - kept[k][0])
        if b > a:
            out.append((a, b))
        k += 1
    return out


def with_gold(cases: Iterable[GoldCase], *, source: str = "evaluation") -> ReviewRun:
    """The documents of an evaluation with their harm and missed noise marked."""
    docs = []
    for case in cases:
        doc = document(case.id, case.text, case.result, case.error)
        if doc.text is not None:
            doc = replace(doc, gold=gold_marks(doc.text, doc.spans, case.gold))
        docs.append(doc)
    return ReviewRun(source, tuple(docs))


def rule_descriptions(paths: Sequence[Path | str] = (), *, defaults: bool = True) -> dict[str, str]:
    """``{rule id: description}`` of the loaded rules (``RuleFileError`` as ``load_rules``)."""
    return {**BUILTIN_DESCRIPTIONS, **{r.id: r.description for r in load_rules(paths, defaults=defaults)}}
