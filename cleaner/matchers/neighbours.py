"""Lines judged by their neighbours: the titles a label introduces, the teaser above a
'Read more' link, and short lines between two removed lines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..lines import Line
from .registry import Context, Param, RuleIds, register
from .text import cut_off, ends_prose


@register(
    "follows",
    rank=15,
    params={
        "rules": Param(RuleIds, None, "the rules whose removed lines are labels (such as 'Next post')"),
        "max_lines": Param(int, 1, "how many lines after the label the run may take"),
        "max_words": Param(int, 20, "the most words a title-like line has"),
        "through": Param(list, [], "categories of lines other rules removed that the run goes on past"),
        "summary_words": Param(
            int, 0, "with more than 0, also a card's one-sentence summary of this many words"
        ),
        "min_summaries": Param(
            int, 2, "with summary_words, the least number of summaries for the run to count"
        ),
    },
    summary="up to max_lines short title-like lines right after a line removed by one of the listed rules",
)
def follows(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The titles a label introduces: 'Next post' followed by the next post's title.

    A line qualifies while it is kept, has at most ``max_words`` words and does not end the
    way a sentence of prose does (a full stop, comma, colon or semicolon); a title ending
    in '?' or '!' still qualifies. The first line that does not stops the run, but for a
    line another rule removed whose category is in ``through`` (a video's title among
    the headlines): it counts towards ``max_lines`` and the run goes on after it.

    With ``summary_words``, the run takes cards of other stories instead: a title, the one
    sentence that sums the story up (up to ``summary_words`` words, right after the title
    and right before another title-like line, such as the byline), and so on. It takes
    them only when it finds ``min_summaries`` or more, so that a story's own paragraph
    after a lone linked title stays.
    """
    labels = set(p["rules"])
    through = set(p["through"])
    summary_words = p["summary_words"]
    content = [ln for ln in ctx.lines if not ln.blank]
    for pos, ln in enumerate(content):
        if ctx.removed_by[ln.index] not in labels:
            continue
        run: list[int] = []
        summaries = 0
        after_title = False
        window = content[pos + 1 : pos + 1 + p["max_lines"]]
        for k, nxt in enumerate(window):
            if not ctx.kept(nxt.index):
                if ctx.category_of[nxt.index] in through:
                    after_title = False
                    continue
                break
            if nxt.words <= p["max_words"] and not ends_prose(nxt.text):
                run.append(nxt.index)
                after_title = True
                continue
            if summary_words and after_title and nxt.words <= summary_words and k + 1 < len(window):
                after = window[k + 1]
                if ctx.kept(after.index) and after.words <= p["max_words"] and not ends_prose(after.text):
                    run.append(nxt.index)
                    summaries += 1
                    after_title = False
                    continue
            break
        if summary_words and summaries < p["min_summaries"]:
            continue
        yield from run


@register(
    "teaser",
    rank=18,
    params={
        "rules": Param(RuleIds, None, "the rules whose removed lines are links to the rest ('Read more')"),
        "max_words": Param(int, 80, "the most words the teaser has"),
    },
    summary="a paragraph cut off with '...' or '…' right above a 'Read more' line the listed rules removed",
)
def teaser(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """A teaser of another story: its first words, cut off, then the link to the rest."""
    labels = set(p["rules"])
    previous: Line | None = None  # the last non-blank line
    for ln in ctx.lines:
        if ln.blank:
            continue
        if (
            previous is not None
            and ctx.removed_by[ln.index] in labels
            and ctx.kept(previous.index)
            and previous.words <= p["max_words"]
            and cut_off(previous.text) is not None
        ):
            yield previous.index
        previous = ln


@register(
    "sandwich",
    rank=20,
    params={
        "categories": Param(list, None, "the categories of the removed lines on both sides"),
        "max_gap_lines": Param(int, 2, "the most lines between them"),
        "max_words": Param(int, 12, "the most words each of those lines has"),
    },
    summary="a few short lines between two removed lines of the listed categories",
)
def sandwich(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """Short lines between two removed lines of the listed categories: what a block of
    appeals or links leaves between its parts (a 'Donate' button between two lines of a
    plea)."""
    cats = set(p["categories"])
    content = [ln for ln in ctx.lines if not ln.blank]
    last_removed: int | None = None  # position in `content` of the last removed line seen
    gap: list[Line] = []
    for pos, ln in enumerate(content):
        if ctx.kept(ln.index):
            gap.append(ln)
            continue
        if (
            ctx.category_of[ln.index] in cats
            and last_removed is not None
            and ctx.category_of[content[last_removed].index] in cats
            and 0 < len(gap) <= p["max_gap_lines"]
            and all(g.words <= p["max_words"] for g in gap)
        ):
            yield from (g.index for g in gap)
        last_removed = pos
        gap = []
