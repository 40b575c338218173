"""The regions of a whole page that page-lines judges: the walls of chrome that part
them, the story's opening above its core and its rest below an inline widget, a forum
thread's posts, the signs that a page is an article, and what a mined rule's walls leave
of a story (``page_lines`` holds the heuristic itself)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from ..lines import Line, normalise
from .registry import Context
from .text import is_prose


def walls(
    content: list[int], noise: list[bool], rows: Collection[int], ctx: Context, chrome: Collection[str]
) -> list[tuple[int, int]]:
    """Stretches of noise lines (first and last positions in ``content``) that hold a line a
    rule of a ``chrome`` category removed: a share bar, a menu, a 'Related' heading, the
    footer's copyright. A list's rows break a stretch, as text lines do."""
    walls: list[tuple[int, int]] = []
    start, ruled = -1, False
    for k, i in enumerate([*content, -1]):
        if i >= 0 and (noise[k] or ctx.removed_by[i] is not None) and i not in rows:
            if start < 0:
                start = k
            ruled = ruled or ctx.category_of[i] in chrome
            continue
        if start >= 0 and ruled:
            walls.append((start, k - 1))
        start, ruled = -1, False
    return walls


def story_beyond(
    bounds: list[int],
    walls: list[tuple[int, int]],
    keep: Collection[tuple[int, int]],
    text: list[int],
    least: float,
    max_lines: int,
    inline: Collection[int],
) -> set[tuple[int, int]]:
    """The regions that the story runs on into from a kept one: across a wall of at most
    ``max_lines`` lines (a share bar, an advertisement's label, an inline sign-up), a region
    holding ``least`` words of text, and so on; upwards across any such wall, then downwards
    across the ``inline`` ones (the indices of walls whose removed lines are all an inline
    widget's: a sign-up, an advertisement's label, an appeal).

    The core is where text is densest, which is often not where the story starts: its first
    paragraphs and key points, above an inline widget, are story too, as is its rest below
    one. What follows a story across other walls (a 'Related' heading, a share bar) is as
    often a river of teasers with their blurbs.
    """
    # Region k lies between walls k-1 and k (``bounds`` holds -1, each wall's first and
    # last positions, and the number of positions).
    regions = [(bounds[k] + 1, bounds[k + 1] - 1) for k in range(0, len(bounds), 2)]
    kept = [r in keep for r in regions]

    def runs_on(k: int, wall: int) -> bool:
        first, last = walls[wall]
        a, b = regions[k]
        return not kept[k] and last - first + 1 <= max_lines and sum(text[a : b + 1]) >= least

    for k in range(len(regions) - 2, -1, -1):
        if kept[k + 1] and runs_on(k, k):
            kept[k] = True
    for k in range(1, len(regions)):
        if kept[k - 1] and k - 1 in inline and runs_on(k, k - 1):
            kept[k] = True
    return {r for r, k in zip(regions, kept, strict=True) if k}


POST_HEADER_LINES = 30  # a post's header is a few lines (a name, a date, counts), not a menu


def thread(
    walls: list[tuple[int, int]],
    core: Collection[tuple[int, int]],
    content: list[int],
    ctx: Context,
    text: list[int],
    least: int,
    controls: Collection[str],
) -> tuple[int, int] | None:
    """The span of a thread's posts (between the walls before its first post and after its
    last) when the core is one of them, or holds the opening post right above the first:
    ``least`` walls or more, each a few lines with text under it, that print two or more
    labels that ``least`` walls print ('Joined', 'Messages', 'Reply'): lines the rules left,
    or took as a post's ``controls`` (a category: 'Reply', 'Quote', 'Report'). Comments under a
    story are a thread too; the story is no post of it (it sits under a byline, not under a
    post's header), and the comment rules that follow take them."""
    removed_by, category = ctx.removed_by, ctx.category_of
    labels = [
        {
            normalise(ctx.lines[i].text)
            for i in content[s : e + 1]
            if removed_by[i] is None or category[i] in controls
        }
        for s, e in walls
    ]
    seen = Counter(key for group in labels for key in group)
    ends = [e for _, e in walls]
    starts = [s for s, _ in walls[1:]] + [len(content)]
    posts = [
        j
        for j, (group, (s, e)) in enumerate(zip(labels, walls, strict=True))
        if e - s < POST_HEADER_LINES
        and sum(seen[key] >= least for key in group) >= 2
        and sum(text[e + 1 : starts[j]]) > 0
    ]
    # The core is one of the posts, or holds the opening post (a header the rules did not
    # find, as no chrome is in it) right above the first reply's header.
    opens = bool(posts) and any(walls[posts[0]][0] - 1 == b for _, b in core)
    if len(posts) < least or not (opens or any(ends[j] + 1 == a for j in posts for a, _ in core)):
        return None
    return ends[posts[0]] + 1, starts[posts[-1]] - 1


def signed(
    ctx: Context,
    content: list[int],
    regions: list[tuple[int, int]],
    core: list[tuple[int, int]],
    signs: set[str],
    reach: int,
    most: int,
) -> bool:
    """Whether a line that a rule of a ``signs`` category removed stands where an article's
    head or foot would: in the regions the core touches, in the ``reach`` regions above them,
    or in the walls around these (a byline over a share bar, an author's box under the
    story). Anywhere on the page when ``reach`` is negative or no region holds the core.
    More than ``most`` such lines there (0: no bound) are the dates and names of a list's
    items (posts, stories, reviews), not the head of one article."""
    start, end = 0, len(ctx.lines) - 1
    if reach >= 0 and core:
        first, last = regions.index(core[0]) - reach - 1, regions.index(core[-1]) + 1
        start = content[regions[first][1]] + 1 if first >= 0 else 0
        end = content[regions[last][0]] - 1 if last < len(regions) else end
    n = sum(c in signs for c in ctx.category_of[start : end + 1] if c is not None)
    return n > 0 and (most == 0 or n <= most)


def held_by_story(
    lines: Sequence[Line], removed_by: Sequence[str | None], out: Collection[int], alone: Collection[int]
) -> set[int]:
    """The lines of ``out`` (what page-lines removes) that only it removes and ``alone``
    (what it removes judged without some rules' lines) keeps, and that stand in one stretch
    of lines with a paragraph of prose that stays, or are one: no line a rule removed, and
    none that both judgements remove, between them (a photo's credit and the story's source
    under its last paragraph, a story too short to count beside the teasers once gone)."""
    only = {i for i in out if i not in alone}
    held: set[int] = set()
    stretch: list[int] = []
    prose = False
    for line in [*lines, None]:
        if line is not None and line.blank:
            continue
        i = -1 if line is None else line.index
        if line is None or removed_by[i] is not None or (i in out and i not in only):
            if prose:
                held.update(stretch)
            stretch, prose = [], False
            continue
        if i in only:
            stretch.append(i)
        prose = prose or is_prose(line.text)
    return held
