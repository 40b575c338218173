"""The core: text → matched candidates → resolved spans → clean text.

Every door (Python API, CLI, batch) calls ``Cleaner.clean``; none matches on its own.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import regex

from .apply import apply, merge_sorted, tidy
from .compile import Plan, Scope, compile_plan
from .lines import Line, phrase_key, split_lines
from .loader import load_rules
from .matchers.heuristics import Context, HeuristicSpec
from .model import Result, Span, Zone
from .resolve import Candidate, resolve
from .schema import Extent, Rule

DEFAULT_DOC_TIMEOUT = 5.0
_GRAPHEME = regex.compile(r"\X", regex.V0)


class _Timeout(Exception):
    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = rules


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    return host.lower().removeprefix("www.") if host else None


def _site_match(host: str, sites: Iterable[str]) -> bool:
    return any(host == s or host.endswith("." + s) for s in sites)


class Cleaner:
    """Removes boilerplate from article text with a compiled set of rules.

    ``Cleaner()`` uses the default packs; ``Cleaner(rule_paths=[...])`` adds a user's rule
    files or folders, ``default_rules=False`` leaves the defaults out, and ``rules=`` takes
    already loaded rules. Instances are immutable after construction and safe to share.
    """

    def __init__(
        self,
        rules: Sequence[Rule] | None = None,
        *,
        rule_paths: Sequence[Path | str] = (),
        default_rules: bool = True,
        doc_timeout: float = DEFAULT_DOC_TIMEOUT,
    ) -> None:
        if rules is None:
            rules = load_rules(rule_paths, defaults=default_rules)
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.plan: Plan = compile_plan(self.rules)
        self.doc_timeout = doc_timeout

    def clean(self, text: str, *, url: str | None = None, format: str = "text") -> Result:
        """Clean one text.

        ``url`` (when known) switches on the site packs for its domain. ``format`` says what
        the text is: ``"text"`` as given, or ``"html"`` for text extracted from a page, which
        leaves out rules meant for whole-page text.
        """
        return self._clean(text, url=url, all_scopes=False, fmt=format)

    def _clean(self, text: str, *, url: str | None, all_scopes: bool, fmt: str = "text") -> Result:
        if not text:
            return Result(text)
        lines = split_lines(text)
        deadline = time.monotonic() + self.doc_timeout
        try:
            candidates = self._match(text, lines, host_of(url), deadline, all_scopes, fmt)
        except _Timeout as t:
            ids = ", ".join(r.id for r in t.rules[:5]) + (" …" if len(t.rules) > 5 else "")
            return Result(text, error=f"rule_timeout: {ids} ran past {self.doc_timeout:g}s")
        spans, shadowed = resolve(text, candidates)
        spans, shadowed = self._complete_lines(text, lines, spans, shadowed, candidates)
        spans = merge_sorted(spans, tidy(text, lines, spans))
        clean, error = apply(text, spans)
        if error:
            return Result(text, error=error)
        return Result(clean, tuple(spans), None, tuple(shadowed))

    # -- matching -------------------------------------------------------------------

    def _applies(
        self, rule_or_scope: Rule | Scope, text: str, host: str | None, all_scopes: bool, fmt: str
    ) -> bool:
        if all_scopes:
            return True
        if rule_or_scope.formats and fmt not in rule_or_scope.formats:
            return False
        sites, requires = rule_or_scope.sites, rule_or_scope.requires
        if sites:
            if host is not None:
                if not _site_match(host, sites):
                    return False
            elif not requires:
                return False
        return not requires or any(sig in text for sig in requires)

    @staticmethod
    def _zone_range(lines: list[Line], ctx: Context, zone: Zone, zone_lines: int | None) -> range:
        if zone is Zone.HEAD:
            return range(0, ctx.head_limit(zone_lines or 25))
        if zone is Zone.TAIL:
            return range(ctx.tail_start(zone_lines or 25), len(lines))
        return range(0, len(lines))

    def _match(
        self, text: str, lines: list[Line], host: str | None, deadline: float, all_scopes: bool, fmt: str
    ) -> list[Candidate]:
        plan = self.plan
        ctx = Context(text, lines, [None] * len(lines), [None] * len(lines))
        out: list[Candidate] = []
        starts = [ln.start for ln in lines]

        def left(rules: Sequence[Rule]) -> float:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout(rules)
            return remaining

        def line_cand(first: int, last: int, rule: Rule) -> Candidate:
            return Candidate(lines[first].start, lines[last].stop, rule)

        active = []
        for group in plan.line_groups:
            sc = group.scope
            if self._applies(sc, text, host, all_scopes, fmt):
                active.append((group, self._zone_range(lines, ctx, sc.zone, sc.zone_lines)))
        for ln in lines:
            if ln.blank:
                continue
            key = None
            words = None
            for group, zone in active:
                if ln.index not in zone:
                    continue
                if group.scope.max_words is not None:
                    if words is None:
                        words = ln.words
                    if words > group.scope.max_words:
                        continue
                if group.whole or group.whole_exact:
                    key = key if key is not None else phrase_key(ln.text)
                    exact = phrase_key(ln.text, fold=False) if group.whole_exact else ""
                    for rule in (*group.whole.get(key, ()), *group.whole_exact.get(exact, ())):
                        out.append(line_cand(ln.index, ln.index, rule))
                if group.line_regex is not None:
                    try:
                        m = group.line_regex.search(ln.text, timeout=left(group.line_rules))
                    except TimeoutError:
                        raise _Timeout(group.line_rules) from None
                    if m is not None and m.lastgroup is not None:
                        hit = int(m.lastgroup[1:])
                        out.append(line_cand(ln.index, ln.index, group.line_rules[hit]))
                        for k, each in enumerate(group.line_each):
                            if k != hit and each.search(ln.text, timeout=left([group.line_rules[k]])):
                                out.append(line_cand(ln.index, ln.index, group.line_rules[k]))
                if group.match_regex is not None:
                    try:
                        for m in group.match_regex.finditer(
                            ln.text, overlapped=True, timeout=left(group.match_rules)
                        ):
                            if m.lastgroup is None or m.end() == m.start():
                                continue
                            rule = group.match_rules[int(m.lastgroup[1:])]
                            out.append(
                                self._match_cand(text, starts, ln.start + m.start(), ln.start + m.end(), rule)
                            )
                    except TimeoutError:
                        raise _Timeout(group.match_rules) from None

        for solo in plan.solo_lines:
            rule = solo.rule
            if not self._applies(rule, text, host, all_scopes, fmt):
                continue
            zone = self._zone_range(lines, ctx, rule.zone, rule.zone_lines)
            assert solo.pattern is not None
            try:
                for ln in lines:
                    if ln.blank or ln.index not in zone or (rule.max_words and ln.words > rule.max_words):
                        continue
                    for m in solo.pattern.finditer(ln.text, timeout=left([rule])):
                        if m.end() == m.start():
                            continue
                        if rule.remove is Extent.MATCH:
                            out.append(
                                self._match_cand(text, starts, ln.start + m.start(), ln.start + m.end(), rule)
                            )
                        else:
                            out.append(line_cand(ln.index, ln.index, rule))
                            break
            except TimeoutError:
                raise _Timeout([rule]) from None

        for solo in plan.spans:
            rule = solo.rule
            if not self._applies(rule, text, host, all_scopes, fmt):
                continue
            zone = self._zone_range(lines, ctx, rule.zone, rule.zone_lines)
            assert solo.pattern is not None
            try:
                for m in solo.pattern.finditer(text, timeout=left([rule])):
                    if m.end() == m.start():
                        continue
                    first = _line_at(starts, m.start())
                    if first not in zone:
                        continue
                    if rule.remove is Extent.MATCH:
                        out.append(self._match_cand(text, starts, m.start(), m.end(), rule))
                    else:
                        out.append(line_cand(first, _line_at(starts, m.end() - 1), rule))
            except TimeoutError:
                raise _Timeout([rule]) from None

        for solo in plan.blocks:
            rule = solo.rule
            if not self._applies(rule, text, host, all_scopes, fmt):
                continue
            zone = self._zone_range(lines, ctx, rule.zone, rule.zone_lines)
            assert solo.pattern is not None and solo.end is not None
            try:
                for ln in lines:
                    if (
                        ln.blank
                        or ln.index not in zone
                        or not solo.pattern.search(ln.text, timeout=left([rule]))
                    ):
                        continue
                    for other in lines[ln.index + 1 : ln.index + rule.block_max_lines]:
                        if not other.blank and solo.end.search(other.text, timeout=left([rule])):
                            out.append(line_cand(ln.index, other.index, rule))
                            break
            except TimeoutError:
                raise _Timeout([rule]) from None

        ranked_from = 0
        for entry in plan.heuristics:
            if entry.spec.rank > 0:
                break
            ranked_from += 1
            out += self._run_heuristic(entry.rule, entry.spec, ctx, text, host, all_scopes, fmt, line_cand)
        self._mark(ctx, out)
        for entry in plan.heuristics[ranked_from:]:
            found = self._run_heuristic(entry.rule, entry.spec, ctx, text, host, all_scopes, fmt, line_cand)
            out += found
            self._mark(ctx, found)
        return out

    def _run_heuristic(
        self,
        rule: Rule,
        spec: HeuristicSpec,
        ctx: Context,
        text: str,
        host: str | None,
        all_scopes: bool,
        fmt: str,
        line_cand: Callable[[int, int, Rule], Candidate],
    ) -> list[Candidate]:
        if not self._applies(rule, text, host, all_scopes, fmt):
            return []
        zone = self._zone_range(ctx.lines, ctx, rule.zone, rule.zone_lines)
        return [line_cand(i, i, rule) for i in spec.func(ctx, rule.params) if i in zone]

    @staticmethod
    def _mark(ctx: Context, found: Iterable[Candidate]) -> None:
        """Record which lines the candidates remove whole, for the heuristics that follow."""
        by_start = {ln.start: ln.index for ln in ctx.lines}
        for c in sorted(found, key=lambda c: (-c.rule.priority, c.rule.order)):
            i = by_start.get(c.start)
            if i is None:
                continue
            while (
                i < len(ctx.lines) and ctx.lines[i].stop <= c.end and ctx.lines[i].stop > ctx.lines[i].start
            ):
                if ctx.removed_by[i] is None:
                    ctx.removed_by[i] = c.rule.id
                    ctx.category_of[i] = c.rule.category.value
                i += 1

    @staticmethod
    def _match_cand(text: str, starts: list[int], start: int, end: int, rule: Rule) -> Candidate:
        """A match removed as is, widened to whole grapheme clusters at both ends."""
        return Candidate(_grapheme_floor(text, starts, start), _grapheme_ceil(text, starts, end), rule)

    @staticmethod
    def _complete_lines(
        text: str, lines: list[Line], spans: list[Span], shadowed: list[Span], candidates: list[Candidate]
    ) -> tuple[list[Span], list[Span]]:
        """A line left holding only whitespace by within-line removals goes whole."""
        extra: list[Candidate] = []
        k = 0
        for ln in lines:
            if ln.blank:
                continue
            while k < len(spans) and spans[k].end <= ln.start:
                k += 1
            j, pos = k, ln.start
            rest: list[str] = []
            rule: Span | None = None
            while j < len(spans) and spans[j].start < ln.stop:
                s = spans[j]
                rest.append(text[pos : s.start])
                pos = max(pos, s.end)
                rule = rule or s
                j += 1
            if rule is None or (rule.start <= ln.start and rule.end >= ln.stop):
                continue
            rest.append(text[pos : ln.end])
            if not "".join(rest).strip():
                winner = next(c.rule for c in candidates if c.rule.id == rule.rule)
                extra.append(Candidate(ln.start, ln.stop, winner))
        if not extra:
            return spans, shadowed
        return resolve(text, [*candidates, *extra])


def _boundaries(text: str, starts: list[int], pos: int) -> tuple[int, int]:
    """The grapheme-cluster boundaries around ``pos``, found from the start of its line."""
    line = starts[_line_at(starts, pos)] if starts else 0
    before = line
    for g in _GRAPHEME.finditer(text, line):
        if g.end() > pos:
            return before, (pos if before == pos else g.end())
        before = g.end()
    return before, before


def _grapheme_floor(text: str, starts: list[int], pos: int) -> int:
    return _boundaries(text, starts, pos)[0]


def _grapheme_ceil(text: str, starts: list[int], pos: int) -> int:
    if pos >= len(text):
        return len(text)
    before, after = _boundaries(text, starts, pos)
    return pos if before == pos else after


def _line_at(starts: list[int], offset: int) -> int:
    """Index of the line holding ``offset``."""
    return max(0, bisect.bisect_right(starts, offset) - 1)
