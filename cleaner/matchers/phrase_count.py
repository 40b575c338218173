"""Lines known by how many phrases of a list they hold."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from typing import Any

import regex

from ..lines import collapse_spaces, normalise
from ..prefilter import LiteralCount, required_literals
from .registry import Context, Param, register


def _prepare_phrase_count(values: dict[str, Any]) -> dict[str, Any]:
    alternatives = sorted({normalise(ph) for ph in values["phrases"]}, key=len, reverse=True)
    # Spaces match runs of spaces and tabs, never a line break: a phrase stays inside a line.
    branches = [regex.escape(a).replace(r"\ ", r"[^\S\r\n]+") for a in alternatives]
    values = dict(values)
    values["_pattern"] = regex.compile(rf"(?<!\w)(?:{'|'.join(branches)})(?!\w)", regex.IGNORECASE | regex.V0)
    values["_literals"] = required_literals(values["_pattern"].pattern)
    # How many of the phrases a line may hold: those found whole in the line with its spaces
    # collapsed (where a phrase matches, it is there). A line whose bound is short of min_hits
    # is skipped without running the alternation over it.
    values["_possible"] = LiteralCount([required_literals(regex.escape(a)) for a in alternatives])
    if values["min_hits"] < 1:
        raise ValueError("min_hits must be at least 1")
    return values


@register(
    "phrase-count",
    rank=0,
    params={
        "phrases": Param(list, None, "the phrases, matched as whole words, case and spaces aside"),
        "min_hits": Param(int, 2, "the least number of different phrases a line holds"),
        "min_words": Param(int, 0, "the least words of the line"),
        "max_words": Param(int, 0, "the most words of the line (0: any length)"),
    },
    summary="a line holding at least min_hits different phrases of the list (max_words 0: any length)",
    prepare=_prepare_phrase_count,
)
def phrase_count(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """A line holding several different phrases of a list: a cookie notice or an appeal
    worded a hundred ways, known by the vocabulary it cannot do without."""
    pattern: regex.Pattern[str] = p["_pattern"]
    possible: LiteralCount = p["_possible"]
    hits: dict[int, set[str]] = {}
    if ctx.literal_lines is not None:
        # Only lines holding a literal can hit; a phrase never spans lines, so scanning each
        # of them finds what one scan of the whole text finds there.
        for i in sorted(ctx.literal_lines):
            ln = ctx.lines[i]
            if ln.words < p["min_words"] or (p["max_words"] and ln.words > p["max_words"]):
                continue  # would be dropped below whatever it holds
            if possible.count(collapse_spaces(ln.text)) < p["min_hits"]:
                continue  # too few of the phrases are here to make min_hits
            for m in pattern.finditer(ctx.text, ln.start, ln.end):
                hits.setdefault(i, set()).add(normalise(m.group()))
    else:
        # One scan of the whole text; each hit is filed under the line it starts in.
        starts = [ln.start for ln in ctx.lines]
        for m in pattern.finditer(ctx.text):
            hits.setdefault(bisect.bisect_right(starts, m.start()) - 1, set()).add(normalise(m.group()))
    for i, found in sorted(hits.items()):
        ln = ctx.lines[i]
        if len(found) < p["min_hits"] or ln.words < p["min_words"]:
            continue
        if p["max_words"] and ln.words > p["max_words"]:
            continue
        yield i
