"""Rule-file validation: every problem is found, named by file, rule id and field, and raised once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaner import RuleFileError, RuleProblem, load_rules, parse_rules_text

VALID = """
[[rule]]
id = "t.ok"
category = "sponsored"
description = "A valid rule."
phrases = ["Advertisement"]
examples.remove = ["Advertisement"]
examples.keep = ["An advertisement ran."]
"""


def one_rule(body: str, rid: str = "t.bad", category: str = "boilerplate") -> str:
    return f"""
[[rule]]
id = "{rid}"
category = "{category}"
description = "A rule under test."
{body}
examples.remove = ["remove me"]
examples.keep = ["keep me"]
"""


def problems_of(text: str, name: str = "user.toml") -> list[RuleProblem]:
    with pytest.raises(RuleFileError) as info:
        parse_rules_text(text, name)
    problems = info.value.problems
    assert problems, "a RuleFileError must carry at least one problem"
    return problems


def only(problems: list[RuleProblem], field: str) -> RuleProblem:
    hits = [p for p in problems if p.field == field]
    assert len(hits) == 1, [str(p) for p in problems]
    return hits[0]


def test_valid_rule_parses() -> None:
    rules = parse_rules_text(VALID, "user.toml")
    assert [r.id for r in rules] == ["t.ok"]
    assert rules[0].phrases == ("Advertisement",)


def test_unknown_key_is_named() -> None:
    problems = problems_of(one_rule("line = '^Photo: .+$'\ncatgory = 'credit'"))
    p = only(problems, "catgory")
    assert (p.file, p.rule) == ("user.toml", "t.bad")
    assert "unknown key 'catgory'" in p.message
    assert "did you mean 'category'" in p.message


def test_regx_typo_gets_a_did_you_mean() -> None:
    problems = problems_of(one_rule("line = '^Photo: .+$'\nregx = '^Credit: .+$'"))
    p = only(problems, "regx")
    assert p.rule == "t.bad"
    assert "unknown key 'regx'" in p.message
    assert "did you mean" in p.message


def test_regx_typo_is_an_unknown_key() -> None:
    """The part of the typo check that holds today: the key is named and rejected."""
    problems = problems_of(one_rule("regx = '^Credit: .+$'"))
    p = only(problems, "regx")
    assert p.rule == "t.bad"
    assert "unknown key 'regx'" in p.message
    # The rule then has no matcher, which is reported too, in the same error.
    assert any(q.field == "matcher" for q in problems)


def test_unknown_top_level_and_pack_keys() -> None:
    text = '[pack]\nname = "p"\nsitse = ["a.com"]\n\n[rules]\nx = 1\n' + VALID
    problems = problems_of(text)
    fields = {p.field for p in problems}
    assert "pack.sitse" in fields
    assert "rules" in fields
    assert "did you mean 'sites'" in only(problems, "pack.sitse").message


def test_duplicate_ids_within_one_file() -> None:
    problems = problems_of(VALID + VALID)
    p = only(problems, "id")
    assert p.rule == "t.ok"
    assert "duplicate" in p.message


def test_duplicate_ids_across_two_files_name_both(tmp_path: Path) -> None:
    a = tmp_path / "first.toml"
    b = tmp_path / "second.toml"
    a.write_text(VALID, encoding="utf-8")
    b.write_text(VALID, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules([a, b], defaults=False)
    (p,) = info.value.problems
    assert p.rule == "t.ok" and p.field == "id"
    assert "duplicate" in p.message
    text = str(p)
    assert "first.toml" in text and "second.toml" in text


def test_duplicate_id_of_a_default_rule_is_refused(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(VALID.replace("t.ok", "credits.credit-line"), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules([user], defaults=True)
    (p,) = info.value.problems
    assert p.rule == "credits.credit-line" and p.field == "id"
    assert "mine.toml" in str(p) and "credits.toml" in str(p)


@pytest.mark.parametrize("field", ["line", "span"])
def test_invalid_regex_names_rule_and_field(field: str) -> None:
    p = only(problems_of(one_rule(f"{field} = '(unclosed'")), field)
    assert p.rule == "t.bad"
    assert "invalid regular expression" in p.message


def test_invalid_regex_in_a_block_names_the_block_field() -> None:
    problems = problems_of(one_rule("block = { start = '^START$', end = '[unclosed', max_lines = 5 }"))
    p = only(problems, "block.end")
    assert p.rule == "t.bad"
    assert "invalid regular expression" in p.message


@pytest.mark.parametrize("pattern", ["x*", "^", "(?m)$", "$", r"\b", "(?:ab)?", "a|", "(?=x)", r"\R?"])
@pytest.mark.parametrize("field", ["line", "span"])
def test_patterns_that_match_the_empty_string_are_refused(field: str, pattern: str) -> None:
    p = only(problems_of(one_rule(f"{field} = '{pattern}'")), field)
    assert p.rule == "t.bad"
    assert "empty string" in p.message


@pytest.mark.parametrize("phrase", ["...", "***", "- | -", " … "])
def test_a_whole_line_phrase_of_decoration_only_is_refused(phrase: str) -> None:
    """Whole-line matching strips decoration from both ends of a line and a phrase, so such
    a phrase would match every line made of those signs."""
    p = only(problems_of(one_rule(f"phrases = ['{phrase}']")), "phrases")
    assert p.rule == "t.bad"
    assert repr(phrase) in p.message and "decoration only" in p.message


def test_a_decoration_phrase_inside_a_line_is_allowed() -> None:
    rules = parse_rules_text(one_rule("phrases = ['***']\nwhole_line = false", rid="t.ok"), "user.toml")
    assert rules[0].phrases == ("***",)


def test_empty_matching_block_start_is_refused() -> None:
    p = only(problems_of(one_rule("block = { start = '^', end = 'END', max_lines = 5 }")), "block.start")
    assert "empty string" in p.message


def test_context_dependent_empty_match_is_refused() -> None:
    p = only(problems_of(one_rule(r"span = '(?<=Photo:)\s*'")), "span")
    assert "empty string" in p.message


def test_missing_matcher() -> None:
    p = only(problems_of(one_rule("")), "matcher")
    assert p.rule == "t.bad"
    assert "found none" in p.message


def test_two_matchers() -> None:
    p = only(problems_of(one_rule("line = '^a$'\nspan = 'b'")), "matcher")
    assert p.rule == "t.bad"
    assert "line" in p.message and "span" in p.message


def test_bad_category() -> None:
    p = only(problems_of(one_rule("line = '^ad$'", category="adverts")), "category")
    assert p.rule == "t.bad"
    assert "must be one of" in p.message
    assert "sponsored" in p.message


def test_bad_zone() -> None:
    p = only(problems_of(one_rule("line = '^ad$'\nzone = 'middle'")), "zone")
    assert p.rule == "t.bad"
    assert "head" in p.message and "tail" in p.message


def test_missing_examples() -> None:
    text = '[[rule]]\nid = "t.bad"\ncategory = "boilerplate"\ndescription = "d"\nline = "^ad$"\n'
    p = only(problems_of(text), "examples")
    assert p.rule == "t.bad"


def test_empty_example_lists() -> None:
    text = (
        '[[rule]]\nid = "t.bad"\ncategory = "boilerplate"\ndescription = "d"\nline = "^ad$"\n'
        "examples.remove = []\nexamples.keep = []\n"
    )
    problems = problems_of(text)
    assert {p.field for p in problems} == {"examples.remove", "examples.keep"}


def test_unknown_heuristic() -> None:
    p = only(problems_of(one_rule("heuristic = 'headlin'")), "heuristic")
    assert p.rule == "t.bad"
    assert "unknown heuristic 'headlin'" in p.message
    assert "did you mean 'headline'" in p.message


def test_bad_heuristic_params() -> None:
    problems = problems_of(one_rule("heuristic = 'headline'\nparams = { min_words = 'three', colour = 1 }"))
    assert "must be an integer" in only(problems, "params.min_words").message
    assert "unknown key 'colour'" in only(problems, "params.colour").message
    assert all(p.rule == "t.bad" for p in problems)


def test_bad_pattern_in_heuristic_params() -> None:
    params = "params = { rules = ['t.ok'], at_start = true, not_name = '(?i)^(by' }"
    (p,) = problems_of(one_rule(f"heuristic = 'comment-thread'\n{params}"))
    assert p.rule == "t.bad"
    assert p.message.startswith("not_name: ")


def test_required_heuristic_param_missing() -> None:
    p = only(problems_of(one_rule("heuristic = 'phrase-count'\nparams = { min_hits = 2 }")), "params.phrases")
    assert "needs this parameter" in p.message


def test_toml_syntax_error_has_line_and_column() -> None:
    # The string opened on line 4 is never closed.
    text = '[[rule]]\nid = "t.bad"\ncategory = "boilerplate"\ndescription = "no closing quote\n'
    (p,) = problems_of(text)
    assert (p.file, p.rule, p.field) == ("user.toml", "-", "-")
    m = re.search(r"line (\d+), column (\d+)", p.message)
    assert m is not None, p.message
    assert int(m.group(1)) == 4


def test_missing_rule_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(RuleFileError) as info:
        load_rules([missing], defaults=False)
    (p,) = info.value.problems
    assert str(missing) in p.file
    assert "no such file" in p.message


def test_all_problems_of_all_files_are_reported_at_once(tmp_path: Path) -> None:
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    c = tmp_path / "c.toml"
    a.write_text(one_rule("line = '^ad$'\nregx = 'x'\nzone = 'middle'", rid="a.one"), encoding="utf-8")
    b.write_text(VALID + one_rule("span = '(unclosed'", rid="b.two"), encoding="utf-8")
    c.write_text("[[rule]]\nid = 'c.three\n", encoding="utf-8")
    missing = tmp_path / "d.toml"
    with pytest.raises(RuleFileError) as info:
        load_rules([a, b, c, missing], defaults=False)
    err = info.value
    got = {(Path(p.file).name, p.rule, p.field) for p in err.problems}
    assert got == {
        ("a.toml", "a.one", "regx"),
        ("a.toml", "a.one", "zone"),
        ("b.toml", "b.two", "span"),
        ("c.toml", "-", "-"),
        ("d.toml", "-", "-"),
    }
    lines = str(err).split("\n")
    assert len(lines) == len(err.problems)
    for p, line in zip(err.problems, lines, strict=True):
        assert line == f"{p.file}: {p.rule}: {p.field}: {p.message}"
        assert re.fullmatch(r"[^:]+: [^:]+: [^:]+: .+", line), line


def test_problem_format() -> None:
    p = RuleProblem("rules/x.toml", "x.rule", "line", "invalid regular expression")
    assert str(p) == "rules/x.toml: x.rule: line: invalid regular expression"


def test_default_packs_load() -> None:
    rules = load_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    for rid in ("credits.split-credit", "donation.appeal", "sponsored.label", "sites.laist.section-label"):
        assert rid in ids
    assert all(r.examples_remove and r.examples_keep for r in rules)


def test_defaults_false_loads_only_the_given_files(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(VALID, encoding="utf-8")
    assert [r.id for r in load_rules([user], defaults=False)] == ["t.ok"]
    assert [r.id for r in load_rules([tmp_path], defaults=False)] == ["t.ok"]
    with_defaults = [r.id for r in load_rules([user])]
    assert "t.ok" in with_defaults and "donation.appeal" in with_defaults


def test_a_heuristic_naming_a_rule_that_is_not_loaded_is_refused(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(
        VALID + one_rule('heuristic = "follows"\nparams = { rules = ["t.ok", "t.missing"] }', rid="t.after"),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as info:
        load_rules([user], defaults=False)
    (p,) = info.value.problems
    assert (p.rule, p.field) == ("t.after", "params.rules")
    assert "t.missing" in p.message and "mine.toml" in str(p)
    # naming a rule of the default packs is fine when they are loaded
    after_default = one_rule('heuristic = "follows"\nparams = { rules = ["navigation.post-nav"] }')
    user.write_text(after_default, encoding="utf-8")
    assert any(r.id == "t.bad" for r in load_rules([user], defaults=True))


def test_a_comment_thread_opener_that_is_not_loaded_is_refused(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    params = 'params = { rules = ["t.ok"], openers = ["t.heading"] }'
    user.write_text(
        VALID + one_rule(f'heuristic = "comment-thread"\n{params}', rid="t.thread"), encoding="utf-8"
    )
    with pytest.raises(RuleFileError) as info:
        load_rules([user], defaults=False)
    (p,) = info.value.problems
    assert (p.rule, p.field) == ("t.thread", "params.openers")
    assert "t.heading" in p.message


def test_every_default_rule_carries_its_evidence() -> None:
    """A default rule's pattern was seen on two unrelated sites; a site pack's, on its site."""
    from cleaner.loader import unrelated

    for rule in load_rules():
        if "/sites/" in rule.file:
            assert rule.seen and rule.sites, rule.id
        else:
            assert unrelated(rule.seen) >= 2, (rule.id, rule.seen)


def test_a_default_rule_without_evidence_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader checks the evidence of the default packs (not of a user's rules)."""
    import cleaner.loader as loader

    packs = tmp_path / "rules"
    packs.mkdir()
    (packs / "p.toml").write_text(
        VALID.replace('category = "', 'seen = ["a.example", "www.a.example"]\ncategory = "', 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(loader, "default_rules_dir", lambda: packs)
    with pytest.raises(RuleFileError) as info:
        load_rules()
    (p,) = info.value.problems
    assert p.field == "seen" and "unrelated" in p.message and "rules/sites/" in p.message
    (packs / "p.toml").write_text(
        VALID.replace('category = "', 'seen = ["a.example", "b.example"]\ncategory = "', 1), encoding="utf-8"
    )
    assert [r.id for r in load_rules()] == ["t.ok"]
    user = tmp_path / "user.toml"
    user.write_text(VALID.replace("t.ok", "t.mine"), encoding="utf-8")  # no seen: a user's rule needs none
    assert [r.id for r in load_rules([user])] == ["t.ok", "t.mine"]


def test_site_keys_tell_related_sites_apart() -> None:
    from cleaner.loader import site_key, unrelated

    assert site_key("news.bbc.co.uk") == site_key("www.bbc.com") == "bbc"
    assert unrelated(["bbc.com", "bbc.co.uk", "https://www.nytimes.com/x", "blogs.nytimes.com"]) == 2
