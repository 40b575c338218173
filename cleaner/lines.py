"""The line model: ``\\r\\n``, ``\\r`` and ``\\n`` each end a line, nothing else does."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Only these three end a line: U+2028, U+0085, form feed and vertical tab are text.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a text. ``blank`` and ``words`` are worked out once, by :func:`split_lines`."""

    index: int
    start: int  # first code point of the line
    end: int  # end of the content, before the line break
    stop: int  # end including the line break
    text: str  # the content, without the line break
    # Derived from ``text``, so left out of equality and repr: whether the content is empty
    # or all whitespace, and how many ``\w+`` words it holds. Heuristics and rules ask for
    # them many times per line.
    blank: bool = field(repr=False, compare=False)
    words: int = field(repr=False, compare=False)


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


# Decoration around a label that does not change what it says: "Read more:", "» Related", "• Share".
_DECORATION = " \t:|•·»«›‹*#>-–—_=~"


def phrase_key(line: str, *, fold: bool = True) -> str:
    """The key a whole-line phrase is looked up by: spaces collapsed, decoration stripped."""
    key = " ".join(line.split()).strip(_DECORATION)
    return key.casefold() if fold else key


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
