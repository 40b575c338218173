"""Matching one document against a compiled plan: the candidates every applicable rule finds.

Each matching unit (a merged group of line rules, or one rule on its own) runs under its
share of the document's time limit (see ``budget``). A unit that runs past its share is
dealt with here, so that one pathological rule costs the document only that rule:

- a rule on its own is skipped for the document, and its matches are dropped;
- a merged group's members are re-run one by one on the line the group ran out of time on,
  each with a share of the limit; those that run out again are skipped, and the group runs
  again without them. When no member is to blame (a huge document rather than a bad rule)
  the document as a whole has run out of time.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import regex

from .budget import Budget, Clock, DocumentTimeout, Tally
from .compile import HeuristicEntry, LineGroup, Plan, Scope, Solo
from .lines import Line, phrase_key
from .matchers import Context
from .model import Zone
from .resolve import Candidate
from .schema import Extent, Rule

_GRAPHEME = regex.compile(r"\X", regex.V0)
# Two characters of grapheme-break class Other always have a cluster boundary between them
# (rule GB999: no rule of UAX #29 joins them), so cluster scanning can start there.
_SAFE_PAIR = regex.compile(r"(?r)\p{Grapheme_Cluster_Break=Other}\p{Grapheme_Cluster_Break=Other}")

# The key of every line that no whole-line phrase has: keys never hold a line break.
_NO_PHRASE = "\n"

_Scan = Callable[[Solo, Clock, list[Candidate]], None]


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    return host.lower().removeprefix("www.") if host else None


def _site_match(host: str, sites: Iterable[str]) -> bool:
    return any(host == s or host.endswith("." + s) for s in sites)


def applies(
    rule_or_scope: Rule | Scope,
    text: str,
    host: str | None,
    all_scopes: bool,
    fmt: str,
    kind: str | None = None,
) -> bool:
    """Whether a rule (or a group's scope) applies to this document. ``kind`` is what the
    page says it is ("article", or "page" when it says nothing of the kind); None when it
    is not known (plain text), which every rule applies to."""
    if all_scopes:
        return True
    if rule_or_scope.formats and fmt not in rule_or_scope.formats:
        return False
    if rule_or_scope.kinds and kind is not None and kind not in rule_or_scope.kinds:
        return False
    sites, requires = rule_or_scope.sites, rule_or_scope.requires
    if sites:
        if host is not None:
            if not _site_match(host, sites):
                return False
        elif not requires:
            return False
    return not requires or any(sig in text for sig in requires)


class _GroupTimeout(Exception):
    """A merged group ran out of time on ``line``; ``rules`` and ``alts`` are the members."""

    def __init__(self, rules: Sequence[Rule], alts: Sequence[str], line: str, overlapped: bool) -> None:
        super().__init__(", ".join(r.id for r in rules))
        self.rules = list(rules)
        self.alts = list(alts)
        self.line = line
        self.overlapped = overlapped


@dataclass
class Matching:
    """The matching of one document. ``run()`` returns the candidates; ``skipped`` then
    holds the ids of the rules that ran past their share of the time limit."""

    plan: Plan
    text: str
    lines: list[Line]
    host: str | None
    all_scopes: bool
    fmt: str
    budget: Budget
    tally: Tally
    kind: str | None = None
    skipped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.lines)
        self.starts = [ln.start for ln in self.lines]
        self.ctx = Context(
            self.text, self.lines, [None] * n, [None] * n, kind=self.kind, mined=self.plan.mined_ids
        )
        self._keys: list[str | None] = [None] * n
        self._cluster = (0, 0)  # the last grapheme cluster found, for runs of matches inside it
        # Per prefilter unit, the lines holding one of its literals: no other line can match.
        self.lines_by_unit = self.plan.prefilter.scan(self.text, self.starts)

    # -- the run ----------------------------------------------------------------------

    def run(self) -> list[Candidate]:
        plan = self.plan
        out: list[Candidate] = []
        for group in plan.line_groups:
            if self._can_match(group) and self._applies(group.scope):
                zone = self._zone(group.scope.zone, group.scope.zone_lines)
                out += self._group(group, zone)
        # Only the groups look lines up by their keys: held on, every line's key took about
        # twice the text's size in the heuristics that follow.
        self._keys = []
        for solos, scan in (
            (plan.solo_lines, self._scan_solo_line),
            (plan.spans, self._scan_span),
            (plan.blocks, self._scan_block),
        ):
            for solo in solos:
                if self._held(solo.unit) and self._applies(solo.rule):
                    out += self._solo(solo, scan)
        ranked_from = 0
        for entry in plan.heuristics:
            if entry.spec.rank > 0:
                break
            ranked_from += 1
            out += self._heuristic(entry)
        self._mark(out)
        for entry in plan.heuristics[ranked_from:]:
            found = self._heuristic(entry)
            out += found
            self._mark(found)
        return out

    def _held(self, unit: int | None) -> bool:
        """Whether a line holds a literal of ``unit`` (None: no literals, any line can match)."""
        return unit is None or self.lines_by_unit.holds(unit)

    def _can_match(self, group: LineGroup) -> bool:
        """Whether any line of the text can hold a match of ``group``: whole-line phrases and
        members without literals can match on any line, the others only on lines holding
        their literals. A group that cannot is not run (most groups, on a short text): taking
        their time shares and line sets was over a third of a two-line document's time."""
        if group.whole or group.whole_exact or group.line_free is not None or group.match_free is not None:
            return True
        units = [u for u in (group.line_unit, group.match_unit) if u is not None]
        return any(self.lines_by_unit.holds(u) for u in units)

    def _applies(self, rule_or_scope: Rule | Scope) -> bool:
        return applies(rule_or_scope, self.text, self.host, self.all_scopes, self.fmt, self.kind)

    def _zone(self, zone: Zone, zone_lines: int | None) -> range:
        if zone is Zone.HEAD:
            return range(0, self.ctx.head_limit(zone_lines or 25))
        if zone is Zone.TAIL:
            return range(self.ctx.tail_start(zone_lines or 25), len(self.lines))
        return range(0, len(self.lines))

    def _emit(self, found: list[Candidate], cand: Candidate) -> None:
        self.tally.add(cand.rule)
        found.append(cand)

    def _drop(self, found: list[Candidate]) -> None:
        self.tally.forget([c.rule for c in found])

    def _skip(self, rules: Iterable[Rule]) -> None:
        for rule in rules:
            if rule.id not in self.skipped:
                self.skipped.append(rule.id)

    def _line_cand(self, first: int, last: int, rule: Rule) -> Candidate:
        return Candidate(self.lines[first].start, self.lines[last].stop, rule)

    def _match_cand(self, start: int, end: int, rule: Rule) -> Candidate:
        """A match removed as is, widened to whole grapheme clusters at both ends."""
        return Candidate(self.grapheme_floor(start), self.grapheme_ceil(end), rule)

    # -- merged line groups ---------------------------------------------------------------

    def _group(self, group: LineGroup, zone: range) -> list[Candidate]:
        while True:
            clock = self.budget.share()
            found: list[Candidate] = []
            try:
                self._scan_group(group, zone, clock, found)
                return found
            except _GroupTimeout as t:
                self._drop(found)
                if not clock.fair:
                    raise DocumentTimeout(t.rules) from None
                culprits = self._culprits(t)
            self._skip(culprits)
            group = group.without({r.id for r in culprits})

    def _culprits(self, t: _GroupTimeout) -> list[Rule]:
        """The members that run out of time on their own on the line the group ran out on."""
        culprits: list[Rule] = []
        for rule, alt in zip(t.rules, t.alts, strict=True):
            pattern = regex.compile(alt, regex.V0)
            clock = self.budget.probe()
            try:
                if t.overlapped:
                    for _ in pattern.finditer(t.line, overlapped=True, timeout=clock.left()):
                        pass
                else:
                    pattern.search(t.line, timeout=clock.left())
            except TimeoutError:
                if not clock.fair:
                    raise DocumentTimeout(t.rules) from None
                culprits.append(rule)
        if not culprits:
            raise DocumentTimeout(t.rules)
        return culprits

    def _scan_group(self, group: LineGroup, zone: range, clock: Clock, found: list[Candidate]) -> None:
        max_words = group.scope.max_words
        line_lines = self._unit_lines(group.line_unit)
        match_lines = self._unit_lines(group.match_unit)
        whole = bool(group.whole or group.whole_exact)
        line_free, match_free = group.line_free, group.match_free
        if whole or line_free is not None or match_free is not None:
            lines = self.lines[zone.start : zone.stop]  # zones are ranges of whole lines, step 1
        else:  # only lines holding a literal can match
            lines = [self.lines[i] for i in sorted(line_lines | match_lines) if i in zone]
        members_on = self._members_by_line(group, line_lines)
        for ln in lines:
            if ln.blank or (max_words is not None and ln.words > max_words):
                continue
            i = ln.index
            if whole:
                key = self._key(ln)
                exact = phrase_key(ln.text, fold=False) if group.whole_exact else ""
                for rule in (*group.whole.get(key, ()), *group.whole_exact.get(exact, ())):
                    self._emit(found, self._line_cand(i, i, rule))
            if i in line_lines:
                members = members_on[i] if members_on is not None else range(len(group.line_rules))
                if len(members) < len(group.line_rules):
                    self._each_rule(group, members, ln, clock, found)
                else:
                    self._line_rules(group, group.line_regex, group.all_anchored, members, ln, clock, found)
            elif line_free is not None:
                self._line_rules(group, line_free, group.free_anchored, group.line_free_ids, ln, clock, found)
            pattern = group.match_regex if i in match_lines else match_free
            if pattern is not None:
                try:
                    for m in pattern.finditer(ln.text, overlapped=True, timeout=clock.left()):
                        if m.lastgroup is None or m.end() == m.start():
                            continue
                        rule = group.match_rules[int(m.lastgroup[1:])]
                        self._emit(found, self._match_cand(ln.start + m.start(), ln.start + m.end(), rule))
                except TimeoutError:
                    raise _GroupTimeout(group.match_rules, group.match_alts, ln.text, True) from None

    def _line_rules(
        self,
        group: LineGroup,
        pattern: regex.Pattern[str] | None,
        anchored: bool,
        members: Iterable[int],
        ln: Line,
        clock: Clock,
        found: list[Candidate],
    ) -> None:
        """Every member of ``members`` (the alternatives ``pattern`` combines) matching the line.

        The alternation finds the member matching leftmost (the first of them on a tie),
        which is credited first, then each other member is tried on its own. Patterns that
        can only match at the start of the line are tried there alone.
        """
        if pattern is None:
            return
        text = ln.text
        try:
            find = pattern.match if anchored else pattern.search
            m = find(text, timeout=clock.left())
            if m is None or m.lastgroup is None:
                return
            hit = int(m.lastgroup[1:])
            self._emit(found, self._line_cand(ln.index, ln.index, group.line_rules[hit]))
            for k in members:
                if k == hit:
                    continue
                each = group.line_each[k]
                if (each.match if group.line_anchored[k] else each.search)(text, timeout=clock.left()):
                    self._emit(found, self._line_cand(ln.index, ln.index, group.line_rules[k]))
        except TimeoutError:
            raise _GroupTimeout(group.line_rules, group.line_alts, ln.text, False) from None

    def _members_by_line(self, group: LineGroup, line_lines: Iterable[int]) -> dict[int, list[int]] | None:
        """For each line holding a literal of the group (``line_lines``), the line members
        that can match on it, in order: those without literals, and those whose literals
        the line holds. None when the group has no per-member literals (all members can)."""
        if not group.line_units:
            return None
        lines_by_unit = self.lines_by_unit
        members: dict[int, list[int]] = {i: [] for i in line_lines}
        for k, u in enumerate(group.line_units):
            for i in line_lines if u is None else lines_by_unit[u]:
                members.setdefault(i, []).append(k)
        return members

    def _each_rule(
        self, group: LineGroup, members: Sequence[int], ln: Line, clock: Clock, found: list[Candidate]
    ) -> None:
        """The ``members`` of a group tried one by one: on a line holding the literals of
        only some of them, fewer regexes run than the whole alternation would try."""
        text = ln.text
        try:
            for k in members:
                each = group.line_each[k]
                if (each.match if group.line_anchored[k] else each.search)(text, timeout=clock.left()):
                    self._emit(found, self._line_cand(ln.index, ln.index, group.line_rules[k]))
        except TimeoutError:
            raise _GroupTimeout(group.line_rules, group.line_alts, ln.text, False) from None

    def _unit_lines(self, unit: int | None) -> AbstractSet[int]:
        return self.lines_by_unit[unit] if unit is not None else frozenset()

    def _key(self, ln: Line) -> str:
        key = self._keys[ln.index]
        if key is None:
            key = phrase_key(ln.text)
            # Only a key some group looks up is kept, the others as one no group holds:
            # every line's took twice the text's size.
            key = self._keys[ln.index] = key if key in self.plan.phrase_keys else _NO_PHRASE
        return key

    # -- rules on their own -------------------------------------------------------------------

    def _solo(self, solo: Solo, scan: _Scan) -> list[Candidate]:
        clock = self.budget.share()
        found: list[Candidate] = []
        try:
            scan(solo, clock, found)
        except TimeoutError:
            self._drop(found)
            if not clock.fair:
                raise DocumentTimeout([solo.rule]) from None
            self._skip([solo.rule])
            return []
        return found

    def _scan_solo_line(self, solo: Solo, clock: Clock, found: list[Candidate]) -> None:
        rule = solo.rule
        assert solo.pattern is not None
        zone = self._zone(rule.zone, rule.zone_lines)
        for ln in self._solo_lines(solo):
            if ln.blank or ln.index not in zone or (rule.max_words and ln.words > rule.max_words):
                continue
            for m in solo.pattern.finditer(ln.text, timeout=clock.left()):
                if m.end() == m.start():
                    continue
                if rule.remove is Extent.MATCH:
                    self._emit(found, self._match_cand(ln.start + m.start(), ln.start + m.end(), rule))
                else:
                    self._emit(found, self._line_cand(ln.index, ln.index, rule))
                    break

    def _solo_lines(self, solo: Solo) -> Sequence[Line]:
        """The lines the rule's pattern can match on: those holding its literals, if it has any."""
        if solo.unit is None:
            return self.lines
        return [self.lines[i] for i in sorted(self.lines_by_unit[solo.unit])]

    def _scan_span(self, solo: Solo, clock: Clock, found: list[Candidate]) -> None:
        rule = solo.rule
        assert solo.pattern is not None
        zone = self._zone(rule.zone, rule.zone_lines)
        for m in solo.pattern.finditer(self.text, timeout=clock.left()):
            if m.end() == m.start():
                continue
            first = self.line_at(m.start())
            if first not in zone:
                continue
            if rule.remove is Extent.MATCH:
                self._emit(found, self._match_cand(m.start(), m.end(), rule))
            else:
                self._emit(found, self._line_cand(first, self.line_at(m.end() - 1), rule))

    def _scan_block(self, solo: Solo, clock: Clock, found: list[Candidate]) -> None:
        rule = solo.rule
        assert solo.pattern is not None and solo.end is not None
        zone = self._zone(rule.zone, rule.zone_lines)
        for ln in self._solo_lines(solo):
            if ln.blank or ln.index not in zone or not solo.pattern.search(ln.text, timeout=clock.left()):
                continue
            for other in self.lines[ln.index + 1 : ln.index + rule.block_max_lines]:
                if not other.blank and solo.end.search(other.text, timeout=clock.left()):
                    self._emit(found, self._line_cand(ln.index, other.index, rule))
                    break

    # -- heuristics ------------------------------------------------------------------------

    def _heuristic(self, entry: HeuristicEntry) -> list[Candidate]:
        rule, spec = entry.rule, entry.spec
        if not self._applies(rule):
            return []
        zone = self._zone(rule.zone, rule.zone_lines)
        found: list[Candidate] = []
        self.ctx.literal_lines = self.lines_by_unit[entry.unit] if entry.unit is not None else None
        for i in spec.func(self.ctx, rule.params):
            if i in zone:
                self._emit(found, self._line_cand(i, i, rule))
        self.kind = self.ctx.kind  # as the heuristic found the page to be
        return found

    def _mark(self, found: Iterable[Candidate]) -> None:
        """Record which lines the candidates remove whole, for the heuristics that follow."""
        ctx = self.ctx
        starts = self.starts
        for c in sorted(found, key=lambda c: (-c.rule.priority, c.rule.order)):
            i = bisect.bisect_left(starts, c.start)
            if i == len(starts) or starts[i] != c.start:
                continue  # not at a line's start
            while (
                i < len(ctx.lines) and ctx.lines[i].stop <= c.end and ctx.lines[i].stop > ctx.lines[i].start
            ):
                if ctx.removed_by[i] is None:
                    ctx.removed_by[i] = c.rule.id
                    ctx.category_of[i] = c.rule.category.value
                i += 1

    # -- offsets ---------------------------------------------------------------------------

    def line_at(self, offset: int) -> int:
        """Index of the line holding ``offset``."""
        return line_at(self.starts, offset)

    def grapheme_floor(self, pos: int) -> int:
        return self._boundaries(pos)[0]

    def grapheme_ceil(self, pos: int) -> int:
        if pos >= len(self.text):
            return len(self.text)
        before, after = self._boundaries(pos)
        return pos if before == pos else after

    def _boundaries(self, pos: int) -> tuple[int, int]:
        """The grapheme-cluster boundaries around ``pos`` (both ``pos`` when it is one)."""
        lo, hi = self._cluster
        if lo < pos < hi:
            return lo, hi
        found = grapheme_boundaries(self.text, self.starts, pos)
        if found[0] < found[1]:
            self._cluster = found
        return found


def line_at(starts: list[int], offset: int) -> int:
    """Index of the line holding ``offset``."""
    return max(0, bisect.bisect_right(starts, offset) - 1)


def grapheme_boundaries(text: str, starts: list[int], pos: int) -> tuple[int, int]:
    """The boundaries of the grapheme cluster around ``pos``: ``(pos, pos)`` when ``pos`` is one.

    Clusters never cross a line break here (a line break ends a line whatever follows), so
    scanning starts at the line's start, or at the last pair of class-Other characters
    before ``pos`` when there is one, which keeps long lines from costing their length.
    """
    line = starts[line_at(starts, pos)] if starts else 0
    pair = _SAFE_PAIR.search(text, line, min(pos + 1, len(text)))
    before = pair.start() + 1 if pair is not None else line
    for g in _GRAPHEME.finditer(text, before):
        if g.end() > pos:
            return before, (pos if before == pos else g.end())
        before = g.end()
    return before, before
