"""The literal prefilter: its literals are sound, its two engines agree, and it changes no result."""

from __future__ import annotations

import functools
import glob
import os
import string

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.compile import compile_plan
from cleaner.lines import split_lines
from cleaner.prefilter import (
    CASELESS_SIGNS,
    CJK_IDEOGRAPHS,
    CYRILLIC_LETTERS,
    DIGIT,
    FOLD,
    KANA,
    LiteralCount,
    Prefilter,
    anchored,
    count_literal,
    fold,
    required_literals,
    required_literals_per_line,
)
from cleaner.schema import Kind

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench", "aeb-dev")
ALL_CODE_POINTS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


# -- the fold -------------------------------------------------------------------------------


def test_fold_keeps_every_offset() -> None:
    assert len(fold(ALL_CODE_POINTS)) == len(ALL_CODE_POINTS)


def test_every_code_point_regex_equates_with_a_literal_letter_folds_to_it() -> None:
    """The fold is sound only if no code point matches an ASCII or Russian letter
    case-insensitively in ``regex`` without folding to that letter (Kelvin sign, long s,
    dotless i, the old Cyrillic forms of o and te...)."""
    folded = fold(ALL_CODE_POINTS)
    letters = string.ascii_lowercase + "".join(sorted({c.lower() for c in CYRILLIC_LETTERS}))
    assert len(letters) == 26 + 33
    for letter in letters:
        for m in regex.finditer(f"(?i){letter}", ALL_CODE_POINTS, regex.V0):
            assert folded[m.start()] == letter, (hex(ord(m.group())), letter)
    assert {chr(c) for c in FOLD} <= set(ALL_CODE_POINTS)


def test_the_caseless_signs_match_only_themselves() -> None:
    for sign in CASELESS_SIGNS + string.digits + string.punctuation:
        hits = {m.group() for m in regex.finditer(f"(?i){regex.escape(sign)}", ALL_CODE_POINTS, regex.V0)}
        assert hits == {sign}
        assert fold(sign) == sign


def test_cjk_ideographs_match_only_themselves() -> None:
    """No code point outside the block matches an ideograph case-insensitively, and each
    folds to itself, so an ideograph in a literal is found by looking for it as it is."""
    hits = regex.findall(r"(?i)[\u4e00-\u9fff]", ALL_CODE_POINTS, regex.V0)
    ideographs = "".join(map(chr, CJK_IDEOGRAPHS))
    assert "".join(hits) == ideographs
    assert fold(ideographs) == ideographs
    assert required_literals(r"^\W*版权声明\s*：") == {"版权声明"}


def test_kana_match_only_themselves() -> None:
    hits = regex.findall(r"(?i)[\u3040-\u30ff]", ALL_CODE_POINTS, regex.V0)
    kana = "".join(map(chr, KANA))
    assert "".join(hits) == kana
    assert fold(kana) == kana
    assert required_literals(r"(?i)^\W*この記事は会員限定") == {"この記事は会員限定"}


def test_russian_literals_are_found_in_either_case() -> None:
    assert required_literals(r"(?i)^\W*Читайте\s+также") == {"читайте"}  # the longer word
    assert fold("ЧИТАЙТЕ ТАКЖЕ") == "читайте также"
    assert fold("\u1c82") == "о"  # the old narrow o, which regex equates with о


