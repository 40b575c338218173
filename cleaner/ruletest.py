"""Run every rule's own examples: what it must remove, and what it must keep."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .pipeline import Cleaner
from .schema import Example, Rule


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
    ends). A ``keep`` example passes when the rule is credited for nothing.
    """
    result = cleaner._clean(example.text, url=None, all_scopes=True)
    if result.error:
        return ExampleOutcome(rule, kind, example, False, result.error)
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
