"""Per-document limits: regex time, and the number of matches.

Every regex call gets a timeout from a ``Budget``: the document's limit less what earlier
calls used. The limit is ``doc_timeout`` for every million characters of the document
(``limit_for``), and never less than ``doc_timeout``: it bounds a pathological rule, not
the time an honest large document takes, which grows with its size. Time is the process's
CPU time, the clock the ``regex`` module keeps its own timeouts by, so a busy machine
neither shortens the limit nor blames a rule for time it did not use.

A matching step (one rule, or the merged alternation of a group of line rules) may use at
most half of what was left when it started, so a single pathological rule cannot starve
the others: it runs out of its own share, is skipped for the document, and at least half
of the limit remains for the rest.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .schema import Rule

BUDGET_CHARS = 1_000_000  # a document's limit is doc_timeout for every this many characters
STEP_SHARE = 0.5  # of the time left, for one matching step
PROBE_SHARE = 0.1  # of the whole limit, for one rule re-run alone to find a culprit
# A step whose share fell below this fraction of the limit is not blamed for running out:
# the document as a whole has run out of time.
MIN_FAIR_SHARE = 1 / 32


_now = time.process_time


def limit_for(doc_timeout: float, chars: int) -> float:
    """The time limit of a document of ``chars`` characters."""
    return doc_timeout * max(1.0, chars / BUDGET_CHARS)


class DocumentTimeout(Exception):
    """The document's time limit ran out, and no single rule is to blame."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        super().__init__(", ".join(r.id for r in rules))
        self.rules = list(rules)


class TooManyMatches(Exception):
    """More candidate matches than ``max_spans``; ``rule`` is the rule with the most."""

    def __init__(self, rule: Rule, limit: int) -> None:
        super().__init__(rule.id)
        self.rule = rule
        self.limit = limit


@dataclass
class Clock:
    """The time one matching step may use: ``left()`` is the timeout to give its next regex call."""

    deadline: float
    fair: bool  # whether running out of this share blames the step

    def left(self) -> float:
        remaining = self.deadline - _now()
        if remaining <= 0:
            raise TimeoutError
        return remaining


@dataclass
class Budget:
    total: float
    deadline: float

    @classmethod
    def start(cls, total: float) -> Budget:
        return cls(total, _now() + total)

    def remaining(self) -> float:
        return self.deadline - _now()

    def share(self) -> Clock:
        """The share of one matching step (a rule, or a merged group of line rules): half
        of the time left."""
        share = max(self.remaining(), 0.0) * STEP_SHARE
        return Clock(_now() + share, share >= self.total * MIN_FAIR_SHARE)

    def probe(self) -> Clock:
        """The share of one rule re-run alone on the input its group ran out of time on."""
        share = min(max(self.remaining(), 0.0) * STEP_SHARE, self.total * PROBE_SHARE)
        return Clock(_now() + share, share >= self.total * MIN_FAIR_SHARE)


@dataclass
class Tally:
    """Candidate matches counted per rule, against the ``max_spans`` cap."""

    limit: int
    total: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)

    def add(self, rule: Rule) -> None:
        self.total += 1
        self.per_rule[rule.id] = self.per_rule.get(rule.id, 0) + 1
        if self.total > self.limit:
            self.rules[rule.id] = rule
            worst = max(self.per_rule, key=lambda rid: (self.per_rule[rid], rid))
            raise TooManyMatches(self.rules.get(worst, rule), self.limit)
        self.rules.setdefault(rule.id, rule)

    def forget(self, rules: Sequence[Rule]) -> None:
        """Take back the counts of candidates that were dropped (one per rule given)."""
        for rule in rules:
            self.total -= 1
            self.per_rule[rule.id] -= 1
