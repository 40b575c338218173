"""Text a page holds twice: a copy of the story's own lines (a description, a summary), and
the headline printed again at the end."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import regex

from ..lines import Line, normalise, repeated_runs
from .registry import Context, Param, register
from .text import TOKEN, continues, cut_off

try:  # the fast way to find many strings at once; without it, one search per string
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover
    _ahocorasick = None

_CLAUSE_BREAK = regex.compile(r"(?<=[.!?…;:])\s+")
_COPY_HEAD = 24  # characters a copy starts with, as the text it copies does
# Below this many characters, a search per string takes less time than building an automaton
# for them (about a fifth less on the development pages).
_SEARCH_EACH_BELOW = 100_000


@register(
    "repeated-text",
    rank=35,
    params={
        "min_words": Param(int, 16, "the least words of a line taken as a copy of lines above"),
        "min_share": Param(float, 0.8, "the least share of its four-word sequences found in lines above"),
        "min_sources": Param(int, 2, "the least number of lines above it draws on (three sequences each)"),
        "min_chars": Param(int, 20, "the least a cut-off copy holds before its ellipsis"),
    },
    summary="a copy of text left above it: a long line whose four-word sequences are nearly all "
    "in lines above, drawn from several of them (a page description, a summary of the story), "
    "or a line cut off with '...' or '…' that starts like a line above",
)
def repeated_text(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """Compares each kept line with the kept lines above it, so that of two copies the
    first stays. A copy holds ``min_share`` of its four-word sequences in lines above,
    at least three of them from each of ``min_sources`` lines or more: a sentence repeated
    on its own, as interviews repeat their questions, stays.

    Counting sequences means tokenizing every line above, so it is done only for a line
    whose first sentences (of four words or more) are found word for word in two lines
    above: most pages have none, and a copy of the story starts like the story.
    """
    text, lines = ctx.text, ctx.lines
    starts = [ln.start for ln in lines]
    taken: set[int] = set()
    indexed = 0  # lines above this one are in `first`

    def kept_lines_with(needle: str, end: int) -> Iterator[Line]:
        """The kept lines above ``end`` (a line's start) holding ``needle``, top down."""
        for i in holding.above(needle, end):
            if ctx.kept(i) and i not in taken:
                yield lines[i]

    def grams(line: Line) -> list[tuple[str, ...]]:
        words = TOKEN.findall(line.text.casefold())
        return [tuple(words[k : k + 4]) for k in range(len(words) - 3)]

    min_words, min_sources = p["min_words"], p["min_sources"]
    heads = {ln.text.strip()[:_COPY_HEAD] for ln in ctx.content() if ln.words >= min_words}
    seen_at = first_seen(text, heads)

    def starts_above(ln: Line) -> bool:
        """Whether the line is long and starts like something above it: only such a line
        is compared sequence by sequence."""
        head = ln.text.strip()[:_COPY_HEAD]
        return ln.words >= min_words and seen_at[head] + len(head) <= ln.start

    # Each four-word sequence of a line that may be compared: the line it first appeared in
    # (None until it does). Only those sequences are kept: all of a long text's took some
    # 16 times its size (a 10 MB text's 900,000 sequences, 160 MiB), a tenth of them do.
    first: dict[tuple[str, ...], int | None] = {}
    # Every string that may be looked for in the lines above: the part before a cut-off
    # line's ellipsis, and the first sentences of a line that starts like something above.
    needles: set[str] = set()
    for ln in ctx.content():
        prefix = cut_off(ln.text)
        if prefix is not None and len(prefix) >= p["min_chars"]:
            needles.add(prefix)
        if starts_above(ln):
            first.update(dict.fromkeys(grams(ln)))
            needles.update(_parts(ln.text.strip()))
    holding = _Holding(text, lines, starts, needles)
    for ln in ctx.content():
        prefix = cut_off(ln.text)
        if (
            prefix is not None
            and len(prefix) >= p["min_chars"]
            and any(continues(other, prefix) for other in kept_lines_with(prefix, ln.start))
        ):
            taken.add(ln.index)
            yield ln.index
            continue
        if not starts_above(ln):
            continue  # the usual case: a line that does not start like anything above
        t = ln.text.strip()
        found: set[int] = set()  # lines above holding its first sentences
        for part in _parts(t):
            line = next(kept_lines_with(part, ln.start), None)
            if line is None:
                break  # the usual case: a sentence of its own
            found.add(line.index)
            if len(found) >= min_sources:
                break
        if len(found) < min_sources:
            continue
        for above in lines[indexed : ln.index]:
            if not above.blank and ctx.kept(above.index) and above.index not in taken:
                for g in grams(above):
                    if g in first and first[g] is None:
                        first[g] = above.index
        indexed = ln.index
        mine = grams(ln)
        sources = Counter(i for g in mine if (i := first[g]) is not None)
        drawn = sum(n >= 3 for n in sources.values())  # lines it draws on
        if sum(sources.values()) >= p["min_share"] * len(mine) and drawn >= min_sources:
            taken.add(ln.index)
            yield ln.index


def _parts(line: str) -> Iterator[str]:
    """The sentences and clauses of a line of four words or more, in order."""
    return (part for part in _CLAUSE_BREAK.splititer(line) if len(part.split()) >= 4)


class _Holding:
    """The lines holding each string asked for (one without line breaks), found once.

    The lines are asked for top down: a later question about the same string goes on from
    where the last search stopped. Asked afresh each time, a page's lines repeated through a
    long text (a site's furniture on each of its pages) made the text's time grow with the
    square of its length. In a long text, every string that may be asked for (``needles``)
    is found in one pass first: searched for one by one, each from the top, the sentences
    of the lines compared still made a 10 MB text's time grow with its square (12 of its
    20 seconds).
    """

    def __init__(self, text: str, lines: list[Line], starts: list[int], needles: Collection[str]) -> None:
        self.text, self.lines, self.starts = text, lines, starts
        self.found: dict[str, list[int]] = {}  # the lines holding it found so far, in order
        self.searched: dict[str, int] = {}  # where the search for it goes on
        if _ahocorasick is not None and len(text) >= _SEARCH_EACH_BELOW and needles:
            self._find_all(needles)

    def _find_all(self, needles: Collection[str]) -> None:
        """Every line holding each of ``needles``, in one pass over the text."""
        found: dict[str, list[int]] = {needle: [] for needle in needles}
        starts = self.starts
        for start, needle in _occurrences(self.text, needles):
            i = bisect.bisect_right(starts, start) - 1
            held = found[needle]
            if not held or held[-1] != i:
                held.append(i)
        self.found = found
        self.searched = dict.fromkeys(needles, len(self.text))

    def above(self, needle: str, end: int) -> Iterator[int]:
        """The lines holding ``needle`` above ``end``, a line's start, in order."""
        found = self.found.setdefault(needle, [])
        for i in found:
            if self.starts[i] >= end:
                return
            yield i
        pos = self.text.find(needle, self.searched.get(needle, 0), end)
        while pos >= 0:
            i = bisect.bisect_right(self.starts, pos) - 1
            found.append(i)
            self.searched[needle] = self.lines[i].stop
            yield i
            pos = self.text.find(needle, self.lines[i].stop, end)
        # None starts before ``end`` now: a string without line breaks that ends below it
        # lies in a line below it.
        self.searched[needle] = max(self.searched.get(needle, 0), end)


def first_seen(text: str, needles: Collection[str]) -> dict[str, int]:
    """Where each of ``needles``, substrings of ``text``, first occurs in it.

    All of them are found in one pass over the text (Aho–Corasick): a search from the start
    of the text for each long line's head made a long document's time grow with the square
    of its length (a 2 MB text spent half its time there, a 10 MB one would spend a minute).
    """
    if _ahocorasick is None or len(text) < _SEARCH_EACH_BELOW or not needles:
        return {needle: text.find(needle) for needle in needles}
    first: dict[str, int] = {}
    for start, needle in _occurrences(text, needles):
        if needle not in first:
            first[needle] = start
            if len(first) == len(needles):
                break
    return first


def _occurrences(text: str, needles: Collection[str]) -> Iterator[tuple[int, str]]:
    """Where each of ``needles`` occurs in ``text``, as (start, needle), every occurrence,
    each needle's in order: one Aho–Corasick pass over the text.

    The automaton holds only each needle's first ``_KEY_CHARS`` characters, and a needle is
    checked whole where they occur: holding the whole sentences of a 10 MB text took 20 MiB,
    and its long lines' heads (24 characters each) 5 MiB more than their first 12 do.
    """
    by_key: dict[str, list[str]] = {}
    for needle in needles:
        by_key.setdefault(needle[:_KEY_CHARS], []).append(needle)
    automaton = _ahocorasick.Automaton()
    for key, group in by_key.items():
        automaton.add_word(key, (len(key), group))
    automaton.make_automaton()
    for end, (length, group) in automaton.iter(text):
        start = end - length + 1
        for needle in group:
            if len(needle) == length or text.startswith(needle, start):
                yield start, needle


_KEY_CHARS = 12


@register(
    "repeated-headline",
    rank=40,
    params={
        "head_lines": Param(int, 25, "how many non-blank lines at the top count as the head"),
        "min_words": Param(int, 3, "the least words of the repeated line"),
    },
    summary="the last line left repeats a line from the head of the document",
)
def repeated_headline(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The last line left, when it repeats (case and spaces aside) a line of the head: a
    page's title printed again under the story."""
    last = None
    for ln in ctx.content():
        last = ln
    if last is None or last.words < p["min_words"]:
        return
    key = normalise(last.text)
    limit = min(ctx.head_limit(p["head_lines"]), last.index)
    if any(not ln.blank and normalise(ln.text) == key for ln in ctx.lines[:limit]):
        yield last.index


@register(
    "repeated-run",
    rank=36,
    params={
        "min_lines": Param(int, 2, "the least lines with words a repeated run has"),
        "min_words": Param(int, 30, "the least words a repeated run has"),
    },
    summary="a later copy of a run of lines the text already holds (a page laid out twice, an "
    "article an extractor gave twice)",
)
def repeated_run(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The kept lines are compared by their case-folded words; a run of ``min_lines`` or
    more of them with ``min_words`` words or more that repeats an earlier run goes, the
    first copy stays. Lines without words inside a copy go with it. A single repeated line
    (a refrain, a label printed twice) stays: that is ``repeated-text``'s or the rules' to
    judge."""
    kept = list(ctx.content())
    for a, b in repeated_runs([ln.text for ln in kept], p["min_lines"], p["min_words"]):
        yield from (ln.index for ln in kept[a:b])
