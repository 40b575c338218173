"""The story guard: no mined run may cost a story its words, through the loaded rules.

A mined rule never matches a story paragraph itself (those are found on one page only), but
removing lines changes what the loaded rules' context heuristics see: a whole-page heuristic
that weighs lines to find the article may pick another block once the lines beside the
story are gone. So before a pack is written, the pages it was mined from are cleaned with
the loaded rules alone and with the pack added. When the pack costs a page more than
``LOSS_SHARE`` of the words of the lines the story-line test holds to be story (less the
words it saves), the run whose absence costs least, of the ``NEAREST`` runs standing
nearest the lines lost, is left out, and the pages are checked again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..lines import split_lines
from ..pipeline import Cleaner
from ..schema import Rule
from .find import Found
from .story import PageLine

MAX_CHECKED = 30  # pages checked per site: all of a small site, an even sample of a large one
LOSS_SHARE = 0.05  # the share of a page's story words a pack may cost it, less what it saves
NEAREST = 5  # runs tried as the cause of a loss: those standing nearest the lines lost

# The rules a set of runs becomes, read back as the loader reads them.
Build = Callable[[Sequence[Sequence[str]]], list[Rule]]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A run left out of the pack, and why."""

    first: str  # its first line
    lines: int
    page: str  # where it cost the story
    lost: int  # story words lost there
    words: int  # of the story's words there


def _protected(page: Sequence[PageLine], story_keys: set[str]) -> list[PageLine]:
    return [ln for ln in page if not ln.gone and (ln.story or (ln.key is not None and ln.key in story_keys))]


def _kept(cleaner: Cleaner, found: Found, d: int, lines: Sequence[PageLine]) -> set[int]:
    """The indices of ``lines`` that ``cleaner`` keeps on page ``d``."""
    doc = found.docs[d]
    result = cleaner.clean(doc.text, url=doc.url, format=doc.format)
    wanted = {ln.index for ln in lines}
    if result.error:
        return wanted
    spans = [(s.start, s.end) for s in result.spans]
    gone = {
        ln.index
        for ln in split_lines(doc.text)
        if ln.index in wanted and any(a <= ln.start and b >= ln.end for a, b in spans)
    }
    return wanted - gone


def _sample(found: Found) -> list[int]:
    pages = list(range(len(found.docs)))
    if len(pages) <= MAX_CHECKED:
        return pages
    step = len(pages) / MAX_CHECKED
    return [pages[int(k * step)] for k in range(MAX_CHECKED)]


@dataclass(frozen=True, slots=True)
class _Page:
    """One checked page: its story lines, their words, and those the loaded rules keep."""

    d: int
    lines: tuple[PageLine, ...]
    words: dict[int, int]
    before: frozenset[int]
    at: dict[str, list[int]]  # where each key's lines stand on the page

    @property
    def total(self) -> int:
        return sum(self.words.values())

    def kept(self, found: Found, cleaner: Cleaner) -> set[int]:
        return _kept(cleaner, found, self.d, self.lines)

    def loss(self, after: set[int]) -> int:
        """Story words dropped, less those kept that the loaded rules alone drop."""
        dropped = sum(self.words[i] for i in self.before - after)
        return dropped - sum(self.words[i] for i in after - self.before)

    def distance(self, run: Sequence[str], lost: set[int]) -> int:
        """How far the run's nearest line stands from the nearest line lost."""
        return min((abs(i - j) for key in run for i in self.at.get(key, ()) for j in lost), default=1 << 30)


def guard_runs(found: Found, rules: Sequence[Rule], build: Build) -> tuple[list[list[str]], list[LeftOut]]:
    """``found.runs`` without the runs that cost a story its words, and those left out.

    ``rules`` are the loaded rules; ``build`` turns runs into the rules they are written as.
    The runs nearest the lines lost (``NEAREST``) are the suspects tried.
    """
    runs = [list(r) for r in found.runs]
    left: list[LeftOut] = []
    alone = Cleaner(rules=rules)
    cache: dict[tuple[int, ...], Cleaner] = {}

    def cleaner_for(trial: Sequence[Sequence[str]]) -> Cleaner:
        key = tuple(sorted(id(r) for r in trial))
        if key not in cache:
            cache[key] = Cleaner(rules=[*rules, *build(trial)])
        return cache[key]

    pages = []
    for d in _sample(found):
        lines = tuple(_protected(found.pages[d], found.story_keys))
        if lines:
            words = {ln.index: max(1, len(ln.text.split())) for ln in lines}
            at: dict[str, list[int]] = {}
            for ln in found.pages[d]:
                if ln.key is not None and not ln.gone:
                    at.setdefault(ln.key, []).append(ln.index)
            pages.append(_Page(d, lines, words, frozenset(_kept(alone, found, d, lines)), at))
    changed = True
    while changed and runs:  # a run left out can change what another page loses: check them all again
        changed = False
        for page in pages:
            while runs:
                after = page.kept(found, cleaner_for(runs))
                now = page.loss(after)
                active = [r for r in runs if any(k in page.at for k in r)]
                if now <= LOSS_SHARE * page.total or not active:
                    break
                lost = set(page.before - after)
                suspects = sorted(active, key=lambda r: page.distance(r, lost))[:NEAREST]
                without = {id(r): [x for x in runs if x is not r] for r in suspects}
                best = min(suspects, key=lambda r: page.loss(page.kept(found, cleaner_for(without[id(r)]))))
                runs = without[id(best)]
                changed = True
                first = found.candidates[best[0]].variants.most_common(1)[0][0]
                doc = found.docs[page.d]
                left.append(LeftOut(first, len(best), doc.url or doc.source, now, page.total))
    return runs, left
