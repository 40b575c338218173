"""The core: text → matched candidates → resolved spans → clean text.

Every door (Python API, CLI, batch) calls ``Cleaner.clean``; none matches on its own.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .apply import apply, compose, map_back, merge_sorted, tidy
from .budget import Budget, DocumentTimeout, Tally, TooManyMatches, limit_for
from .cache import load_compiled
from .compile import Plan, compile_plan
from .lines import Line, split_lines
from .match import Matching, host_of
from .model import RULE_TIMEOUT, Result, Span
from .repair import repair_mojibake
from .resolve import Candidate, resolve
from .schema import Rule

DEFAULT_DOC_TIMEOUT = 5.0
DEFAULT_MAX_SPANS = 100_000
DEFAULT_MAX_REMOVED_FRACTION = 0.5
# The guard leaves short documents alone: there a rule that removes most of the text is
# usually right (a page that is only a caption and its credit), and a runaway rule costs
# little. The guard is for articles.
GUARD_MIN_CHARS = 1000
MAX_PASSES = 10  # cleaning until stable stops after this many passes (as ruff's fix loop does)

__all__ = ["Cleaner", "host_of"]  # host_of: for the CLI's eval view


@contextmanager
def _collection_paused() -> Iterator[None]:
    """The garbage collector paused while a document is cleaned.

    Cleaning makes many objects that live until the document is done (its lines, their
    classes, the candidates) and frees them by their reference counts; the collector, run
    again and again as they are made, walks them all each time without finding anything to
    free. That took a seventh of a 10 MB document's time, and 3% of a page's. Anything
    cyclic left behind is collected once the collector runs again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Cleaner:
    """Removes boilerplate from article text with a compiled set of rules.

    ``Cleaner()`` uses the default packs; ``Cleaner(rule_paths=[...])`` adds a user's rule
    files or folders, ``default_rules=False`` leaves the defaults out, and ``rules=`` takes
    already loaded rules. Instances are immutable after construction and safe to share.

    Limits, per document:

    - ``doc_timeout``: seconds of CPU time for every million characters of the document
      (and never less for a shorter one). A rule (or a merged group of line rules)
      may use half of what is left when it starts; one that runs past that is skipped for
      the document (``Result.warnings`` holds ``rule_timeout:<id>``) and the others clean
      it. When the limit itself runs out the document is left unchanged
      (``error: rule_timeout: …``).
    - ``max_spans``: candidate matches. More than that leaves the document unchanged
      (``error: too_many_matches: <id> …``, naming the rule with the most).
    - ``max_removed_fraction``: the default, for rules that do not set their own
      ``max_removed_fraction``, of the largest fraction of a document's characters one rule
      may remove. A rule over its limit leaves the document unchanged
      (``error: guard: too_much_removed:<id> …``). Documents under ``GUARD_MIN_CHARS``
      characters are not guarded. ``1.0`` switches the guard off.

    Stability: ``check_stable`` cleans the clean text once more and sets
    ``Result.unstable`` to whether that would remove more; ``until_stable`` repeats cleaning
    until nothing more goes (at most ``MAX_PASSES`` passes, sharing one time limit), with
    the spans of every pass reported against the original text.

    ``repair_mojibake`` first repairs text whose UTF-8 was once read as Latin-1 or
    Windows-1252 (``cleaner.repair``); a repaired text's ``Result`` carries the repair plan and
    the repaired text, which its spans index.
    """

    def __init__(
        self,
        rules: Sequence[Rule] | None = None,
        *,
        rule_paths: Sequence[Path | str] = (),
        default_rules: bool = True,
        doc_timeout: float = DEFAULT_DOC_TIMEOUT,
        max_spans: int = DEFAULT_MAX_SPANS,
        max_removed_fraction: float = DEFAULT_MAX_REMOVED_FRACTION,
        check_stable: bool = False,
        until_stable: bool = False,
        repair_mojibake: bool = False,
    ) -> None:
        self.rules: tuple[Rule, ...]
        self.plan: Plan
        if rules is None:
            self.rules, self.plan = load_compiled(rule_paths, defaults=default_rules)
        else:
            self.rules = tuple(rules)
            self.plan = compile_plan(self.rules)
        if doc_timeout <= 0:
            raise ValueError("doc_timeout must be positive")
        if max_spans < 1:
            raise ValueError("max_spans must be at least 1")
        if not 0 < max_removed_fraction <= 1:
            raise ValueError("max_removed_fraction must be above 0 and at most 1")
        self.doc_timeout = doc_timeout
        self.max_spans = max_spans
        self.max_removed_fraction = max_removed_fraction
        self.check_stable = check_stable
        self.until_stable = until_stable
        self.repair_mojibake = repair_mojibake

    def load(self) -> None:
        """Read now what heuristics otherwise read when a document first needs it (the stop
        lists): before a run forks its workers, so that they share it."""
        for entry in self.plan.heuristics:
            if entry.spec.load is not None:
                entry.spec.load(entry.rule.params)

    def clean(
        self, text: str, *, url: str | None = None, format: str = "text", kind: str | None = None
    ) -> Result:
        """Clean one text.

        ``url`` (when known) switches on the site packs for its domain. ``format`` says what
        the text is: ``"text"`` as given, or ``"html"`` for text extracted from a page, which
        leaves out rules meant for whole-page text. ``kind`` is what the page says it is
        ("article", or "page" for one that does not say it is an article): rules meant for
        articles (``kinds = ["article"]``) leave other pages alone. None (not known) applies
        every rule.
        """
        if self.repair_mojibake:
            repair = repair_mojibake(text)
            if repair.plan:
                result = self._clean_text(repair.text, url, format, kind)
                return dataclasses.replace(result, repair=repair.plan, source=repair.text)
            if repair.error:  # ftfy's own failure: the text is cleaned as it is
                result = self._clean_text(text, url, format, kind)
                return dataclasses.replace(
                    result, warnings=(*result.warnings, f"repair_failed: {repair.error}")
                )
        return self._clean_text(text, url, format, kind)

    def _clean_text(self, text: str, url: str | None, format: str, kind: str | None) -> Result:
        with _collection_paused():
            return self._clean_passes(text, url, format, kind)

    def _clean_passes(self, text: str, url: str | None, format: str, kind: str | None) -> Result:
        budget = Budget.start(limit_for(self.doc_timeout, len(text)))
        result = self._clean(text, url=url, all_scopes=False, fmt=format, kind=kind, budget=budget)
        if self.until_stable:
            return self._until_stable(text, result, url, format, kind, budget)
        if self.check_stable and not result.error:
            again = self._clean(result.text, url=url, all_scopes=False, fmt=format, kind=kind, budget=budget)
            unstable = None if again.error else bool(again.spans)
            return dataclasses.replace(result, unstable=unstable)
        return result

    def clean_example(self, text: str) -> Result:
        """One pass over a rule's example, as ``cleaner rules test`` runs it: as if every
        rule's scope (sites, requires) held, and without the removed-fraction guard, since an
        example is a tiny document that a rule is meant to remove entirely."""
        return self._clean(text, url=None, all_scopes=True, guard=False)

    def _clean(
        self,
        text: str,
        *,
        url: str | None,
        all_scopes: bool,
        fmt: str = "text",
        kind: str | None = None,
        budget: Budget | None = None,
        guard: bool = True,
    ) -> Result:
        """One pass. ``guard=False`` leaves out the removed-fraction guard (for rule examples,
        which are tiny documents a rule removes entirely)."""
        if not text:
            return Result(text)
        lines = split_lines(text)
        matching = Matching(
            self.plan,
            text,
            lines,
            host_of(url),
            all_scopes,
            fmt,
            budget or Budget.start(limit_for(self.doc_timeout, len(text))),
            Tally(self.max_spans),
            kind,
        )
        try:
            candidates = matching.run()
        except DocumentTimeout as t:
            ids = ", ".join(r.id for r in t.rules[:5]) + (" …" if len(t.rules) > 5 else "")
            return Result(
                text,
                error=f"{RULE_TIMEOUT}: {ids} ran past {matching.budget.total:g}s",
                warnings=_warnings(matching.skipped),
            )
        except TooManyMatches as t:
            return Result(
                text,
                error=f"too_many_matches: {t.rule.id} matched more than the limit of {t.limit:,}",
                warnings=_warnings(matching.skipped),
            )
        warnings = _warnings(matching.skipped)
        del matching  # its lines by literal and line marks: a long document's largest part
        if guard:
            problem = self._guard(text, candidates)
            if problem:
                return Result(text, error=problem, warnings=warnings)
        spans, shadowed = resolve(text, candidates)
        spans, shadowed = _complete_lines(text, lines, spans, shadowed, candidates)
        del candidates
        spans = merge_sorted(spans, tidy(text, lines, spans))
        del lines  # before the clean text is made: the lines take some six times the text's size
        clean, error = apply(text, spans)
        if error:
            return Result(text, error=error, warnings=warnings)
        return Result(clean, tuple(spans), None, tuple(shadowed), warnings=warnings)

    def _guard(self, text: str, candidates: Sequence[Candidate]) -> str | None:
        """Why one rule's matches hold back the document, or None.

        A rule over its limit leaves the whole document unchanged rather than losing only
        its own matches: a rule that takes most of a document is a wrong rule or a page that
        is not an article, and the heuristics that ran after it have already read its
        removals, so the rest of the result cannot be trusted without it either.
        """
        if len(text) < GUARD_MIN_CHARS:
            return None
        by_rule: dict[str, list[Candidate]] = {}
        for c in candidates:
            by_rule.setdefault(c.rule.id, []).append(c)
        worst: tuple[float, str, int, float] | None = None
        for rid in sorted(by_rule):
            found = by_rule[rid]
            rule = found[0].rule
            limit = rule.max_removed_fraction
            if limit is None:
                limit = self.max_removed_fraction
            if limit >= 1:
                continue
            removed = _covered(found)
            fraction = removed / len(text)
            if fraction > limit and (worst is None or fraction > worst[0]):
                worst = (fraction, rid, removed, limit)
        if worst is None:
            return None
        fraction, rid, removed, limit = worst
        return (
            f"guard: too_much_removed:{rid} would remove {removed:,} of {len(text):,} characters "
            f"({fraction:.0%}; its limit is {limit:.0%})"
        )

    def _until_stable(
        self, text: str, result: Result, url: str | None, fmt: str, kind: str | None, budget: Budget
    ) -> Result:
        """Clean the clean text again until nothing more goes, reporting against ``text``."""
        passes = 1
        while not result.error and result.spans:
            if passes == MAX_PASSES:
                return dataclasses.replace(result, unstable=True)
            again = self._clean(result.text, url=url, all_scopes=False, fmt=fmt, kind=kind, budget=budget)
            passes += 1
            if again.error:
                note = f"until_stable:pass {passes} left the text as pass {passes - 1} did ({again.error})"
                warnings = _merge(result.warnings, again.warnings, (note,))
                return dataclasses.replace(result, warnings=warnings)
            if not again.spans:
                return dataclasses.replace(
                    result, warnings=_merge(result.warnings, again.warnings), unstable=False
                )
            spans = compose(text, result.spans, again.spans)
            shadowed = map_back(text, result.spans, again.shadowed)
            clean, error = apply(text, spans)
            if error:
                note = f"until_stable:pass {passes} could not be reported on the input ({error})"
                return dataclasses.replace(result, warnings=_merge(result.warnings, (note,)))
            result = Result(
                clean,
                tuple(spans),
                None,
                (*result.shadowed, *shadowed),
                warnings=_merge(result.warnings, again.warnings),
            )
        return dataclasses.replace(result, unstable=False) if not result.error else result


def _warnings(skipped: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{RULE_TIMEOUT}:{rid}" for rid in sorted(skipped))


def _merge(*groups: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        out += [w for w in group if w not in out]
    return tuple(out)


def _covered(found: Sequence[Candidate]) -> int:
    """How many characters the candidates cover together."""
    total = 0
    end = -1
    for c in sorted(found, key=lambda c: c.start):
        if c.start >= end:
            total += c.end - c.start
            end = c.end
        elif c.end > end:
            total += c.end - end
            end = c.end
    return total


def _complete_lines(
    text: str, lines: list[Line], spans: list[Span], shadowed: list[Span], candidates: list[Candidate]
) -> tuple[list[Span], list[Span]]:
    """A line left holding only whitespace by within-line removals goes whole."""
    extra: list[Candidate] = []
    rules = {c.rule.id: c.rule for c in candidates}
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
            extra.append(Candidate(ln.start, ln.stop, rules[rule.rule]))
    if not extra:
        return spans, shadowed
    return resolve(text, [*candidates, *extra])