# -- literals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"Photo\s*(?:by|credit)", {"photo"}),
        (r"(?i:^\W*(?:Getty|AP)\s+Images)", {"images"}),
        (r"(?:Getty Images|Reuters)", {"getty images", "reuters"}),
        (r"^[Pp]hoto:", {"photo:"}),
        (r"^\s*\d+(?:st|nd|rd|th)?\s*$", {DIGIT}),
        (r"^\s*(?:\d{1,2}:)?\d{1,2}:\d{2}\s*$", {":"}),  # a sign is on fewer lines than a digit
        (r"^(?:on|de) the", {" the"}),  # 'on' and 'de' are on too many lines to count
        (r"^\p{Lu}\w+ is a (?:writer|reporter)\b", {" is a "}),
        (r"(?=[^\n]*\bupdated\b)\w+", {"updated"}),
        (r"(?:credit|redit)s?", {"redit"}),
        (r"^\s*[\w.+-]+@[\w-]+\s*$", {"@"}),
        (r"©\s*\d{4}", {"©"}),
    ],
)
def test_required_literals(pattern: str, expected: set[str]) -> None:
    assert required_literals(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"^\W*$",  # no fixed text at all
        r"(?:photo)?\s*credit?",  # "credi" would do... but "photo" is optional and "t" too
        r"(?:share|x|on)+",  # one branch is a single letter
        r"(?!photo)\w+",  # a negative lookahead needs nothing
        r"(?:photo){e<=1}",  # fuzzy matching: "regex" syntax that "re" reads as a literal
        r"[[:alpha:]]+ by",  # a POSIX class
        r"\L<words> by",  # a named list
        r"(?|(a)|(b)) photo",  # branch reset
        r"\m photographer",  # unknown to re: given up rather than guessed
    ],
)
def test_patterns_without_usable_literals(pattern: str) -> None:
    req = required_literals(pattern)
    if pattern.startswith("(?:photo)?"):
        assert req is None or all(lit in "credi" for lit in req)
    else:
        assert req is None


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # six phrases joined by commas: five commas, however the phrases are spelled
        (r"^\p{Ll}+(?:[ \t]*,[ \t]*\p{Ll}+){5,}$", {count_literal(",", 5)}),
        (r"^(?:\w+,){2}\w+$|^\w+(?:[ \t]*,[ \t]*\w+){3}$", {count_literal(",", 2)}),  # the fewer
        (r"^\w+\.\w+\.\w+$", {count_literal(".", 2)}),
        (r"^[,]\w+,\w+$", {count_literal(",", 2)}),  # a set of the sign alone is the sign
        (r"^\w+(?:,\w+){0,5}$", None),  # none needed at all
        (r"^\w+,\w+$", None),  # one comma is on too many lines to be worth counting
        (r"^(?=\w+,\w+,\w+)\w+", None),  # a lookahead may look at the match's own text
        (r"^\w+[,;]\w+[,;]\w+$", None),  # either sign will do
        (r"Photo: \w+, \w+, \w+", {"photo: "}),  # a literal is preferred
    ],
)
def test_required_literals_per_line(pattern: str, expected: set[str] | None) -> None:
    assert required_literals_per_line(pattern) == expected
    if expected is not None and all(lit.startswith("\x00#") for lit in expected):
        assert required_literals(pattern) is None  # a count binds a line, not a whole text


def test_anchored() -> None:
    assert anchored(r"^\s*By\s+\w+")
    assert anchored(r"(?i:^(?:a|b)c)|(?:^d)")
    assert anchored(r"\Aphoto")
    assert not anchored(r"(?m)^photo")
    assert not anchored(r"photo|^credit")
    assert not anchored(r"\s*^photo")


def test_every_default_rules_examples_hold_its_literals() -> None:
    """What a rule's own examples to remove show: where its pattern matches, the literals are."""
    cleaner = Cleaner()
    for rule in cleaner.rules:
        pattern = rule.pattern
        if pattern is None:
            continue
        req = required_literals(pattern)
        if req is None:
            continue
        compiled = regex.compile(pattern, regex.V0 | (regex.IGNORECASE if rule.ignore_case else 0))
        for example in rule.examples_remove:
            for line in example.text.splitlines():
                if compiled.search(line):
                    assert any(lit == DIGIT or lit in fold(line) for lit in req), (rule.id, line)


def test_no_line_rule_runs_on_every_line() -> None:
    """The shipped line rules all name a literal the prefilter can look for, or a sign they
    need several of: a keyword list needs five commas, and one comma is on a fifth of all
    lines. A new line rule without either runs on every line of every document, so it
    should be a choice made here. (A span rule without one costs a single search of the
    document.)"""
    lines = [r for r in Cleaner().rules if r.kind is Kind.LINE]
    assert len(lines) > 40
    free = sorted(r.id for r in lines if r.pattern is not None and required_literals(r.pattern) is None)
    assert free == ["navigation.keyword-list"]
    counts = {r.id: required_literals_per_line(r.pattern) for r in lines if r.id in free and r.pattern}
    assert counts == {"navigation.keyword-list": {count_literal(",", 5)}}


def test_every_line_rules_examples_hold_the_signs_it_counts() -> None:
    cleaner = Cleaner()
    for rule in cleaner.rules:
        if rule.kind is not Kind.LINE or rule.pattern is None or required_literals(rule.pattern):
            continue
        req = required_literals_per_line(rule.pattern)
        assert req is not None
        (lit,) = req
        compiled = regex.compile(rule.pattern, regex.V0 | (regex.IGNORECASE if rule.ignore_case else 0))
        matched = [
            line
            for example in rule.examples_remove
            for line in example.text.splitlines()
            if compiled.search(line)
        ]
        assert matched, rule.id
        for line in matched:
            assert line.count(lit[-1]) >= int(lit[2:-1]), (rule.id, line)


# -- the engines ----------------------------------------------------------------------------

