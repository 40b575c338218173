"""What a line reads as, for the heuristics: a sentence's end, prose, a cut-off teaser."""

from __future__ import annotations

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
