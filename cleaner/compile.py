"""Rules → one matching plan, compiled once and reused for every document.

Line rules that share a scope are merged: whole-line phrases become one dictionary keyed
by the normalised line, and line regexes and inline phrases become one alternation, so a
document is matched line by line with one lookup and one or two regex searches per line,
whatever the number of rules. Span regexes, blocks and heuristics keep one entry each.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import regex

from .lines import phrase_key
from .matchers import HEURISTICS, HeuristicSpec
from .model import Zone
from .prefilter import (
    DIGIT,
    Prefilter,
    Requirement,
    anchored,
    counted,
    required_literals,
    required_literals_per_line,
)
from .schema import Extent, Kind, Rule, compile_pattern, expand_line_breaks

DEFAULT_ZONE_LINES = 25

_LEADING_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")
_INLINE_FLAGS = re.compile(r"(?<!\\)\(\?[aiLmsuxV01]+\)")
_NEEDS_OWN_GROUPS = re.compile(r"\\[1-9]|\(\?P?=|\\g<|\(\?P?<(?![=!])|\(\?'")


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a set of rules applies: the same for every rule merged into one group."""

    sites: tuple[str, ...]
    requires: tuple[str, ...]
    formats: tuple[str, ...]
    kinds: tuple[str, ...]
    zone: Zone
    zone_lines: int
    max_words: int | None

    @classmethod
    def of(cls, rule: Rule) -> Scope:
        lines = rule.zone_lines or DEFAULT_ZONE_LINES
        return cls(
            rule.sites,
            rule.requires,
            rule.formats,
            rule.kinds,
            rule.zone,
            lines if rule.zone is not Zone.ANYWHERE else 0,
            rule.max_words,
        )


@dataclass
class LineGroup:
    """Merged line rules of one scope."""

    scope: Scope
    whole: dict[str, list[Rule]] = field(default_factory=dict)  # normalised line -> rules
    whole_exact: dict[str, list[Rule]] = field(default_factory=dict)  # case-sensitive phrases
    line_rules: list[Rule] = field(default_factory=list)  # combined, remove the line
    match_rules: list[Rule] = field(default_factory=list)  # combined, remove the match
    line_alts: list[str] = field(default_factory=list)  # each line rule's alternative
    match_alts: list[str] = field(default_factory=list)  # each match rule's alternative
    line_regex: regex.Pattern[str] | None = None
    match_regex: regex.Pattern[str] | None = None
    # Each merged line rule on its own, to credit every rule that matches a line the
    # alternation found (an alternation reports only its first matching branch).
    line_each: list[regex.Pattern[str]] = field(default_factory=list)
    # The prefilter: the unit whose lines may hold a match of a member with literals (None
    # when no member has any), and the alternation of the members without literals, which
    # is all that can match on the other lines (None when every member has literals).
    line_unit: int | None = None
    match_unit: int | None = None
    # Each line member's own unit (None for a member without literals, or without the
    # prefilter): on a line holding the literals of only some members, only they run.
    line_units: list[int | None] = field(default_factory=list)
    line_free: regex.Pattern[str] | None = None
    line_free_ids: list[int] = field(default_factory=list)
    match_free: regex.Pattern[str] | None = None
    # Which line members can only match at the start of a line (then ``match`` does the
    # work of ``search`` in a fraction of the time), and whether all of them (or all the
    # free ones) are.
    line_anchored: list[bool] = field(default_factory=list)
    all_anchored: bool = False
    free_anchored: bool = False

    def build(self, prefilter: Prefilter | None = None) -> None:
        """Compile the alternations from the members' alternatives.

        With ``prefilter``, register the members' literals with it; a group rebuilt
        without some members keeps its units, whose lines are then a superset.
        """
        self.line_regex = _combine(self.line_alts) if self.line_alts else None
        members = zip(self.line_rules, self.line_alts, strict=True)
        self.line_each = [_own_pattern(rule, alt) for rule, alt in members]
        self.match_regex = _combine(self.match_alts) if self.match_alts else None
        line_reqs = [required_literals_per_line(alt) for alt in self.line_alts]
        match_reqs = [required_literals_per_line(alt) for alt in self.match_alts]
        if prefilter is not None:
            self.line_unit = _register(prefilter, line_reqs)
            self.match_unit = _register(prefilter, match_reqs)
            if self.line_unit is not None:
                self.line_units = [prefilter.add(req) if req is not None else None for req in line_reqs]
        self.line_free_ids = [k for k, req in enumerate(line_reqs) if req is None or self.line_unit is None]
        self.line_free = _combine(self.line_alts, self.line_free_ids) if self.line_free_ids else None
        match_free = [k for k, req in enumerate(match_reqs) if req is None or self.match_unit is None]
        self.match_free = _combine(self.match_alts, match_free) if match_free else None
        self.line_anchored = [anchored(alt) for alt in self.line_alts]
        self.all_anchored = all(self.line_anchored)
        self.free_anchored = all(self.line_anchored[k] for k in self.line_free_ids)

    @property
    def empty(self) -> bool:
        return not (self.whole or self.whole_exact or self.line_alts or self.match_alts)

    def without(self, ids: set[str]) -> LineGroup:
        """The group less the rules ``ids`` (skipped for one document), recompiled.

        Only regex members can be left out: the whole-line dictionaries never time out.
        """
        keep_line = [k for k, r in enumerate(self.line_rules) if r.id not in ids]
        keep_match = [k for k, r in enumerate(self.match_rules) if r.id not in ids]
        reduced = replace(
            self,
            line_rules=[self.line_rules[k] for k in keep_line],
            line_alts=[self.line_alts[k] for k in keep_line],
            line_units=[self.line_units[k] for k in keep_line] if self.line_units else [],
            match_rules=[self.match_rules[k] for k in keep_match],
            match_alts=[self.match_alts[k] for k in keep_match],
        )
        reduced.build()
        return reduced


