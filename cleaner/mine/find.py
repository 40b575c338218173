"""Finding what a site repeats: lines counted across its pages, and grouped into runs.

For one group of pages (one site):

1. Each page is cleaned with the base rules (the default packs and the user's own, without
   the whole-page ``page-lines`` heuristic), and the lines they remove whole are set aside:
   they are not mined again, and the story-line test skips them.
2. Pages that are copies of one story count as one page (``story.copies``).
3. Every other line is counted by its key (``shapes``) in the pages it occurs on, and the
   story-line test (``story``) sets aside the repeated lines that belong to a story.
4. Lines seen on at least ``min_docs`` pages become candidates, grouped into runs by where
   they stand: a menu, a footer, a block of links (``_runs``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..lines import split_lines
from ..pipeline import Cleaner
from .shapes import Shape, shape_of
from .story import PageLine, copies, is_prose, kept, story_test

FURNITURE_SHARE = 0.9  # a line on this share of a site's pages is part of the site, not a story


@dataclass(frozen=True, slots=True)
class Page:
    """One page to mine: its text, where it came from, and its URL when known.

    ``format`` is ``"text"``, or ``"html"`` for text extracted from a page (the base rules
    then run as they do on HTML).
    """

    source: str
    text: str
    url: str | None = None
    format: str = "text"


@dataclass(slots=True)
class Candidate:
    """A line repeated on enough pages: its key, the lines seen, and where."""

    key: str
    shape: Shape
    variants: Counter[str] = field(default_factory=Counter)  # the real lines, stripped
    docs: list[int] = field(default_factory=list)  # pages with a kept occurrence, in order
    families: frozenset[int] = frozenset()  # those pages' families (copies of one story are one)
    first: tuple[int, int] = (0, 0)  # (page, line) of its first occurrence


@dataclass(slots=True)
class Found:
    """What one group's pages repeat."""

    docs: Sequence[Page]
    pages: list[list[PageLine]]
    family: list[int]  # each page's family: copies of one story share one
    candidates: dict[str, Candidate]
    runs: list[list[str]]  # candidate keys, each run in page order
    story_keys: set[str]  # repeated lines the story-line test kept

    @property
    def distinct(self) -> int:
        """Pages, copies of one story counted once."""
        return len(set(self.family))


def read_page(doc: Page, base: Cleaner) -> list[PageLine]:
    """The non-blank lines of a page, marked where the base rules remove them whole."""
    result = base.clean(doc.text, url=doc.url, format=doc.format)
    spans = [] if result.error else [(s.start, s.end) for s in result.spans]
    out: list[PageLine] = []
    k = 0
    for ln in split_lines(doc.text):
        if ln.blank:
            continue
        while k < len(spans) and spans[k][1] < ln.end:
            k += 1
        gone = k < len(spans) and spans[k][0] <= ln.start and spans[k][1] >= ln.end
        text = ln.text.strip()
        out.append(PageLine(ln.index, text, ln.stop - ln.start, shape_of(text), gone, is_prose(text)))
    return out


def find_repeats(docs: Sequence[Page], base: Cleaner, min_docs: int) -> Found:
    """The lines of ``docs`` repeated on at least ``min_docs`` pages, joined into runs."""
    pages = [read_page(doc, base) for doc in docs]
    families = copies(pages)
    seen_in: dict[str, set[int]] = defaultdict(set)  # key -> families, any occurrence
    for d, page in enumerate(pages):
        for ln in page:
            if ln.shape is not None:
                seen_in[ln.shape.key].add(families[d])
    repeated = {key for key, fams in seen_in.items() if len(fams) >= 2}
    distinct = len(set(families))
    furniture = {key for key, fams in seen_in.items() if len(fams) >= FURNITURE_SHARE * distinct}
    story_keys = story_test(pages, repeated, furniture)

    candidates: dict[str, Candidate] = {}
    kept_in: dict[str, set[int]] = defaultdict(set)
    for d, page in enumerate(pages):
        for ln in kept(page):
            if ln.key is not None and ln.key in repeated and ln.key not in story_keys:
                kept_in[ln.key].add(families[d])
    for d, page in enumerate(pages):
        for ln in kept(page):
            if ln.shape is None or len(kept_in.get(ln.shape.key, ())) < min_docs:
                continue
            cand = candidates.get(ln.shape.key)
            if cand is None:
                cand = candidates[ln.shape.key] = Candidate(
                    ln.shape.key, ln.shape, families=frozenset(kept_in[ln.shape.key]), first=(d, ln.index)
                )
            cand.variants[ln.text] += 1
            if not cand.docs or cand.docs[-1] != d:
                cand.docs.append(d)
    return Found(docs, pages, families, candidates, _runs(pages, candidates), story_keys)


def _runs(pages: list[list[PageLine]], candidates: dict[str, Candidate]) -> list[list[str]]:
    """Candidates grouped by where they stand: a page's run is its candidates that follow each
    other (blank and removed lines skipped); runs of different pages that share at least half
    of their lines are one run. A line found in several runs (a menu printed at the top and at
    the foot) belongs to the first."""
    page_runs: list[list[str]] = []
    for page in pages:
        run: list[str] = []
        for ln in kept(page):
            if ln.key is not None and ln.key in candidates:
                if ln.key not in run:
                    run.append(ln.key)
            elif run:
                page_runs.append(run)
                run = []
        if run:
            page_runs.append(run)
    shared: list[set[str]] = []
    for run in page_runs:
        keys = set(run)
        overlap = [len(keys & s) for s in shared]
        best = max(range(len(shared)), key=overlap.__getitem__, default=None)
        if best is not None and overlap[best] * 2 >= len(keys):
            shared[best] |= keys
        else:
            shared.append(keys)
    owner: dict[str, int] = {}
    for n, keys in enumerate(shared):
        for key in keys:
            owner.setdefault(key, n)
    runs: dict[int, list[str]] = defaultdict(list)
    for key in sorted(candidates, key=lambda k: candidates[k].first):
        runs[owner[key]].append(key)
    return sorted(runs.values(), key=lambda run: candidates[run[0]].first)
