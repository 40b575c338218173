"""Mojibake repair: text whose UTF-8 bytes were once read as Latin-1 or Windows-1252.

Such text ("isnâ€™t", "Ð¢ÐµÐºÑÑ") is valid in every encoding sense, so decoding cannot
catch it; it is the pages' own text gone wrong on the way. ``ftfy`` finds and undoes it, and
says how as a plan (``[("encode", "latin-1"), ("decode", "utf-8")]``) that
``ftfy.apply_plan`` replays on the same input. The repair is opt-in
(``Cleaner(repair_mojibake=True)``, ``--repair-mojibake``): it changes characters outside
the removed spans, so a repaired document's spans index the repaired text, whose plan and
SHA-256 its record keeps.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .lines import LINE_BREAK

Plan = tuple[tuple[str, str], ...]

# The signature of the damage: a UTF-8 lead byte read as Latin-1 (Â..ô), then a continuation
# byte read as Latin-1 (C1 controls, NBSP..¿) or Windows-1252 (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ”
# • – — ˜ ™ š › œ ž Ÿ). Text without it is never handed to ftfy, which is slow by comparison;
# text with it (a French "é’" can look so) is only repaired when ftfy finds it bad.
_SUSPECT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
    "\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153"
    "\u017e\u0178]"
)


def suspect(text: str) -> bool:
    """Whether ``text`` holds a sequence that mojibake of UTF-8 would leave (cheap; may be wrong)."""
    return _SUSPECT.search(text) is not None


class Repair(NamedTuple):
    """A text after ``repair_mojibake``: ``plan`` is empty when nothing was repaired, and
    ``error`` says why ftfy could not repair it (the text is then left as it is)."""

    text: str
    plan: Plan = ()
    error: str | None = None


def repair_mojibake(text: str) -> Repair:
    """The repaired text and ftfy's plan, or the text as it is with no plan.

    A repair that would change where lines break is refused (the text comes back as it is):
    line rules and the report's whole-line spans rely on the lines being the input's.
    """
    if not suspect(text):
        return Repair(text)
    import ftfy  # imported here: start-up pays for it only when a text looks damaged

    try:
        fixed, steps = ftfy.fix_encoding_and_explain(text)
    except (UnicodeError, ValueError) as e:
        return Repair(text, error=str(e))
    if fixed == text or not steps or LINE_BREAK.findall(fixed) != LINE_BREAK.findall(text):
        return Repair(text)
    return Repair(fixed, tuple((str(action), str(param)) for action, param in steps))
