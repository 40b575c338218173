"""The line model: ``\\r\\n``, ``\\r`` and ``\\n`` each end a line, nothing else does."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Only these three end a line: U+2028, U+0085, form feed and vertical tab are text.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"\w+")


class Line:
    """One line of a text. ``blank`` and ``words`` are worked out once, by :func:`split_lines`.

    Read-only by convention: a plain class with slots, as one is built for every line of
    every document and a frozen dataclass takes several times as long to build.
    """

    __slots__ = ("index", "start", "end", "stop", "text", "blank", "words")

    def __init__(
        self, index: int, start: int, end: int, stop: int, text: str, blank: bool, words: int
    ) -> None:
        self.index = index
        self.start = start  # first code point of the line
        self.end = end  # end of the content, before the line break
        self.stop = stop  # end including the line break
        self.text = text  # the content, without the line break
        # Derived from ``text``: whether the content is empty or all whitespace, and how
        # many ``\w+`` words it holds. Heuristics and rules ask for them many times per line.
        self.blank = blank
        self.words = words

    def __repr__(self) -> str:
        where = f"index={self.index}, start={self.start}, end={self.end}, stop={self.stop}"
        return f"Line({where}, text={self.text!r})"


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    find_words = _WORD.findall
    breaks = [m.span() for m in LINE_BREAK.finditer(text)]
    if (breaks[-1][1] if breaks else 0) < len(text):
        breaks.append((len(text), len(text)))  # the last line, which has no line break
    pos = 0
    for end, stop in breaks:
        content = text[pos:end]
        lines.append(Line(len(lines), pos, end, stop, content, not content.strip(), len(find_words(content))))
        pos = stop
    return lines


def normalise(line: str) -> str:
    """The comparison key of a line: case-folded, whitespace collapsed."""
    return " ".join(line.split()).casefold()


# Decoration around a label that does not change what it says: "Read more:", "» Related",
# "• Share", "You Might Also Like …", "Continue reading...".
_DECORATION = " \t:|•·»«›‹*#>-–—_=~.…"


def phrase_key(line: str, *, fold: bool = True) -> str:
    """The key a whole-line phrase is looked up by: spaces collapsed, decoration stripped."""
    key = " ".join(line.split()).strip(_DECORATION)
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
