"""The story-line test: which repeated lines belong to a story, and are never mined.

A line found on many pages of a site is not boilerplate by that alone. Two stories may
share a quote; a story template may repeat its sub-headings; the same story may be crawled
at two addresses; a story's headline is a link on the site's other pages. So, on each page,
with the lines the base rules remove skipped:

- a line found on no other page that reads as prose (``is_prose``) is one of the page's
  **story paragraphs**;
- pages that are copies of one story count as one page (``copies``);
- a repeated line belongs to the story when it sits among the story's paragraphs, at its
  edge, or in its head (``story_test``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..matchers.text import TOKEN, is_prose
from .shapes import Shape

COPY_SHARE = 0.5  # the share of its longest run of paragraphs a copy of a page holds
SANDWICH_LINES = 2  # lines between two story paragraphs that are the story's (a sub-heading)
EDGE_LINES = 2  # paragraphs of a notice that opens or closes a story (or its comments)
EDGE_SKIP = 2  # lines that are not prose between a story's edge and a notice that belongs to it
HEAD_LINES = 3  # lines above a story's first paragraph that may hold its headline and dek
TITLE_WORDS = (4, 20)  # a line of so many words that is not prose reads as a title


@dataclass(slots=True)
class PageLine:
    """A non-blank line of a page."""

    index: int  # the line's number in its document, from 0
    text: str  # stripped
    size: int  # characters, with its line break
    shape: Shape | None
    gone: bool  # the base rules remove it
    prose: bool
    story: bool = False  # one of the page's story paragraphs
    key: str | None = field(init=False)  # the shape's key, which lines are counted by

    def __post_init__(self) -> None:
        self.key = self.shape.key if self.shape is not None else None


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def kept(page: Sequence[PageLine]) -> list[PageLine]:
    """The lines of a page the base rules leave."""
    return [ln for ln in page if not ln.gone]


def copies(pages: list[list[PageLine]]) -> list[int]:
    """Each page's family: pages that are copies of one story share one (the lowest index).

    A page's core is its longest run of prose lines (removed lines skipped). Two pages are
    copies when each holds at least ``COPY_SHARE`` of the other's core (and two lines of it
    or more); a page whose longest prose is a notice every page prints is no copy of them.
    """
    union = _Union(len(pages))
    holders: dict[str, set[int]] = defaultdict(set)
    keys: list[set[str]] = []
    cores: list[set[str]] = []
    for d, page in enumerate(pages):
        best: list[str] = []
        run: list[str] = []
        for ln in kept(page):
            if ln.prose and ln.key is not None:
                run.append(ln.key)
                if len(run) > len(best):
                    best = list(run)
            else:
                run = []
        keys.append({ln.key for ln in kept(page) if ln.key is not None})
        for key in keys[-1]:
            holders[key].add(d)
        cores.append(set(best))

    def holds(a: int, b: int) -> bool:
        """Whether page ``b`` holds most of page ``a``'s core."""
        n = len(cores[a] & keys[b])
        return len(cores[a]) >= 2 and n >= 2 and n >= COPY_SHARE * len(cores[a])

    for d, core in enumerate(cores):
        for other in {o for key in core for o in holders[key] if o > d}:
            if holds(d, other) and holds(other, d):
                union.join(d, other)
    return [union.find(d) for d in range(len(pages))]


def is_title(text: str) -> bool:
    """Whether a line reads as a title: ``TITLE_WORDS`` words, and not prose."""
    return not is_prose(text) and TITLE_WORDS[0] <= len(TOKEN.findall(text)) <= TITLE_WORDS[1]


def _title_like(ln: PageLine) -> bool:
    return ln.shape is not None and not ln.shape.varies and not ln.prose and is_title(ln.text)


