"""The line model: ``\\r\\n``, ``\\r`` and ``\\n`` each end a line, nothing else does."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Only these three end a line: U+2028, U+0085, form feed and vertical tab are text.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Line:
    index: int
    start: int  # first code point of the line
    end: int  # end of the content, before the line break
    stop: int  # end including the line break
    text: str  # the content, without the line break

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for m in LINE_BREAK.finditer(text):
        lines.append(Line(len(lines), pos, m.start(), m.end(), text[pos : m.start()]))
        pos = m.end()
    if pos < len(text):
        lines.append(Line(len(lines), pos, len(text), len(text), text[pos:]))
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
