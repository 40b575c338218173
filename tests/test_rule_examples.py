"""Every example of every shipped rule, one test case each (what `cleaner rules test` runs)."""

from __future__ import annotations

import pytest

from cleaner import Cleaner, parse_rules_text
from cleaner.ruletest import check_example, run_examples

CLEANER = Cleaner()
CASES = [
    pytest.param(rule, kind, ex, id=f"{rule.id}:{kind}:{i}")
    for rule in CLEANER.rules
    for kind, examples in (("remove", rule.examples_remove), ("keep", rule.examples_keep))
    for i, ex in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "kind", "example"), CASES)
def test_rule_example(rule, kind, example) -> None:  # type: ignore[no-untyped-def]
    outcome = check_example(CLEANER, rule, kind, example)
    assert outcome.passed, str(outcome)


def test_every_rule_has_both_kinds_of_example() -> None:
    for rule in CLEANER.rules:
        assert rule.examples_remove and rule.examples_keep, rule.id


def test_no_shipped_rule_lists_a_whole_line_phrase_twice() -> None:
    """Whole-line phrases are compared with case, spacing and decoration folded away
    ('Read More:' is 'read more'), so two spellings of one phrase in a rule are one."""
    from cleaner.lines import phrase_key

    for rule in CLEANER.rules:
        if rule.phrases and rule.whole_line:
            keys = [phrase_key(ph, fold=rule.ignore_case) for ph in rule.phrases]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            assert not twice, (rule.id, twice)


WRONG = """
[[rule]]
id = "user.photo"
category = "credit"
description = "A user's photo credit rule with one wrong example each way."
line = '^Photo: .+$'
examples.remove = ["Photo: Jane Doe", "Picture: Jane Doe"]
examples.keep = ["A sentence about a photo.", "Photo: this one is removed although listed as keep"]
"""


def test_wrong_examples_are_reported() -> None:
    cleaner = Cleaner(rules=parse_rules_text(WRONG, "user.toml"))
    failed = [o for o in run_examples(cleaner) if not o.passed]
    assert [(o.rule.id, o.kind, o.example.text) for o in failed] == [
        ("user.photo", "remove", "Picture: Jane Doe"),
        ("user.photo", "keep", "Photo: this one is removed although listed as keep"),
    ]
    assert str(failed[0]) == "user.toml: user.photo: remove: 'Picture: Jane Doe': the rule removed nothing"
