"""The registry of named heuristics: what a heuristic sees, how it is registered, and the
kinds of its parameters.

A heuristic looks at lines in context, which a pattern cannot do. Each one is registered
with its parameters (kind, default and meaning) so the loader can check them, and a rank:
the pipeline runs rank-0 heuristics beside the pattern rules, and the others afterwards in
rank order, each seeing what was removed before it. A heuristic returns the indices of the
lines it removes; the pipeline reports each one as a span under the rule that named it.

Knowledge such as phrases, names and patterns reaches a heuristic only through its
parameters, which rule files set; a parameter's default is neutral where it is knowledge
(an empty list, no pattern) and a measured value where it is a threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..lines import Line


@dataclass
class Context:
    """What a heuristic may look at: the lines, and which are already removed (and why)."""

    text: str
    lines: list[Line]
    removed_by: list[str | None]  # id of the rule that removed the whole line
    category_of: list[str | None]  # its category value
    # The lines holding one of the running heuristic's literals (its prepared ``_literals``:
    # a line without any cannot hit), or None when it declares none.
    literal_lines: Collection[int] | None = None
    # What the page is: "article", "page", or None when not known (plain text). A heuristic
    # that judges the whole page may settle it ("page": whole-page text that shows no
    # article); the rules for articles (``kinds = ["article"]``) that follow then leave it.
    kind: str | None = None
    # The ids of the rules ``cleaner mine`` wrote (``mined``): what they remove is theirs
    # alone, not evidence a whole-page heuristic may take more of a story on.
    mined: Collection[str] = frozenset()

    def kept(self, i: int) -> bool:
        return self.removed_by[i] is None

    def content(self) -> Iterator[Line]:
        """Non-blank lines still kept, in order."""
        return (ln for ln in self.lines if not ln.blank and self.removed_by[ln.index] is None)

    def head_limit(self, n: int) -> int:
        """Index one past the ``n``-th non-blank line."""
        seen = 0
        for ln in self.lines:
            if not ln.blank:
                seen += 1
                if seen == n:
                    return ln.index + 1
        return len(self.lines)

    def tail_start(self, n: int) -> int:
        """Index of the ``n``-th non-blank line counted from the end."""
        seen = 0
        for ln in reversed(self.lines):
            if not ln.blank:
                seen += 1
                if seen == n:
                    return ln.index
        return 0

    def groups(self) -> list[list[Line]]:
        """Runs of non-blank lines separated by blank lines."""
        out: list[list[Line]] = []
        cur: list[Line] = []
        for ln in self.lines:
            if ln.blank:
                if cur:
                    out.append(cur)
                    cur = []
            else:
                cur.append(ln)
        if cur:
            out.append(cur)
        return out


Heuristic = Callable[[Context, Mapping[str, Any]], Iterable[int]]


class Regex:
    """The kind of a parameter that holds a regular expression: a string in the rule file,
    compiled once when the rule is loaded and handed to the heuristic as ``_<name>`` (None
    for an empty string). A pattern that does not compile is a problem of that parameter."""


class RuleIds:
    """The kind of a parameter that lists rule ids (a non-empty list of strings): the loader
    checks that a loaded rule has each of them."""


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a heuristic: its kind (``int``, ``float``, ``bool``, ``str``,
    ``list`` of strings, ``Regex`` or ``RuleIds``), its default (None: the rule must set
    it) and what it means, for the generated reference (``docs/heuristics.md``)."""

    kind: type
    default: Any
    help: str


@dataclass(frozen=True)
class HeuristicSpec:
    """A registered heuristic. ``prepare`` turns checked parameter values into what the
    heuristic reads (compiled patterns, word sets), once, when the rule is loaded; it
    raises ``ValueError`` for values that do not work together."""

    name: str
    func: Heuristic
    params: Mapping[str, Param]
    rank: int
    summary: str
    family: str
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None)
    # What the heuristic reads once per process and keeps (given its prepared parameters),
    # read ahead before a run forks its workers, so that they share it.
    load: Callable[[Mapping[str, Any]], object] | None = field(default=None)

    @property
    def doc(self) -> str:
        """The heuristic's own description: its function's docstring."""
        return self.func.__doc__ or ""


HEURISTICS: dict[str, HeuristicSpec] = {}


def register(
    name: str,
    *,
    rank: int,
    params: Mapping[str, Param],
    summary: str,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    load: Callable[[Mapping[str, Any]], object] | None = None,
) -> Callable[[Heuristic], Heuristic]:
    """Register the decorated function as the heuristic ``name``; its family is its module."""

    def wrap(func: Heuristic) -> Heuristic:
        family = func.__module__.rsplit(".", 1)[-1]
        HEURISTICS[name] = HeuristicSpec(name, func, params, rank, summary, family, prepare, load)
        return func

    return wrap
