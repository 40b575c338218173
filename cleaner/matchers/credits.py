"""Photo credits and their captions: a truncated caption repeated in full nearby, and the
caption and alt-text lines a credit takes with it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .registry import Context, Param, register
from .text import continues, cut_off


@register(
    "truncated-caption",
    rank=0,
    params={
        "min_chars": Param(int, 20, "the least a cut-off line holds before its ellipsis"),
        "window": Param(int, 3, "how many lines above and below the full caption may be"),
    },
    summary="a line cut off with '...' or '…' whose start repeats a nearby line",
)
def truncated_caption(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """A caption shown cut off (a gallery's preview) next to the same caption in full: the
    cut-off copy goes, the full one is left to the caption and credit rules."""
    lines = ctx.lines
    for ln in lines:
        prefix = cut_off(ln.text)
        if prefix is None or len(prefix) < p["min_chars"]:
            continue
        lo, hi = max(0, ln.index - p["window"]), min(len(lines), ln.index + p["window"] + 1)
        if any(other.index != ln.index and continues(other, prefix) for other in lines[lo:hi]):
            yield ln.index


@register(
    "credit-group",
    rank=10,
    params={
        "categories": Param(list, ["credit"], "the categories of the removed line that takes its group"),
        "max_group_lines": Param(int, 8, "groups of more lines are left alone"),
        "max_words": Param(int, 80, "a group is taken only when each of its kept lines is this short"),
        "min_groups": Param(int, 3, "documents with fewer groups (no blank-line structure) are left alone"),
    },
    summary="a credit takes the caption and alt-text lines of its group (lines between blank lines)",
)
def credit_group(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The other lines of a group (lines between blank lines) that holds a removed line of
    those categories: caption and alt text go with their credit. Without blank-line
    structure a "group" would be the whole story, so such documents are left alone."""
    groups = ctx.groups()
    if len(groups) < p["min_groups"]:
        return
    cats = set(p["categories"])
    for group in groups:
        if len(group) > p["max_group_lines"]:
            continue
        if not any(ctx.category_of[ln.index] in cats for ln in group):
            continue
        kept = [ln for ln in group if ctx.kept(ln.index)]
        if all(ln.words <= p["max_words"] for ln in kept):
            yield from (ln.index for ln in kept)
