"""Frozen result types shared by every part of the pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """What kind of noise a rule removes. The value is what rule files and reports use."""

    DONATION = "donation"
    CREDIT = "credit"
    NAVIGATION = "navigation"
    PLAYER = "player"
    SPONSORED = "sponsored"
    RELATED = "related"
    COPYRIGHT = "copyright"
    METADATA = "metadata"
    NEWSLETTER = "newsletter"
    SHARE = "share"
    COOKIE = "cookie"
    PAYWALL = "paywall"
    AUTHOR = "author"
    COMMENTS = "comments"
    BOILERPLATE = "boilerplate"
    WHITESPACE = "whitespace"


class Zone(StrEnum):
    """Where in a document a rule may match."""

    HEAD = "head"
    TAIL = "tail"
    ANYWHERE = "anywhere"


@dataclass(frozen=True, slots=True)
class Span:
    """A removed piece of the input: half-open ``[start, end)`` in code points.

    ``rule`` is the rule the overlap policy credits; ``rules`` lists every rule whose
    candidate contributed to the span, the credited one first.
    """

    start: int
    end: int
    rule: str
    category: Category
    text: str
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "rule": self.rule,
            "category": self.category.value,
            "text": self.text,
            "rules": list(self.rules or (self.rule,)),
        }


RULE_TIMEOUT = "rule_timeout"  # the kind of error and warning a time limit gives


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of cleaning one text.

    ``text`` is the clean text and ``spans`` what was cut from the input, sorted and
    non-overlapping. ``error`` (``kind: message``) is set when the document was left
    unchanged on purpose: the time limit ran out (``rule_timeout``), a rule would remove
    too much of it (``guard``) or matched too often (``too_many_matches``).

    ``warnings`` (``kind:detail`` each) say that the document was cleaned, but not by every
    rule that applied: ``rule_timeout:<id>`` names a rule skipped for this document because
    it ran past its share of the time limit. ``unstable`` is ``None`` unless stability was
    checked: then ``True`` when cleaning the clean text again would remove more (or, when
    cleaning until stable, when the pass limit was reached first), else ``False``.

    ``repair`` is empty unless the cleaner repaired mojibake in the input
    (``Cleaner(repair_mojibake=True)``): then it is ftfy's plan, ``source`` is the repaired
    text, and the spans index ``source``, not the input.
    """

    text: str
    spans: tuple[Span, ...] = ()
    error: str | None = None
    shadowed: tuple[Span, ...] = field(default=(), compare=False)
    warnings: tuple[str, ...] = ()
    unstable: bool | None = None
    repair: tuple[tuple[str, str], ...] = ()
    source: str | None = field(default=None, repr=False)

    def restore(self) -> str:
        """Put the removed spans back: gives the input exactly (``source`` when repaired)."""
        return restore(self.text, self.spans)

    @property
    def removed_chars(self) -> int:
        return sum(s.end - s.start for s in self.spans)

    @property
    def skipped(self) -> tuple[str, ...]:
        """Ids of the rules skipped for this document (from ``rule_timeout:<id>`` warnings)."""
        prefix = RULE_TIMEOUT + ":"
        return tuple(w.removeprefix(prefix) for w in self.warnings if w.startswith(prefix))


def restore(clean: str, spans: Iterable[Span]) -> str:
    """Insert ``spans`` (offsets into the original) back into ``clean``."""
    out: list[str] = []
    ci = 0
    prev = 0
    for s in sorted(spans, key=lambda sp: sp.start):
        gap = s.start - prev
        out.append(clean[ci : ci + gap])
        ci += gap
        out.append(s.text)
        prev = s.end
    out.append(clean[ci:])
    return "".join(out)


def delete(original: str, spans: Sequence[Span]) -> str:
    """Cut ``spans`` out of ``original`` (the spans must be sorted and disjoint)."""
    out: list[str] = []
    pos = 0
    for s in spans:
        out.append(original[pos : s.start])
        pos = s.end
    out.append(original[pos:])
    return "".join(out)
