"""The line model: ``\\r\\n``, ``\\r`` and ``\\n`` each end a line, nothing else does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate, count
from operator import add

# Only these three end a line: U+2028, U+0085, form feed and vertical tab are text.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"\w+")


class Line:
    """One line of a text. ``blank`` and ``words`` are worked out once, by :func:`split_lines`.

    Read-only by convention: a plain class with slots, as one is built for every line of
    every document and a frozen dataclass takes several times as long to build.
    """

    __slots__ = ("index", "start", "stop", "text", "blank", "words")

    def __init__(self, index: int, start: int, stop: int, text: str, blank: bool, words: int) -> None:
        self.index = index
        self.start = start  # first code point of the line
        self.stop = stop  # end including the line break
        self.text = text  # the content, without the line break
        # Derived from ``text``: whether the content is empty or all whitespace, and how
        # many ``\w+`` words it holds. Heuristics and rules ask for them many times per line.
        self.blank = blank
        self.words = words

    @property
    def end(self) -> int:
        """End of the content, before the line break. Worked out when asked for: held, its
        int took a tenth of a long text's lines (and few ask)."""
        return self.start + len(self.text)

    def __repr__(self) -> str:
        where = f"index={self.index}, start={self.start}, end={self.end}, stop={self.stop}"
        return f"Line({where}, text={self.text!r})"


def split_lines(text: str) -> list[Line]:
    """The lines of ``text``, each with its offsets and features.

    Built a column at a time, each column one pass mapped over all the lines: building the
    lines one by one in a loop took about a fifth longer on the development pages.
    """
    contents, widths = _split(text)
    stops = list(accumulate(map(add, map(len, contents), widths)))
    starts = [0, *stops]
    starts.pop()
    blank = [not c.strip() for c in contents]
    words = _word_counts(contents)
    return list(map(Line, count(), starts, stops, contents, blank, words))


def _split(text: str) -> tuple[list[str], list[int]]:
    """Each line's content, and the length of the line break after it (0 for a last line
    that has none)."""
    if "\r" in text:
        contents = LINE_BREAK.split(text)
        widths = [*map(len, LINE_BREAK.findall(text)), 0]
    else:
        contents = text.split("\n")
        widths = [1] * len(contents)
        widths[-1] = 0
    if not contents[-1]:  # the text ends with a line break, or is empty: no line follows
        contents.pop()
        widths.pop()
    return contents, widths


# Longer lines are dealt with without a list of their words, which takes ten times the
# line's size (a 20 MB line held about 300 MB more at once).
LONG_LINE = 100_000
# Whitespace that collapsing changes: a run of two or more, or one that is not a space.
_UNEVEN_SPACE = re.compile(r"\s{2,}|[^\S ]")


def collapse_spaces(text: str) -> str:
    """``" ".join(text.split())``: each run of whitespace one space, none at the ends."""
    if len(text) < LONG_LINE:
        return " ".join(text.split())
    return _UNEVEN_SPACE.sub(" ", text).strip()


def _word_counts(contents: list[str]) -> list[int]:
    """How many ``\\w+`` words each line holds.

    Counted a block of lines at a time: a count mapped over all the lines of a long text is
    one call that signals wait for (a second Ctrl-C, 50 ms after the first, arrived while
    the first still waited in a 4 MiB text, and was lost).
    """
    counts: list[int] = []
    for k in range(0, len(contents), _BLOCK):
        block = contents[k : k + _BLOCK]
        if max(map(len, block)) < LONG_LINE:
            counts += map(len, map(_WORD.findall, block))
        else:
            counts += (len(_WORD.findall(c)) if len(c) < LONG_LINE else _WORD.subn("", c)[1] for c in block)
    return counts


_BLOCK = 2048  # lines


def normalise(line: str) -> str:
    """The comparison key of a line: case-folded, whitespace collapsed."""
    return collapse_spaces(line).casefold()


# Decoration around a label that does not change what it says: "Read more:", "» Related",
# "• Share", "You Might Also Like …", "Continue reading...".
_DECORATION = " \t:|•·»«›‹*#>-–—_=~.…"


def phrase_key(line: str, *, fold: bool = True) -> str:
    """The key a whole-line phrase is looked up by: spaces collapsed, decoration stripped."""
    key = collapse_spaces(line).strip(_DECORATION)
    return key.casefold() if fold else key


def word_count(text: str) -> int:
    """How many ``\\w+`` words ``text`` holds."""
    return len(_WORD.findall(text))


def repeated_runs(texts: Sequence[str], min_lines: int, min_words: int) -> list[tuple[int, int]]:
    """The later copies of runs of lines that ``texts`` (a document's lines) already holds,
    as ``[first, last + 1)`` index ranges, in order.

    Lines are compared by their case-folded words; lines without words neither count nor
    break a run, and go with a copy they stand inside. A run counts when it has
    ``min_lines`` lines with words and ``min_words`` words or more: a page laid out twice
    (once for each screen size), a post quoted whole. A single repeated line stays.
    """
    at = [k for k, text in enumerate(texts) if _WORD.search(text)]
    keys = [" ".join(_WORD.findall(texts[k].casefold())) for k in at]
    first: dict[str, int] = {}
    out: list[tuple[int, int]] = []
    j = 0
    while j < len(keys):
        i = first.get(keys[j])
        if i is not None:
            n = words = 0
            while j + n < len(keys) and i + n < j and keys[i + n] == keys[j + n]:
                words += keys[j + n].count(" ") + 1
                n += 1
            if n >= min_lines and words >= min_words:
                out.append((at[j], at[j + n - 1] + 1))
                j += n
                continue
        first.setdefault(keys[j], j)
        j += 1
    return out