def story_test(pages: list[list[PageLine]], repeated: set[str], furniture: set[str]) -> set[str]:
    """Mark each page's story paragraphs; return the keys of repeated lines that are story.

    On each page (removed lines skipped), a repeated line belongs to the story when:

    - **among** its paragraphs: it is in a run of repeated lines between two story
      paragraphs that is either short (``SANDWICH_LINES``: a sub-heading of a story
      template) or all prose (a quote or passage two stories share). A longer run with a
      line that is not prose is a widget set into the story (links, a player, buttons);
    - at its **edge**: it is prose, right above the first paragraph or below the last, after
      at most ``EDGE_SKIP`` lines that are not prose, in a run of at most ``EDGE_LINES``
      paragraphs (a notice that opens or closes the story or its comments; a longer run is a
      list of teasers);
    - in its **head**: among the ``HEAD_LINES`` lines above the first paragraph, it reads as
      a title, is not on nearly every page (``furniture``, a site's tagline), and only such
      lines and lines found on that page alone (a byline, a date) stand between it and the
      paragraph: the page's own headline or dek, which other pages list as a link to it.

    A line among or at the edge of a story on at least half of the pages holding it is a
    story line; a head on one page is enough.
    """
    beside: Counter[str] = Counter()  # pages on which a line sits among or at the edge of a story
    holding: Counter[str] = Counter()  # pages on which a line is kept
    heads: set[str] = set()
    for page in pages:
        lines = kept(page)
        flags = [ln.key in repeated for ln in lines]
        for ln, rep in zip(lines, flags, strict=True):
            ln.story = ln.prose and not rep
        holding.update({ln.key for ln, rep in zip(lines, flags, strict=True) if rep and ln.key is not None})
        found = _among(lines, flags)
        paragraphs = [k for k, ln in enumerate(lines) if ln.story]
        if paragraphs:
            first, last = paragraphs[0], paragraphs[-1]
            found |= _edge(lines[:first][::-1], flags[:first][::-1])
            found |= _edge(lines[last + 1 :], flags[last + 1 :])
            heads |= _head(lines[max(0, first - HEAD_LINES) : first][::-1], repeated, furniture)
        beside.update(found)
    return heads | {key for key, n in beside.items() if n * 2 >= holding[key]}


def _among(lines: Sequence[PageLine], flags: Sequence[bool]) -> set[str]:
    """The repeated lines in runs between two story paragraphs that are the story's own."""
    out: set[str] = set()
    i = 0
    while i < len(lines):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and flags[j]:
            j += 1
        run = lines[i:j]
        inside = i > 0 and j < len(lines) and lines[i - 1].story and lines[j].story
        if inside and (len(run) <= SANDWICH_LINES or all(ln.prose for ln in run)):
            out.update(ln.key for ln in run if ln.key is not None)
        i = j
    return out


def _head(above: Sequence[PageLine], repeated: set[str], furniture: set[str]) -> set[str]:
    """The repeated lines of a story's head: ``above`` are the lines above its first paragraph,
    nearest first."""
    out: set[str] = set()
    for ln in above:
        if ln.key is None or ln.key not in repeated:
            continue  # a line of this page alone: a byline, a date
        if ln.key in furniture or not _title_like(ln):
            break  # the site's own lines above the story begin here
        out.add(ln.key)
    return out


def _edge(lines: Sequence[PageLine], flags: Sequence[bool]) -> set[str]:
    """The repeated prose lines that open ``lines`` (the lines going away from a story's
    first or last paragraph), after at most ``EDGE_SKIP`` lines that are not prose: a notice
    of at most ``EDGE_LINES`` paragraphs. A longer run of them is a list (of teasers, of
    other stories), not the story's own."""
    out: list[str] = []
    skipped = 0
    for ln, rep in zip(lines, flags, strict=True):
        if ln.prose and rep and ln.key is not None:
            out.append(ln.key)
        elif out or ln.prose or skipped == EDGE_SKIP:
            break
        else:
            skipped += 1
    return set(out) if len(out) <= EDGE_LINES else set()