@dataclass(frozen=True)
class Solo:
    """A rule matched on its own: span regexes, blocks and uncombinable line regexes.

    ``unit`` is its prefilter unit (the lines its pattern can match on), None when the
    pattern has no literals.
    """

    rule: Rule
    pattern: regex.Pattern[str] | None = None
    end: regex.Pattern[str] | None = None
    unit: int | None = None


@dataclass(frozen=True)
class HeuristicEntry:
    rule: Rule
    spec: HeuristicSpec
    unit: int | None = None  # prefilter unit of the literals it declares (``_literals``)


@dataclass
class Plan:
    rules: tuple[Rule, ...]
    by_id: dict[str, Rule]
    line_groups: list[LineGroup]
    solo_lines: list[Solo]  # line regexes that cannot share an alternation
    spans: list[Solo]
    blocks: list[Solo]
    heuristics: list[HeuristicEntry]  # sorted by rank, then rule order
    prefilter: Prefilter

    @functools.cached_property
    def phrase_keys(self) -> frozenset[str]:
        """Every key the merged groups look whole lines up by (case-folded)."""
        return frozenset(key for group in self.line_groups for key in group.whole)

    @functools.cached_property
    def mined_ids(self) -> frozenset[str]:
        """The ids of the rules ``cleaner mine`` wrote that no one has kept yet (``mined``)."""
        return frozenset(r.id for r in self.rules if r.mined)


def _alternative(rule: Rule, pattern: str) -> str | None:
    """The rule's pattern as a self-contained alternative, or None if it cannot be merged."""
    pattern = expand_line_breaks(pattern)
    flags = "i" if rule.ignore_case else ""
    m = _LEADING_FLAGS.match(pattern)
    if m:
        if set(m.group(1)) - set("imsx"):
            return None
        flags += m.group(1)
        pattern = pattern[m.end() :]
    if _INLINE_FLAGS.search(pattern) or _NEEDS_OWN_GROUPS.search(pattern):
        return None
    flags = "".join(sorted(set(flags)))
    return f"(?{flags}:{pattern})" if flags else f"(?:{pattern})"


def _own_pattern(rule: Rule, alt: str) -> regex.Pattern[str]:
    """A group member's alternative compiled on its own.

    A ``line`` rule's alternative means what its pattern means, and its pattern was compiled
    when the rule was loaded: ``regex`` keeps the compiled patterns of recent calls, so the
    same call again costs a look-up instead of a parse.
    """
    if rule.kind is Kind.LINE and rule.pattern is not None:
        return compile_pattern(rule.pattern, rule.ignore_case)
    return regex.compile(alt, regex.V0)


def phrase_pattern(phrase: str) -> str:
    """An inline phrase as a regex: spaces match any run of spaces, whole words only."""
    body = regex.escape(" ".join(phrase.split())).replace(r"\ ", r"\s+")
    left = r"(?<!\w)" if regex.match(r"\w", phrase.strip()) else ""
    right = r"(?!\w)" if regex.search(r"\w$", phrase.strip()) else ""
    return f"{left}{body}{right}"


def _combine(alternatives: Sequence[str], only: Sequence[int] | None = None) -> regex.Pattern[str]:
    """One alternation of the alternatives (or of those numbered in ``only``), in order.

    Each is a group named after its number, which ``lastgroup`` reports.
    """
    ids = range(len(alternatives)) if only is None else only
    return regex.compile("|".join(f"(?P<r{i}>{alternatives[i]})" for i in ids), regex.V0)


def _register(prefilter: Prefilter, reqs: Sequence[Requirement | None]) -> int | None:
    """The unit of the members with literals, registered with all their literals."""
    known = [req for req in reqs if req is not None]
    return prefilter.add(frozenset().union(*known)) if known else None


