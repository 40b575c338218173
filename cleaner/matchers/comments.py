"""Reader comments: the lines of a thread between the comment headers other rules removed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..lines import Line
from .registry import Context, Param, Regex, RuleIds, register


@register(
    "comment-thread",
    rank=16,
    params={
        "rules": Param(RuleIds, None, "the rules whose removed lines are comment headers"),
        "min_markers": Param(int, 2, "the least number of headers a thread has"),
        "max_gap_lines": Param(int, 15, "the most non-blank lines from one header to the next"),
        "max_tail_lines": Param(int, 6, "how many lines after the last header the last comment may take"),
        "name_lines": Param(bool, False, "a short line right above a header is the commenter's name"),
        "openers": Param(RuleIds, [], "rules whose removed lines must open the thread (a comments heading)"),
        "max_opener_gap": Param(int, 3, "the most non-blank lines from the opener to the first header"),
        "at_start": Param(bool, False, "only a text that opens with the first comment: a comment on its own"),
        "max_text_words": Param(int, 400, "with at_start, the most words the whole text has"),
        "not_name": Param(Regex, "", "with at_start, what a first line that is no commenter's name matches"),
    },
    summary="the comments of a thread: the lines between comment headers the listed rules removed",
)
def comment_thread(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """A thread is a chain of headers (lines removed by one of ``rules``; consecutive such
    lines are one header), each at most ``max_gap_lines`` non-blank lines after the previous
    one; headers further apart, or with an opener line between them, start a new chain, so
    a byline at the top and a comment at the bottom never enclose the story. A chain of
    ``min_markers`` or more headers takes every kept line between its first and last
    header, and after the last one up to ``max_tail_lines`` lines: the last comment's body,
    which ends early at the next line something else removed.

    With ``name_lines``, a header also takes the line right above it (no blank line
    between) when that line reads as a name: at most five words, no closing punctuation
    ('Jan Smith' over 'August 8, 2018 at 7:21 pm'). With ``openers``, a chain counts only
    when a line one of those rules removed (a comments heading such as '10 thoughts on
    “…”') comes at most ``max_opener_gap`` non-blank lines before its first header.

    With ``at_start``, a chain counts only when the text opens with its first comment: the
    first non-blank line is a name line (one the ``not_name`` pattern does not match, such
    as a byline's 'By Jane Doe') over the first header, and the whole text holds at most
    ``max_text_words`` words. That is a comment on its own, cut from its page, not a post.
    """
    labels = set(p["rules"])
    openers = set(p["openers"])
    lines, removed_by = ctx.lines, ctx.removed_by
    content = [ln for ln in lines if not ln.blank]
    chains: list[list[int]] = []  # each header by its last line's position in `content`
    names: dict[int, int] = {}  # header's first position -> the name line's position above it
    opened: list[int] = []  # positions of opener lines
    for pos, ln in enumerate(content):
        label = removed_by[ln.index]
        if label in openers:
            opened.append(pos)
        if label not in labels:
            continue
        if pos > 0 and removed_by[content[pos - 1].index] in labels:
            chains[-1][-1] = pos  # the header goes on
            continue
        top = pos
        if p["name_lines"] and pos > 0 and _name_line(content[pos - 1], ln, ctx):
            top = names[pos] = pos - 1
        last = chains[-1][-1] if chains else None
        if last is not None and top - last <= p["max_gap_lines"] + 1 and not (opened and opened[-1] > last):
            chains[-1].append(pos)  # (a heading between them starts a new chain)
        else:
            chains.append([pos])
    for headers in chains:
        if len(headers) < p["min_markers"]:
            continue
        first = headers[0]
        while first > 0 and removed_by[content[first - 1].index] in labels:
            first -= 1
        first = names.get(first, first)
        if openers and not any(first - p["max_opener_gap"] <= o < first for o in opened):
            continue
        if p["at_start"] and not _opens_text(first, headers[0], content, p):
            continue
        if first < headers[0] and ctx.kept(content[first].index):
            yield content[first].index  # the first comment's name line
        body = (ln for ln in content[headers[0] + 1 : headers[-1]] if ctx.kept(ln.index))
        yield from (ln.index for ln in body)
        for ln in content[headers[-1] + 1 : headers[-1] + 1 + p["max_tail_lines"]]:
            if not ctx.kept(ln.index):
                break
            yield ln.index


def _opens_text(first: int, header: int, content: list[Line], p: Mapping[str, Any]) -> bool:
    """Whether a chain whose first comment starts at ``first`` (its header at ``header``,
    both positions in ``content``) is the whole text's opening: a name line, then the header."""
    if not first == 0 < header:
        return False
    if p["_not_name"] is not None and p["_not_name"].match(content[0].text.strip()):
        return False
    return sum(ln.words for ln in content) <= p["max_text_words"]


def _name_line(above: Line, header: Line, ctx: Context) -> bool:
    """Whether ``above`` is a commenter's name right over a header line."""
    if above.index != header.index - 1 or not ctx.kept(above.index):
        return False
    text = above.text.strip()
    return 0 < len(text.split()) <= 5 and len(text) <= 50 and text[-1] not in ".!?:;,"