_PIECES = ["Photo", "PHOTO", "photo:", "Getty", " Images", "ſ", "İ", "ı", "K", "\n", "\r\n", "\r", "©", "1"]
_PIECES += ["x", ","]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=40))
def test_both_engines_find_the_same_lines(parts: list[str]) -> None:
    text = "".join(parts)
    starts = [ln.start for ln in split_lines(text)]
    engines = []
    for pure in (False, True):
        pf = Prefilter()
        pf.add(frozenset({"photo", "getty images", "©"}))
        pf.add(frozenset({"images", DIGIT}))
        pf.add(frozenset({"sk", "ii"}))
        pf.add(frozenset({count_literal(",", 2)}))
        pf.build(pure=pure)
        found = pf.scan(text, starts)
        # whether a unit's lines are any is told without making its set
        assert [found.holds(u) for u in range(len(found))] == [bool(lines) for lines in found]
        engines.append(list(found))
    assert engines[0] == engines[1]
    # and each line found really holds a literal (or a digit)
    lines = split_lines(text)
    for i in engines[0][0]:
        assert any(lit in fold(lines[i].text) for lit in ("photo", "getty images", "©"))
    # the lines holding two commas or more, exactly
    assert engines[0][3] == {ln.index for ln in lines if ln.text.count(",") >= 2}


_PHRASES = ["sign up", "sign up for", "newsletter", "our newsletter", "© 2024", "x", "ſhare"]


_PHRASE_PIECES = [*_PHRASES, "SIGN", " UP", "\t", "\u00a0", "1"]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_PHRASE_PIECES), st.text(max_size=4))))
def test_a_literal_count_is_never_below_the_phrases_found(parts: list[str]) -> None:
    """The bound phrase-count skips lines by: of the phrases matched case-insensitively with
    any run of spaces between words, each has its literal in the line with spaces collapsed."""
    text = "".join(parts)
    reqs = [required_literals(regex.escape(ph)) for ph in _PHRASES]
    collapsed = " ".join(text.split())
    bounds = {LiteralCount(reqs, pure=pure).count(collapsed) for pure in (False, True)}
    assert len(bounds) == 1  # the two engines agree
    found = {
        ph
        for ph in _PHRASES
        if regex.search(regex.escape(ph).replace(r"\ ", r"[^\S\r\n]+"), text, regex.IGNORECASE | regex.V0)
    }
    assert bounds.pop() >= len(found)


def test_a_literal_count_counts_each_requirement_once() -> None:
    count = LiteralCount([frozenset({"sign up"}), frozenset({"newsletter", "bulletin"}), None])
    assert count.count("nothing here") == 1  # the requirement without literals
    assert count.count("Newsletter bulletin newsletter") == 2
    assert count.count("SIGN UP for the newsletter") == 3
    assert count.count("sign  up") == 1  # the caller collapses spaces first


# -- the results ----------------------------------------------------------------------------


def _outcome(cleaner: Cleaner, text: str) -> tuple[str, list[tuple[int, int, str]]]:
    result = cleaner.clean(text)
    return result.text, [(s.start, s.end, s.rule) for s in result.spans]


@functools.cache
def cleaners() -> tuple[Cleaner, Cleaner, Cleaner]:
    """The default rules with the Aho–Corasick engine, with the pure path, and unfiltered."""
    fast, pure, plain = Cleaner(), Cleaner(), Cleaner()
    pure.plan = compile_plan(pure.rules, pure_regex=True)
    plain.plan = compile_plan(plain.rules, literal_prefilter=False)
    return fast, pure, plain


def test_the_three_plans_are_what_they_say() -> None:
    fast, pure, plain = cleaners()
    assert fast.plan.prefilter.engine == "aho-corasick"
    assert pure.plan.prefilter.engine == "find"
    assert fast.plan.prefilter.n_units > 20
    assert plain.plan.prefilter.n_units == 0


PAGES = sorted(glob.glob(os.path.join(BENCH, "*.page.txt")))


@pytest.mark.skipif(not PAGES, reason="the development pages are not here")
def test_the_prefilter_changes_nothing_on_the_development_pages() -> None:
    fast, pure, plain = cleaners()
    for path in PAGES:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        expected = _outcome(plain, text)
        assert _outcome(fast, text) == expected, path
        assert _outcome(pure, text) == expected, path


_NOISE = [
    "Photo: AP",
    "(AP Photo/Jane Doe)",
    "Share this article",
    "By JANE DOE",
    "Updated 10:42 a.m.",
    "© 2024 Example News",
    "Click here to donate today",
    "Sign up for our newsletter",
    "Read more: A story",
    "12:03",
    "jane@example.org",
    "Getty Images",
    "PHOTOGRAPH BY İNCE",
    "ſhare thiſ",
    "Sign\u00a0up  for our\tnewsletter and get the latest news",
    "SUBSCRIBE to our NEWSLETTER",
    "Donate today to support our journalism and become a member",
    "cheap flights, last minute deals, hotel booking, car rental, travel insurance, city breaks",
    "cheap flights, last minute deals, hotel booking, car rental, travel insurance",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.sampled_from(_NOISE), st.text(max_size=30), st.sampled_from(["", " ", "\t"])),
        max_size=25,
    )
)
def test_the_prefilter_changes_nothing_on_any_text(lines: list[str]) -> None:
    fast, pure, plain = cleaners()
    text = "\n".join(lines)
    expected = _outcome(plain, text)
    assert _outcome(fast, text) == expected
    assert _outcome(pure, text) == expected
