"""The rule rows of the bad-input matrix (shared/RELIABILITY.md): rows 29 and 32-47.

Each test names its row. Row 38 (YAML implicit types, anchors, tags) does not arise: rule
files are TOML, which has no implicit types, anchors, aliases or tags; the tests for it
check the TOML mistakes that remain (wrong types, keys given twice, an empty file).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner import Cleaner, RuleFileError, RuleProblem, load_rules, parse_rules_text
from cleaner.loader import MAX_RULE_FILE_BYTES
from cleaner.pipeline import GUARD_MIN_CHARS, MAX_PASSES
from cleaner.ruletest import run_examples, slow_patterns

# Ordinary prose, long enough to be guarded (row 34) and to need cleaning elsewhere.
PROSE = (
    "The council said on Tuesday that the new bridge over the river would open in the spring, "
    "two years later than planned and at almost twice the cost first set aside for it.\n"
)


def problems_of(text: str, name: str = "user.toml") -> list[RuleProblem]:
    with pytest.raises(RuleFileError) as info:
        parse_rules_text(text, name)
    return info.value.problems


def only(problems: list[RuleProblem], field: str) -> RuleProblem:
    hits = [p for p in problems if p.field == field]
    assert len(hits) == 1, [str(p) for p in problems]
    return hits[0]


def cleaner_exe() -> str:
    found = shutil.which("cleaner") or str(Path(sys.executable).parent / "cleaner")
    if not Path(found).exists():
        pytest.skip("the cleaner command is not installed")
    return found


def rules_test(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        [cleaner_exe(), "rules", "test", "--no-default-rules", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


# -- row 29: catastrophic backtracking --------------------------------------------------------

EVIL_A = "line = '(a|aa)+$'"


def test_row29_backtracking_rule_in_a_merged_group_is_skipped_and_the_rest_cleaned(
    rule, cleaner_of, check
) -> None:
    c = cleaner_of(
        rule("t.ad", "line = '^AD$'"),
        rule("t.evil", EVIL_A),
        rule("t.photo", "line = '^Photo: .+$'"),
    )
    (group,) = c.plan.line_groups  # one scope: the three regexes are one alternation
    assert [r.id for r in group.line_rules] == ["t.ad", "t.evil", "t.photo"]
    c = Cleaner(rules=c.rules, doc_timeout=0.5)
    # t.evil matches 'aaaa' before it meets the line it cannot finish; skipped for the
    # document, it removes nothing anywhere in it.
    text = "Story.\naaaa\nAD\n" + "a" * 5000 + "!\nPhoto: Jane Doe\nMore.\n"
    t0 = time.monotonic()
    r = c.clean(text)
    assert time.monotonic() - t0 < 2.0
    check(text, r)
    assert r.error is None
    assert r.warnings == ("rule_timeout:t.evil",)
    assert r.skipped == ("t.evil",)
    assert r.text == "Story.\naaaa\n" + "a" * 5000 + "!\nMore.\n"
    assert {s.rule for s in r.spans} == {"t.ad", "t.photo"}


def test_row29_backtracking_match_rule_is_skipped_and_the_rest_cleaned(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.evil", EVIL_A + '\nremove = "match"'),
        rule("t.ad", "phrases = ['[AD]']\nwhole_line = false\nremove = 'match'"),
        doc_timeout=0.5,
    )
    text = "x [AD] y\n" + "a" * 5000 + "!\nz [AD]\n"
    r = c.clean(text)
    check(text, r)
    assert r.error is None and r.warnings == ("rule_timeout:t.evil",)
    assert r.text == "x  y\n" + "a" * 5000 + "!\nz \n"


@pytest.mark.parametrize(
    ("name", "matcher", "bad_line"),
    [
        ("exponential", EVIL_A, "a" * 5000 + "!"),
        # The 2016 Stack Overflow outage: a whitespace trim on a line of 20k spaces.
        ("whitespace-trim", r"span = '\s+$'" + '\nremove = "match"', " " * 200_000 + "x"),
        # The 2019 Cloudflare outage: the .*(?:.*=.*) part of the WAF rule.
        ("cloudflare", "line = '.*(?:.*=.*)'", "=" + "x" * 200_000),
    ],
)
def test_row29_each_outage_pattern_costs_only_its_rule(
    name: str, matcher: str, bad_line: str, rule, cleaner_of, check
) -> None:
    c = cleaner_of(
        rule("t.evil", matcher),
        rule("t.ad", "line = '^AD$'"),
        rule("t.credit", "span = 'Photo: Jane Doe\\R'"),
        doc_timeout=0.5,
    )
    text = f"Story.\nAD\n{bad_line}\nPhoto: Jane Doe\nMore.\n"
    t0 = time.monotonic()
    r = c.clean(text)
    assert time.monotonic() - t0 < 2.5
    check(text, r)
    assert r.error is None
    assert r.warnings == ("rule_timeout:t.evil",)
    assert r.text == f"Story.\n{bad_line}\nMore.\n"


def test_row29_two_slow_rules_are_both_skipped(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.evil1", EVIL_A),
        rule("t.evil2", r"span = '\s+$'" + '\nremove = "match"'),
        rule("t.ad", "line = '^AD$'"),
        doc_timeout=1.0,
    )
    text = "AD\n" + "a" * 5000 + "!\n" + " " * 100_000 + "x\nEnd.\n"
    r = c.clean(text)
    check(text, r)
    assert r.error is None
    assert r.warnings == ("rule_timeout:t.evil1", "rule_timeout:t.evil2")
    assert r.text == text[3:]


def test_row29_when_the_document_runs_out_of_time_it_is_left_unchanged(rule, cleaner_of, check) -> None:
    """No rule is to blame when the limit itself is gone: the document goes unchanged."""
    c = cleaner_of(rule("t.ad", "line = '^AD$'"), doc_timeout=1e-9)
    text = "Story.\nAD\nMore.\n"
    r = c.clean(text)
    check(text, r)
    assert r.error is not None and r.error.startswith("rule_timeout: t.ad ran past")
    assert r.text == text and r.spans == ()


def test_row29_the_same_rule_still_works_on_ordinary_text(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.evil", EVIL_A), rule("t.ad", "line = '^AD$'"), doc_timeout=0.5)
    text = "Story.\naaaa\nAD\nMore.\n"
    r = c.clean(text)
    check(text, r)
    assert r.error is None and r.warnings == ()
    assert r.text == "Story.\nMore.\n"


def test_row29_rules_test_warns_about_backtracking_patterns(rule) -> None:
    rules = parse_rules_text(
        "\n".join(
            [
                rule("t.exponential", EVIL_A),
                rule("t.trim", r"span = '\s+$'" + '\nremove = "match"'),
                rule("t.cloudflare", "line = '.*(?:.*=.*)'"),
                rule("t.nested", r"block = { start = '^(\w+\s?)+$', end = '^END$', max_lines = 5 }"),
                rule("t.fine-credit", r"line = '^\W*\(?AP Photo/[^)]{2,60}\)?\W*$'"),
                rule("t.fine-span", r"span = '(?s)Photo: .{1,80}$'"),
                rule("t.fine-space", r"span = '\s'" + '\nremove = "match"'),
                rule("t.fine-words", r"line = '^(?:\w+\s+){0,6}logo$'"),
            ]
        ),
        "user.toml",
    )
    t0 = time.monotonic()
    found = slow_patterns(rules)
    assert time.monotonic() - t0 < 10
    assert [(w.rule.id, w.field) for w in found] == [
        ("t.exponential", "line"),
        ("t.trim", "span"),
        ("t.cloudflare", "line"),
        ("t.nested", "block.start"),
    ]
    message = str(found[0])
    assert message.startswith("user.toml: t.exponential: line: the pattern is slow on 'a' × 10000")
    assert "catastrophic backtracking" in message


# -- row 32: malformed rule file --------------------------------------------------------------


def test_row32_toml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text('[[rule]]\nid = "t.x"\ncategory = "credit\ndescription = "d"\n', encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules([bad], defaults=False)
    (p,) = info.value.problems
    assert (p.file, p.rule, p.field) == (str(bad), "-", "-")
    assert p.message.startswith("TOML syntax error at line 3, column 19: ")
    assert str(p) == f"{bad}: -: -: {p.message}"


def test_row32_syntax_error_at_the_end_of_the_file() -> None:
    (p,) = problems_of('[[rule]]\nid = "t.x"\nphrases = ["a",')
    assert p.message.startswith("TOML syntax error at the end of the file: ")


def test_row32_the_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text('[[rule]]\nid = "t.x\n', encoding="utf-8")
    proc = rules_test("--rules", bad)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert re.search(r"broken\.toml: -: -: TOML syntax error at line 2, column \d+", proc.stderr), proc.stderr


# -- row 33: invalid regex ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["line", "span"])
def test_row33_invalid_regex_names_the_rule_and_the_position(field: str, rule) -> None:
    p = only(problems_of(rule("t.bad", f"{field} = '(unclosed'")), field)
    assert p.rule == "t.bad"
    assert p.message == "invalid regular expression at position 9: missing )"


def test_row33_regex_nested_too_deep_is_a_rule_error_not_a_crash(rule) -> None:
    pattern = "(" * 1000 + "a" + ")" * 1000
    p = only(problems_of(rule("t.deep", f"line = '{pattern}'")), "line")
    assert p.message == "invalid regular expression: groups nested too deep"


def test_row33_huge_repeat_count_is_a_rule_error(rule) -> None:
    p = only(problems_of(rule("t.huge", "line = 'a{99999999999}'")), "line")
    assert "invalid regular expression" in p.message


# -- row 34: a rule that matches everything ----------------------------------------------------

EVERYTHING = "span = '(?s).+'\nremove = \"match\""


def long_text() -> str:
    text = "Photo: Jane Doe\n" + PROSE * 10
    assert len(text) >= GUARD_MIN_CHARS
    return text


def test_row34_a_rule_removing_most_of_a_document_leaves_it_unchanged(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.all", EVERYTHING), rule("t.photo", "line = '^Photo: .+$'"))
    text = long_text()
    r = c.clean(text)
    check(text, r)
    assert r.text == text and r.spans == ()
    assert r.error is not None
    assert r.error.startswith("guard: too_much_removed:t.all would remove ")
    assert "(100%; its limit is 50%)" in r.error


def test_row34_the_limit_is_per_rule(rule, cleaner_of, check) -> None:
    text = long_text()
    # The rule's own key lets it remove everything (as whole-page heuristics must)...
    r = cleaner_of(rule("t.all", EVERYTHING + "\nmax_removed_fraction = 1.0")).clean(text)
    check(text, r)
    assert r.error is None and r.text == ""
    # ...or holds back a rule at a lower fraction than the default.
    photo = "line = '^Photo: .+$'\nmax_removed_fraction = 0.005"
    r = cleaner_of(rule("t.photo", photo)).clean(text)
    assert r.error is not None and r.error.startswith("guard: too_much_removed:t.photo ")
    assert r.text == text


def test_row34_the_cleaner_default_applies_to_rules_without_their_own(rule) -> None:
    rules = parse_rules_text(rule("t.all", EVERYTHING), "user.toml")
    text = long_text()
    assert Cleaner(rules=rules, max_removed_fraction=1.0).clean(text).text == ""
    assert Cleaner(rules=rules, max_removed_fraction=0.99).clean(text).error is not None


def test_row34_a_rule_under_the_limit_is_not_held_back(rule, cleaner_of, check) -> None:
    text = long_text()
    r = cleaner_of(rule("t.all", EVERYTHING), rule("t.photo", "line = '^Photo: .+$'")).clean(text[16:] + text)
    assert r.error is not None  # t.all still trips the guard
    r = cleaner_of(rule("t.photo", "line = '^Photo: .+$'")).clean(text)
    check(text, r)
    assert r.error is None and r.text == PROSE * 10


def test_row34_short_documents_are_not_guarded(rule, cleaner_of) -> None:
    text = "Photo: Jane Doe\n"
    assert len(text) < GUARD_MIN_CHARS
    r = cleaner_of(rule("t.photo", "line = '^Photo: .+$'")).clean(text)
    assert r.error is None and r.text == ""


def test_row34_rule_examples_are_not_guarded(rule) -> None:
    """An example is a tiny document the rule removes entirely; `rules test` passes it."""
    big = "Photo: Jane Doe " * 100
    rules = parse_rules_text(
        rule("t.all", EVERYTHING, remove_examples=[big], keep_examples=[]).replace(
            "examples.keep = []", 'examples.keep = ["x"]'
        ),
        "user.toml",
    )
    cleaner = Cleaner(rules=rules)
    outcomes = list(run_examples(cleaner))
    assert [(o.kind, o.passed) for o in outcomes] == [("remove", True), ("keep", False)]
    assert cleaner.clean(big).error is not None  # the same text, cleaned, is guarded


@pytest.mark.parametrize("value", ["0", "0.0", "1.5", "-0.1", "'half'", "true"])
def test_row34_max_removed_fraction_is_validated(value: str, rule) -> None:
    p = only(
        problems_of(rule("t.x", f"line = '^x$'\nmax_removed_fraction = {value}")), "max_removed_fraction"
    )
    assert p.message == "must be a number above 0 and at most 1"


# -- row 35: patterns that can match the empty string -----------------------------------------


@pytest.mark.parametrize("pattern", ["x*", "^", "(?m)$"])
def test_row35_empty_matching_pattern_is_refused_at_load(pattern: str, rule) -> None:
    p = only(problems_of(rule("t.empty", f"span = '{pattern}'")), "span")
    assert p.message == "pattern can match the empty string"


@pytest.mark.parametrize("kind", ["line", "span"])
@pytest.mark.parametrize("remove", ["line", "match"])
def test_row35_the_engine_never_emits_an_empty_span(kind: str, remove: str, rule, check) -> None:
    """Even a rule that slipped past the loader (built in code here) yields no empty span."""
    (base,) = parse_rules_text(rule("t.empty", f"{kind} = 'x'\nremove = '{remove}'"), "user.toml")
    empty = dataclasses.replace(base, pattern="x*")
    text = "ab\nxx c\n\nx\n"
    r = Cleaner(rules=[empty]).clean(text)
    check(text, r)
    assert r.spans and all(s.end > s.start for s in r.spans)


# -- row 36: duplicate ids ------------------------------------------------------------------------


def test_row36_duplicate_ids_in_one_file_name_both_places(rule) -> None:
    text = (
        rule("t.dup", "line = '^a$'")
        + "\n"
        + rule("t.other", "line = '^b$'")
        + "\n"
        + rule("t.dup", "line = '^c$'")
    )
    (p,) = problems_of(text)
    assert (p.rule, p.field) == ("t.dup", "id")
    assert p.message == "duplicate rule id in this file: [[rule]] #1, line 1 and [[rule]] #3, line 17"


def test_row36_duplicate_ids_across_files_name_both_places(rule, tmp_path: Path) -> None:
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    a.write_text(rule("t.one", "line = '^a$'") + rule("t.dup", "line = '^b$'"), encoding="utf-8")
    b.write_text(rule("t.dup", "line = '^c$'"), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules([a, b], defaults=False)
    (p,) = info.value.problems
    assert (p.file, p.rule, p.field) == (str(b), "t.dup", "id")
    assert p.message == f"duplicate rule id: [[rule]] #1, line 1, first defined in {a} ([[rule]] #2, line 8)"


# -- row 37: unknown keys ---------------------------------------------------------------------------


def test_row37_unknown_key_gets_a_did_you_mean(rule) -> None:
    problems = problems_of(rule("t.donate", "regx = '^Donate$'"))
    p = only(problems, "regx")
    assert str(p) == "user.toml: t.donate: regx: unknown key 'regx' (did you mean 'line'?)"


def test_row37_close_typo_of_a_key(rule) -> None:
    p = only(problems_of(rule("t.donate", "line = '^Donate$'\nmax_word = 3")), "max_word")
    assert p.message == "unknown key 'max_word' (did you mean 'max_words'?)"


# -- row 38: what YAML gets wrong, in TOML ------------------------------------------------------


def test_row38_a_phrase_that_is_not_a_string(rule) -> None:
    p = only(problems_of(rule("t.x", "phrases = 1")), "phrases")
    assert p.message == "must be a string or a list of strings"
    p = only(problems_of(rule("t.x", "phrases = ['ok', 2024-01-01]")), "phrases")
    assert p.message == "must be a string or a list of strings"


def test_row38_no_and_off_are_strings_in_toml(rule) -> None:
    (r,) = parse_rules_text(rule("t.x", "phrases = ['no', 'off', 'on']"), "user.toml")
    assert r.phrases == ("no", "off", "on")
    (r,) = parse_rules_text(rule("t.x", "phrases = 'no'"), "user.toml")
    assert r.phrases == ("no",)


@pytest.mark.parametrize(
    ("key", "value"), [("ignore_case", "'no'"), ("whole_line", "'off'"), ("mined", "'yes'")]
)
def test_row38_a_string_where_a_boolean_belongs(key: str, value: str, rule) -> None:
    p = only(problems_of(rule("t.x", f"phrases = ['a']\n{key} = {value}")), key)
    assert p.message == "must be true or false"


def test_row38_a_date_where_a_string_belongs() -> None:
    text = (
        '[[rule]]\nid = "t.x"\ncategory = "credit"\ndescription = 2024-01-01\n'
        "phrases = ['a']\nexamples.remove = ['a']\nexamples.keep = ['b']\n"
    )
    assert only(problems_of(text), "description").message == "must be a non-empty string"


def test_row38_a_key_given_twice() -> None:
    text = '[[rule]]\nid = "t.x"\nid = "t.y"\n'
    (p,) = problems_of(text)
    assert (
        p.message == "TOML syntax error at line 3, column 11: duplicate key 'id' (Cannot overwrite a value)"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "[pack]\nname = 'p'\n"])
def test_row38_a_file_without_rules(text: str) -> None:
    (p,) = problems_of(text)
    assert (p.rule, p.field, p.message) == ("-", "rule", "the file holds no [[rule]]")


# -- row 39: oversized or deeply nested files -------------------------------------------------


def test_row39_oversized_rule_file(tmp_path: Path, rule) -> None:
    big = tmp_path / "big.toml"
    filler = "# " + "x" * 1000 + "\n"
    big.write_text(rule("t.x", "line = '^x$'") + filler * (MAX_RULE_FILE_BYTES // len(filler) + 1))
    with pytest.raises(RuleFileError) as info:
        load_rules([big], defaults=False)
    (p,) = info.value.problems
    assert p.message == "rule file exceeds 1 MiB"
    (p,) = problems_of(big.read_text())
    assert p.message == "rule file exceeds 1 MiB"


@pytest.mark.parametrize(
    "text",
    ["x = " + "[" * 1000, "x = " + "{a=" * 1000, "[[rule]]\nphrases = " + "[" * 1000 + "'a'" + "]" * 1000],
    ids=["arrays", "inline-tables", "closed-arrays"],
)
def test_row39_deeply_nested_rule_file(text: str) -> None:
    (p,) = problems_of(text)
    assert p.message == "nesting too deep"


def test_row39_brackets_alone_are_a_syntax_error() -> None:
    (p,) = problems_of("[" * 1000)
    assert p.message.startswith("TOML syntax error at line 1, column 3")


def test_row39_the_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 1000, encoding="utf-8")
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * MAX_RULE_FILE_BYTES + b"\n")
    proc = rules_test("--rules", deep, "--rules", big)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "deep.toml: -: -: nesting too deep" in proc.stderr
    assert "big.toml: -: -: rule file exceeds 1 MiB" in proc.stderr


# -- rows 41 and 42: overlapping and adjacent spans -------------------------------------------


def span_rule(rid: str, literal: str, rule) -> str:
    return rule(rid, f"span = '{literal}'\nremove = \"match\"")


TEXT_41 = "0123456789" + "AAAAAAAAAA" + "abcdefghij" + "BBBBBBBBBB" + "0123456789\n"


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_row41_overlapping_rules_become_one_span(order: str, rule, cleaner_of, check) -> None:
    a = span_rule("t.a", "AAAAAAAAAAabcdefghij", rule)  # [10, 30)
    b = span_rule("t.b", "abcdefghijBBBBBBBBBB", rule)  # [20, 40)
    c = cleaner_of(*((a, b) if order == "ab" else (b, a)))
    r = c.clean(TEXT_41)
    check(TEXT_41, r)
    (span,) = r.spans
    assert (span.start, span.end) == (10, 40)
    # Same priority and length: the earlier match is credited, whatever the rule order.
    assert span.rule == "t.a" and span.rules == ("t.a", "t.b")
    assert r.text == "0123456789" + "0123456789\n"


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_row42_adjacent_spans_stay_separate(order: str, rule, cleaner_of, check) -> None:
    a = span_rule("t.a", "AAAAAAAAAA", rule)  # [10, 20)
    b = span_rule("t.b", "abcdefghij", rule)  # [20, 30)
    c = cleaner_of(*((a, b) if order == "ab" else (b, a)))
    r = c.clean(TEXT_41)
    check(TEXT_41, r)
    assert [(s.start, s.end, s.rule, s.rules) for s in r.spans] == [
        (10, 20, "t.a", ("t.a",)),
        (20, 30, "t.b", ("t.b",)),
    ]


# -- row 43: a huge number of matches -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "body"),
    # Line rules skip blank lines, so the line rule gets ten megabytes of 'x ' instead.
    [("span", " " * 10_000_000), ("line", "x " * 5_000_000)],
    ids=["span", "line"],
)
def test_row43_ten_megabytes_of_spaces_hit_the_span_cap(kind: str, body: str, rule, cleaner_of) -> None:
    c = cleaner_of(rule("t.space", f"{kind} = '\\s'\nremove = \"match\""), rule("t.ad", "line = '^AD$'"))
    text = "AD\n" + body
    t0 = time.monotonic()
    r = c.clean(text)
    assert time.monotonic() - t0 < 5.0
    assert r.error == "too_many_matches: t.space matched more than the limit of 100,000"
    assert r.text is text and r.spans == ()


def test_row43_the_cap_is_configurable_and_names_the_rule_with_most_matches(rule) -> None:
    rules = parse_rules_text(
        rule("t.x", "span = 'x'\nremove = 'match'") + rule("t.y", "span = 'y'\nremove = 'match'"), "u.toml"
    )
    text = "x y y y x y\n"
    assert Cleaner(rules=rules, max_spans=6).clean(text).error is None
    r = Cleaner(rules=rules, max_spans=5).clean(text)
    assert r.error == "too_many_matches: t.y matched more than the limit of 5"
    assert r.text == text


# -- row 44: case maps that change length ----------------------------------------------------


def test_row44_dotted_capital_i_does_not_shift_offsets(rule, cleaner_of, check) -> None:
    # 'İ'.lower() is two code points: offsets taken from a lower-cased copy would drift.
    c = cleaner_of(rule("t.sp", "phrases = ['sponsored']\nwhole_line = false\nremove = 'match'"))
    text = "İİİ SPONSORED İstanbul Sponsored x\n"
    r = c.clean(text)
    check(text, r)
    assert [s.text for s in r.spans] == ["SPONSORED", "Sponsored"]
    assert r.text == "İİİ  İstanbul  x\n"


def test_row44_full_case_folding_matches_sharp_s_with_its_own_length(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.street", "span = '(?fi)strasse'\nremove = 'match'"))
    text = "Die Straße, die STRASSE und die straße.\n"
    r = c.clean(text)
    check(text, r)
    assert [s.text for s in r.spans] == ["Straße", "STRASSE", "straße"]
    assert r.text == "Die , die  und die .\n"


def test_row44_whole_line_phrase_with_sharp_s(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.street", "phrases = ['STRASSE']"))
    text = "Straße\nİİ\nSTRASSE\nDie Straße ist lang.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "İİ\nDie Straße ist lang.\n"


def test_row44_capital_sharp_s_under_simple_folding(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.s", "phrases = ['Großes Foto']\nwhole_line = false\nremove = 'match'"))
    text = "İ GROẞES FOTO x\n"
    r = c.clean(text)
    check(text, r)
    assert [s.text for s in r.spans] == ["GROẞES FOTO"]


# -- rows 45 and 46: combining marks and emoji sequences at span boundaries ------------------

CAFE_MATCHERS = {
    "inline-phrase": "phrases = ['cafe']\nwhole_line = false\nremove = 'match'",
    "line-match": "line = 'cafe'\nremove = 'match'",
    "span-match": "span = 'cafe'\nremove = 'match'",
    "span-across-lines": "span = 'x\\Rcafe'\nremove = 'match'",
}


@pytest.mark.parametrize("matcher", CAFE_MATCHERS.values(), ids=CAFE_MATCHERS.keys())
def test_row45_a_match_ending_before_a_combining_mark_takes_it(matcher: str, rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.cafe", matcher))
    text = "Le x\ncafe\u0301 y\n"
    r = c.clean(text)
    check(text, r)
    if matcher.startswith("phrases"):
        # An inline phrase is whole words only, and a combining mark is a word character:
        # 'cafe' is not a word of 'cafe\u0301 y', so the match is rejected.
        assert r.text == text
        return
    (span,) = r.spans
    assert span.text.endswith("cafe\u0301")
    assert "\u0301" not in r.text


def test_row45_an_inline_phrase_ending_in_punctuation_takes_the_mark_on_it(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.cafe", "phrases = ['cafe!']\nwhole_line = false\nremove = 'match'"))
    text = "Le cafe!\u0301 x\r\n"
    r = c.clean(text)
    check(text, r)
    (span,) = r.spans
    assert span.text == "cafe!\u0301"
    assert r.text == "Le  x\r\n"


@pytest.mark.parametrize(
    "matcher",
    ["span = '\\u0301 y'\nremove = 'match'", "line = '\\u0301 y'\nremove = 'match'"],
    ids=["span", "line"],
)
def test_row45_a_match_starting_on_a_combining_mark_takes_its_base(
    matcher: str, rule, cleaner_of, check
) -> None:
    c = cleaner_of(rule("t.mark", matcher))
    text = "cafe\u0301 y z\n"
    r = c.clean(text)
    check(text, r)
    (span,) = r.spans
    assert span.text == "e\u0301 y"
    assert r.text == "caf z\n"


EMOJI = "\U0001f469\u200d\U0001f4bb"  # woman technologist: woman, ZWJ, laptop

EMOJI_MATCHERS = {
    "inline-phrase": "phrases = ['\U0001f469']\nwhole_line = false\nremove = 'match'",
    "line-match": "line = '\U0001f4bb'\nremove = 'match'",
    "span-match": "span = '\U0001f469'\nremove = 'match'",
    "span-across-lines": "span = 'dev\\R\U0001f469'\nremove = 'match'",
}


@pytest.mark.parametrize("matcher", EMOJI_MATCHERS.values(), ids=EMOJI_MATCHERS.keys())
def test_row46_a_match_inside_an_emoji_sequence_takes_all_of_it(
    matcher: str, rule, cleaner_of, check
) -> None:
    c = cleaner_of(rule("t.emoji", matcher))
    text = f"dev\n{EMOJI} here\n"
    r = c.clean(text)
    check(text, r)
    (span,) = r.spans
    assert EMOJI in span.text
    assert r.text.endswith(" here\n") and "\u200d" not in r.text


def test_row46_matches_inside_one_long_cluster_on_a_long_line(rule, cleaner_of, check) -> None:
    """Many matches inside one cluster of 5,000 combining marks on a long line: each match
    widens to the whole cluster, and the work stays bounded."""
    c = cleaner_of(rule("t.mark", "span = '\\u0301'\nremove = 'match'"))
    text = "word " * 20_000 + "e" + "\u0301" * 5000 + " end\n"
    t0 = time.monotonic()
    r = c.clean(text)
    assert time.monotonic() - t0 < 5.0
    check(text, r)
    (span,) = r.spans
    assert span.text == "e" + "\u0301" * 5000


# -- row 47: a second pass would remove more ----------------------------------------------------

AB = "span = 'ab'\nremove = \"match\""


def test_row47_single_pass_by_default_and_unchecked(rule, cleaner_of, check) -> None:
    r = cleaner_of(rule("t.ab", AB)).clean("aabb")
    check("aabb", r)
    assert r.text == "ab"
    assert r.unstable is None


def test_row47_check_stable_flags_it(rule) -> None:
    rules = parse_rules_text(rule("t.ab", AB), "u.toml")
    c = Cleaner(rules=rules, check_stable=True)
    r = c.clean("aabb")
    assert (r.text, r.unstable) == ("ab", True)
    assert c.clean("xaby").unstable is False
    assert c.clean("nothing here").unstable is False


def test_row47_until_stable_reaches_a_fixpoint_reported_on_the_original(rule, check) -> None:
    rules = parse_rules_text(rule("t.ab", AB), "u.toml")
    c = Cleaner(rules=rules, until_stable=True)
    r = c.clean("x aabb y")
    check("x aabb y", r)
    assert r.text == "x  y"
    assert r.unstable is False
    (span,) = r.spans
    assert (span.start, span.end, span.text, span.rule, span.rules) == (2, 6, "aabb", "t.ab", ("t.ab",))


def test_row47_until_stable_stops_after_the_pass_limit(rule, check) -> None:
    rules = parse_rules_text(rule("t.ab", AB), "u.toml")
    c = Cleaner(rules=rules, until_stable=True)
    text = "a" * (MAX_PASSES + 2) + "b" * (MAX_PASSES + 2)
    r = c.clean(text)
    check(text, r)
    assert r.text == "aabb"  # one "ab" per pass
    assert r.unstable is True


def test_row47_until_stable_with_line_rules_and_seams(rule, cleaner_of, check) -> None:
    """A heuristic that reads the first line left is unstable by design: each pass finds a
    new first line. The passes compose into one report on the original."""
    rules = parse_rules_text(
        rule("t.head", "heuristic = 'headline'") + rule("t.ad", "line = '^AD$'"), "u.toml"
    )
    text = "First Title Line Here\n\nAD\n\nSecond Title Line Here\nThe story starts here, as a sentence.\n"
    once = Cleaner(rules=rules, check_stable=True).clean(text)
    assert once.unstable is True
    r = Cleaner(rules=rules, until_stable=True).clean(text)
    check(text, r)
    assert r.text == "The story starts here, as a sentence.\n"
    assert r.unstable is False
    assert {s.rule for s in r.spans} >= {"t.head", "t.ad"}
