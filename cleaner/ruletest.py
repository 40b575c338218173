"""Run every rule's own examples: what it must remove, and what it must keep."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

from .pipeline import Cleaner
from .schema import Example, Extent, Kind, Rule, compile_pattern


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    rule: Rule
    kind: str  # "remove" or "keep"
    example: Example
    passed: bool
    detail: str

    def __str__(self) -> str:
        text = self.example.text if len(self.example.text) <= 70 else self.example.text[:67] + "..."
        return f"{self.rule.file}: {self.rule.id}: {self.kind}: {text!r}: {self.detail}"


def check_example(cleaner: Cleaner, rule: Rule, kind: str, example: Example) -> ExampleOutcome:
    """Clean the example with every loaded rule, as if the rule's scope held.

    A ``remove`` example passes when the rule is credited for some removed span and the
    clean text is empty (or equals the example's ``clean`` text, whitespace trimmed at both
    ends). A ``keep`` example passes when the rule is credited for nothing. The
    ``max_removed_fraction`` guard is left out: an example is a tiny document that a rule
    is meant to remove entirely.
    """
    result = cleaner.clean_example(example.text)
    if result.error:
        return ExampleOutcome(rule, kind, example, False, result.error)
    if result.warnings:
        return ExampleOutcome(rule, kind, example, False, ", ".join(result.warnings))
    credited = any(rule.id in s.rules for s in result.spans)
    if kind == "keep":
        hit = next((s.text.strip() for s in result.spans if rule.id in s.rules), "")
        return ExampleOutcome(rule, kind, example, not credited, f"removed {hit!r}" if credited else "kept")
    expected = (example.clean or "").strip()
    got = result.text.strip()
    if not credited:
        return ExampleOutcome(rule, kind, example, False, "the rule removed nothing")
    if got != expected:
        return ExampleOutcome(rule, kind, example, False, f"left {got!r}, expected {expected!r}")
    return ExampleOutcome(rule, kind, example, True, "removed")


def run_examples(cleaner: Cleaner) -> Iterator[ExampleOutcome]:
    for rule in sorted(cleaner.rules, key=lambda r: (r.file, r.order)):
        for ex in rule.examples_remove:
            yield check_example(cleaner, rule, "remove", ex)
        for ex in rule.examples_keep:
            yield check_example(cleaner, rule, "keep", ex)


# -- patterns that backtrack catastrophically -------------------------------------------------

SLOW_LIMIT = 0.05  # seconds a probe may take; linear patterns take well under 1 ms
PROBE_SIZE = 10_000  # characters of repeated text per probe
_FILLS = " a0.-="  # characters repeated in every probe, besides the pattern's own
_TAILS = "!~#\x00"  # a character after the run, so that a pattern anchored at the end fails
_ESCAPE = regex.compile(r"\\(?:[pPN]\{[^}]*\}|x\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", regex.S)
_METACHARS = set("\\()[]{}?*+|^$.<>=!:,")


@dataclass(frozen=True, slots=True)
class SlowPattern:
    """A rule pattern that took more than ``SLOW_LIMIT`` on a probe string."""

    rule: Rule
    field: str  # line, span, block.start or block.end
    probe: str  # what the probe was, for the message

    def __str__(self) -> str:
        return (
            f"{self.rule.file}: {self.rule.id}: {self.field}: the pattern is slow on {self.probe} "
            f"(over {SLOW_LIMIT * 1000:.0f} ms, catastrophic backtracking?); on such text it will "
            "run past the time limit and be skipped"
        )


def _probes(pattern: str) -> list[tuple[str, str]]:
    """Adversarial strings for one pattern: long runs of one character (its own literal
    characters and a few common ones) ending in a character the run does not hold, runs of
    a word and a space, and runs led by one of its literal characters."""
    own = sorted({ch for ch in _ESCAPE.sub("", pattern) if ch not in _METACHARS and ch.isprintable()})
    own += sorted({ch for ch in pattern if ch in "=:,<>!"})  # literal unless escaped or grouped
    fills = list(dict.fromkeys([*_FILLS, *own[:10]]))
    out: list[tuple[str, str]] = []
    for c in fills:
        tail = next(t for t in _TAILS if t != c and t not in own)
        out.append((f"{c!r} × {PROBE_SIZE} + {tail!r}", c * PROBE_SIZE + tail))
    tail = next(t for t in _TAILS if t not in own)
    out.append((f"'a ' × {PROBE_SIZE // 2} + {tail!r}", "a " * (PROBE_SIZE // 2) + tail))
    for h in own[:10]:
        for c in "x ":
            if c != h:
                out.append((f"{h!r} + {c!r} × {PROBE_SIZE}", h + c * PROBE_SIZE))
    return out


def _patterns(rule: Rule) -> list[tuple[str, str]]:
    if rule.kind is Kind.LINE or rule.kind is Kind.SPAN:
        return [(rule.kind.value, rule.pattern or "")]
    if rule.kind is Kind.BLOCK:
        return [("block.start", rule.block_start or ""), ("block.end", rule.block_end or "")]
    return []  # phrases are escaped literals; heuristics are code


def _is_slow(compiled: regex.Pattern[str], probe: str, every: bool) -> bool:
    start = time.perf_counter()
    try:
        if every:
            for _ in compiled.finditer(probe, timeout=SLOW_LIMIT):
                pass
        else:
            compiled.search(probe, timeout=SLOW_LIMIT)
    except TimeoutError:
        return True
    return time.perf_counter() - start > SLOW_LIMIT


def slow_patterns(rules: Iterable[Rule]) -> list[SlowPattern]:
    """The rule patterns that backtrack catastrophically on some adversarial probe string.

    For ``cleaner rules test``: such a pattern is valid, but on a matching document it runs
    past its share of the time limit and is skipped there. Each pattern stops at its first
    slow probe; a probe counts as slow only when it is slow twice, so a busy machine does not
    raise a false alarm.
    """
    found: list[SlowPattern] = []
    for rule in rules:
        for field, pattern in _patterns(rule):
            compiled = compile_pattern(pattern, rule.ignore_case)
            every = rule.kind is Kind.SPAN or rule.remove is Extent.MATCH
            for what, probe in _probes(pattern):
                if _is_slow(compiled, probe, every) and _is_slow(compiled, probe, every):
                    found.append(SlowPattern(rule, field, what))
                    break
    return found
