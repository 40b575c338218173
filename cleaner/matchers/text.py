"""What a line reads as, for the heuristics: a sentence's end, prose, a cut-off teaser."""

from __future__ import annotations

import re

import regex

from ..lines import Line

# Characters that close a sentence; quotes and brackets after them are looked through.
TERMINAL = ".!?…:;,。！？．"
CLOSERS = "\"'”’»)]」』"
# A line's words, as the heuristics count and compare them.
TOKEN = regex.compile(r"\w+", regex.V0)


def ends_sentence(text: str) -> bool:
    core = text.rstrip().rstrip(CLOSERS)
    return bool(core) and core[-1] in TERMINAL


def ends_prose(text: str) -> bool:
    """Whether a line ends the way a sentence of prose does (a full stop, comma, colon or
    semicolon); a title that ends in '?' or '!' does not."""
    core = text.rstrip().rstrip(CLOSERS)
    return not core or core[-1] in ".…:;,。．"


PROSE_WORDS = 8  # a line of this many words that ends a sentence reads as prose
LONG_PROSE_WORDS = 15  # a line this long reads as prose however it ends, if it is running text
PROSE_LOWER = 0.4  # the share of words of running text that start lower-case
_PROSE_END = regex.compile(r"[.!?…。！？]['\"’”»)\]]*\s*$")


def is_prose(text: str) -> bool:
    """Whether a line reads as a paragraph: ``PROSE_WORDS`` words or more ending a sentence,
    or ``LONG_PROSE_WORDS`` words of which at least ``PROSE_LOWER`` start lower-case (as the
    small words of running text do; a list of names and tags is mostly capitals)."""
    words = TOKEN.findall(text)
    if len(words) >= PROSE_WORDS and _PROSE_END.search(text) is not None:
        return True
    lower = sum(w[0].islower() for w in words)
    return len(words) >= LONG_PROSE_WORDS and lower >= PROSE_LOWER * len(words)


def cut_off(text: str) -> str | None:
    """What a line cut off with '...' or '…' holds before the ellipsis; None for other lines."""
    t = text.strip()
    if not t.endswith(("...", "…")):
        return None
    return t.rstrip(".…").rstrip()


def continues(line: Line, prefix: str) -> bool:
    """Whether ``line`` starts with ``prefix`` and goes on after it."""
    t = line.text.strip()
    return len(t) > len(prefix) and t.startswith(prefix)


# Not '|', which joins the parts of page titles ('Design Week 2018 | A light installation').
# A class of listed characters matches the same in either engine; the standard library's
# finds them in a third of the time, on every line of a page.
_SEPARATORS = re.compile(r"[:;,–—\-@()\[\]/•·=+&%$€£]")


def row_shape(text: str) -> tuple[bool, str]:
    """A list row's shape: whether it starts with a digit, and its separators in order of
    first appearance ('June 9 – Tampa, FL @ Arena' and 'June 14 – Cary, NC @ Park' alike)."""
    seen = "".join(dict.fromkeys(_SEPARATORS.findall(text)))
    stripped = text.lstrip()
    return (bool(stripped) and stripped[0].isdigit(), seen)


def rows_alike(shape: tuple[bool, str], base: tuple[bool, str]) -> bool:
    """Whether a row has the shape of the run's first: the same separators, or more after
    them ('June 14 – Cary, NC @ Park (formerly Hall)' in a list of 'June 9 – Tampa, FL @ Arena'),
    or fewer, two at least ('Path B: Slovakia, Ireland' after 'Path A: Iceland, Israel/Hungary';
    a lone '- ' bullet is no such start of a row)."""
    if shape[0] != base[0]:
        return False
    a, b = shape[1], base[1]
    return a == b or (bool(b) and a.startswith(b)) or (len(a) >= 2 and b.startswith(a))
