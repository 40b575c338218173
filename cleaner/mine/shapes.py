"""What makes two lines the same line: the key a line is counted by, and the pattern a key becomes.

Two lines are the same when they are equal once case, runs of whitespace and the decoration
around them (``» Home |``) are set aside, as whole-line phrase rules compare them, and once
the numbers and dates in them are set aside too: ``Posted 3 hours ago`` and ``Posted 5 days
ago``, ``© 2012 Example Inc.`` and ``© 2013 Example Inc.`` are one line. A line is cut into
segments, literal text and the parts that vary (a number, a month or weekday name next to
a number, a unit of time after a number); its key is the literal text case-folded with a tag
for each varying part, and its pattern is the literal text escaped with a class for each.

The calendar words are English only: a line with a French month name varies as a phrase
list of the lines seen, not as a pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..lines import _DECORATION, phrase_key

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?)"

# One varying part of a line. Month and weekday names vary only next to a number (``May 3``,
# ``3 May``, ``Tuesday, May 3``), so that ``You may also like`` stays literal; a unit of time
# varies after a number (``3 hours``), and ``am``/``pm`` after a time.
_VARYING = regex.compile(
    rf"""
    (?P<day>\b{_DAY}\b\.?(?=,?\s+(?:{_MONTH}\b|\d)))
  | (?P<month>\b{_MONTH}\b\.?(?=,?\s*\d)|(?<=\d\s+(?:of\s+)?)\b{_MONTH}\b\.?)
  | (?P<unit>(?<=\d\s*)\b{_UNIT}\b)
  | (?P<ampm>(?<=\d\s*)\b[ap]\.?m\b\.?)
  | (?P<ord>\d+(?:st|nd|rd|th)\b)
  | (?P<num>\d+)
    """,
    regex.IGNORECASE | regex.VERBOSE | regex.V0,
)

# What each kind of varying part becomes in a pattern, and in a key.
CLASSES = {
    "num": r"\d+",
    "ord": r"\d+(?:st|nd|rd|th)",
    "month": r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?",
    "day": r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?",
    "unit": r"(?:sec|min|hour|hr|day|week|month|year|yr)[a-z]*",
    "ampm": r"[ap]\.?m\b\.?",
}
_TAG = {"num": "\x01", "ord": "\x06", "month": "\x02", "day": "\x03", "unit": "\x04", "ampm": "\x05"}
_WORD = regex.compile(r"\p{L}{3,}")
_LETTER = regex.compile(r"\p{L}")
# Decoration around a line, as whole-line phrase matching strips it (``lines.phrase_key``).
DECORATION_CLASS = "[\\s" + "".join("\\" + c if c in "\\]^-[" else c for c in _DECORATION.strip()) + "]*"


@dataclass(frozen=True, slots=True)
class Shape:
    """A line cut into literal text and varying parts: ``("lit", "Posted "), ("num", "3")…``.

    ``key`` is what lines are counted by; ``varies`` whether any part varies.
    """

    segments: tuple[tuple[str, str], ...]
    key: str

    @property
    def varies(self) -> bool:
        return any(kind != "lit" for kind, _ in self.segments)

    @property
    def literal(self) -> str:
        return "".join(text for kind, text in self.segments if kind == "lit")

    def pattern_body(self) -> str:
        """The line as a regex, without anchors or decoration: literals escaped (spaces as
        ``\\s+``) and a class for each varying part. Linear: no quantified group holds a
        quantifier."""
        out: list[str] = []
        for kind, text in self.segments:
            if kind != "lit":
                out.append(CLASSES[kind])
                continue
            parts = text.split(" ")
            out.append(r"\s+".join(regex.escape(p, special_only=True) for p in parts))
        return "".join(out)


def shape_of(line: str) -> Shape | None:
    """The shape of a line, or None when nothing is left once decoration is stripped or the
    line holds no letter (a bare number is no evidence of anything)."""
    text = phrase_key(line, fold=False)
    if not text or not _LETTER.search(text):
        return None
    segments: list[tuple[str, str]] = []
    pos = 0
    for m in _VARYING.finditer(text):
        if m.start() > pos:
            segments.append(("lit", text[pos : m.start()]))
        segments.append((m.lastgroup or "num", m.group()))
        pos = m.end()
    if pos < len(text):
        segments.append(("lit", text[pos:]))
    key = "".join(t.casefold() if kind == "lit" else _TAG[kind] for kind, t in segments)
    return Shape(tuple(segments), key)


def safe_to_vary(shape: Shape) -> bool:
    """Whether a varying line may become one pattern: its literal text must hold a word of
    three letters or more (``Posted``, ``Comments``). A line that is only a date, or a
    number and a short word (``1 of 12``), would match too much: its variants stay a list."""
    return _WORD.search(shape.literal) is not None


def is_date_only(shape: Shape) -> bool:
    """A line that is only a date or time (``July 23, 2012``): no literal letter at all."""
    return shape.varies and not _LETTER.search(shape.literal)