def solo_unit(prefilter: Prefilter, pattern: regex.Pattern[str] | None, *, per_line: bool) -> int | None:
    """The prefilter unit of a rule on its own: ``per_line`` when its pattern runs on one line
    at a time (a line rule, a block's start), not on the whole text (a span rule)."""
    if pattern is None:
        return None
    req = (required_literals_per_line if per_line else required_literals)(pattern.pattern)
    return prefilter.add(req) if req is not None else None


def prefilter_of(rule: Rule) -> str:
    """What the prefilter looks for before running ``rule``, in words (``rules list --prefilter``)."""
    if rule.kind is Kind.PHRASES and rule.whole_line:
        return "whole-line lookup"
    if rule.kind is Kind.PHRASES:
        pattern: str | None = "|".join(phrase_pattern(p) for p in rule.phrases)
    elif rule.kind is Kind.BLOCK:
        pattern = rule.block_start
    elif rule.kind is Kind.HEURISTIC:
        literals = rule.params.get("_literals")
        if literals is None:
            return "every line" if "_literals" in rule.params else "-"
        return _literal_list(literals)
    else:
        pattern = rule.pattern
    find = required_literals if rule.kind is Kind.SPAN else required_literals_per_line
    req = find(expand_line_breaks(pattern or ""))
    return "every line" if req is None else _literal_list(req)


def _literal_word(lit: str) -> str:
    if lit == DIGIT:
        return "a digit"
    count = counted(lit)
    return f"{count[1]} or more {count[0]!r}" if count is not None else repr(lit)


def _literal_list(req: Requirement, shown: int = 6) -> str:
    words = sorted(map(_literal_word, req))
    more = f" +{len(words) - shown}" if len(words) > shown else ""
    return ", ".join(words[:shown]) + more


def compile_plan(
    rules: Iterable[Rule], *, literal_prefilter: bool = True, pure_regex: bool | None = None
) -> Plan:
    """The plan for ``rules``.

    ``pure_regex`` chooses the prefilter's engine (see ``prefilter``); without
    ``literal_prefilter`` every regex runs on every line (the results are the same: the
    tests compare the two).
    """
    ordered = tuple(sorted(rules, key=lambda r: (-r.priority, r.order, r.id)))
    prefilter = Prefilter(enabled=literal_prefilter)
    groups: dict[Scope, LineGroup] = {}
    solo_lines: list[Solo] = []
    spans: list[Solo] = []
    blocks: list[Solo] = []
    heuristics: list[HeuristicEntry] = []
    for rule in ordered:
        scope = Scope.of(rule)
        if rule.kind in (Kind.PHRASES, Kind.LINE):
            group = groups.setdefault(scope, LineGroup(scope))
            if rule.kind is Kind.PHRASES and rule.whole_line:
                for ph in rule.phrases:
                    table = group.whole if rule.ignore_case else group.whole_exact
                    key = phrase_key(ph, fold=rule.ignore_case)
                    rules_for = table.setdefault(key, [])
                    if rule not in rules_for:
                        rules_for.append(rule)
                continue
            if rule.kind is Kind.PHRASES:
                alt: str | None = "|".join(phrase_pattern(p) for p in rule.phrases)
                alt = f"(?i:{alt})" if rule.ignore_case else f"(?:{alt})"
            else:
                assert rule.pattern is not None
                alt = _alternative(rule, rule.pattern)
            if alt is None:
                pattern = compile_pattern(rule.pattern or "", rule.ignore_case)
                solo_lines.append(Solo(rule, pattern, unit=solo_unit(prefilter, pattern, per_line=True)))
            elif rule.remove is Extent.MATCH:
                group.match_rules.append(rule)
                group.match_alts.append(alt)
            else:
                group.line_rules.append(rule)
                group.line_alts.append(alt)
        elif rule.kind is Kind.SPAN:
            assert rule.pattern is not None
            pattern = compile_pattern(rule.pattern, rule.ignore_case)
            spans.append(Solo(rule, pattern, unit=solo_unit(prefilter, pattern, per_line=False)))
        elif rule.kind is Kind.BLOCK:
            assert rule.block_start is not None and rule.block_end is not None
            start = compile_pattern(rule.block_start, rule.ignore_case)
            end = compile_pattern(rule.block_end, rule.ignore_case)
            blocks.append(Solo(rule, start, end, unit=solo_unit(prefilter, start, per_line=True)))
        else:
            assert rule.heuristic is not None
            literals = rule.params.get("_literals")
            unit = prefilter.add(literals) if literals else None
            heuristics.append(HeuristicEntry(rule, HEURISTICS[rule.heuristic], unit))
    for group in groups.values():
        group.build(prefilter)
    prefilter.build(pure=pure_regex)
    heuristics.sort(key=lambda h: (h.spec.rank, h.rule.order, h.rule.id))
    return Plan(
        rules=ordered,
        by_id={r.id: r for r in ordered},
        line_groups=[g for g in groups.values() if not g.empty],
        solo_lines=solo_lines,
        spans=spans,
        blocks=blocks,
        heuristics=heuristics,
        prefilter=prefilter,
    )
