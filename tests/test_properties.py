"""Property tests: on any text, the default rules give a result that replays (I1-I3), whose
span boundaries are grapheme-cluster boundaries (I2), and rules that cannot match change
nothing (I8)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import regex
from conftest import rule_toml, toml_str
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, RuleFileError, parse_rules_text
from cleaner.lines import phrase_key

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
# The removed-fraction guard is off here: the generated documents are mostly noise lines on
# purpose, which trips it, and a guarded document is left unchanged, which would leave the
# replay path untested. The guard has its own tests (test_reliability_rules.py, row 34).
DEFAULT = Cleaner(max_removed_fraction=1.0)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEED_LINES = sorted(
    {ln for p in sorted(SEEDS.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines()}
)
# Lines that the default rules remove, so that generated documents exercise removals, seams
# and tidying, not only the no-match path.
NOISE_LINES = [
    "Sponsored message",
    "  SPONSORED   MESSAGE ",
    "(AP Photo/Evan Vucci)",
    "Credit: ASSOCIATED PRESS",
    "Copyright 2025 NPR",
    "0:00",
    "Subscribe",
    "(",
    ")",
    "/",
    "Getty Images",
    "Andrew Harnik",
    "Read more",
    "Jan 31, 2025, 2:15 PM",
    "BY ASSOCIATED PRESS",
    "Your tax-deductible donation keeps the station independent and accessible to everyone.",
]
ODD_PIECES = [
    "e\u0301",
    "\u0301",
    "a\u0308\u0323",
    "\U0001f469\u200d\U0001f4bb",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1fa\U0001f1f8",
    "\u2028",
    "\u2029",
    "\u0085",
    "\x0c",
    "\x0b",
    "\t",
    "\u00a0",
    "\ufeff",
    "\u200b",
    "ß",
    "İ",
    "ﬁ",
    "한국어",
    "\u0928\u093f",
]
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])

seed_line = st.sampled_from(SEED_LINES)
noise_line = st.sampled_from(NOISE_LINES)
odd_text = st.lists(st.one_of(st.sampled_from(ODD_PIECES), st.text(max_size=5)), max_size=6).map("".join)


@st.composite
def mixed_line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["seed", "noise", "odd", "blank", "decorated"]))
    if kind == "seed":
        return draw(seed_line)
    if kind == "noise":
        return draw(noise_line)
    if kind == "odd":
        return draw(odd_text)
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "\t", "  \t "]))
    # A noise or seed line with odd characters glued to one end.
    base = draw(st.one_of(noise_line, seed_line))
    piece = draw(st.sampled_from(ODD_PIECES))
    return piece + base if draw(st.booleans()) else base + piece


@st.composite
def seed_like_document(draw: st.DrawFn) -> str:
    lines = draw(st.lists(mixed_line(), min_size=1, max_size=30))
    out = []
    for ln in lines:
        out.append(ln)
        out.append(draw(NEWLINES))
    if draw(st.booleans()):
        out.pop()  # no line break at the end
    return "".join(out)


@SETTINGS
@given(text=st.text())
def test_any_text_replays(text: str, check) -> None:
    r = DEFAULT.clean(text)
    assert r.error is None, r.error
    check(text, r)


@SETTINGS
@given(text=seed_like_document())
def test_seed_like_documents_replay(text: str, check) -> None:
    r = DEFAULT.clean(text)
    assert r.error is None, r.error
    check(text, r)


@SETTINGS
@given(
    text=seed_like_document(), url=st.sampled_from(["https://laist.com/news/x", "https://example.org/", None])
)
def test_seed_like_documents_replay_with_a_url(text: str, url: str | None, check) -> None:
    r = DEFAULT.clean(text, url=url)
    assert r.error is None, r.error
    check(text, r)


def test_generated_documents_do_remove_things() -> None:
    """The generator is not vacuous: a document of noise lines loses them."""
    text = "\n".join(["Story line that stays here, as a sentence.", *NOISE_LINES[:6], "The end."]) + "\n"
    r = DEFAULT.clean(text)
    assert r.error is None
    assert "Sponsored message" not in r.text and "Subscribe" not in r.text
    assert "The end." in r.text


@SETTINGS
@given(seed_like_document())
def test_removed_characters_are_only_inside_spans(text: str) -> None:
    """What is kept appears in the clean text in order and unchanged (I1 seen from the output)."""
    r = DEFAULT.clean(text)
    kept, pos = [], 0
    for s in r.spans:
        kept.append(text[pos : s.start])
        pos = s.end
    kept.append(text[pos:])
    assert "".join(kept) == r.text


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_seed_files_replay(path: Path, newline: str, check) -> None:
    text = path.read_text(encoding="utf-8").replace("\n", newline)
    r = DEFAULT.clean(text)
    assert r.error is None, r.error
    check(text, r)


def test_the_checker_rejects_a_span_inside_a_cluster(check) -> None:
    """The grapheme assertion used above bites: cutting 'e' off 'e\u0301' is refused."""
    from cleaner import Category, Result, Span

    original = "cafe\u0301 x"
    bad = Result("\u0301 x", (Span(0, 4, "t.cafe", Category.BOILERPLATE, "cafe"),))
    with pytest.raises(AssertionError, match="grapheme"):
        check(original, bad)


# -- I8: rules that cannot match change nothing ----------------------------------------------

TOKEN = "zqxjkvbw" * 3  # 24 letters; the generated texts below never hold it


@pytest.fixture(scope="module")
def never(rule, cleaner_of) -> Cleaner:
    """Every matcher kind, each looking for a token the generated texts do not hold."""
    return cleaner_of(
        rule("t.whole", f'phrases = ["{TOKEN}"]'),
        rule("t.inline", f'phrases = ["{TOKEN}"]\nwhole_line = false\nremove = "match"'),
        rule("t.line", f"line = '{TOKEN}'"),
        rule("t.span", f"span = '{TOKEN}\\R{TOKEN}'"),
        rule("t.block", f"block = {{ start = '^{TOKEN}$', end = '^{TOKEN}-end$', max_lines = 5 }}"),
    )


def test_the_never_rules_do_match_their_token(never: Cleaner) -> None:
    """The I8 property below is not vacuous: each rule fires on its token."""
    text = f"a\n{TOKEN}\nb {TOKEN} c\n{TOKEN}\n{TOKEN}-end\n"
    r = never.clean(text)
    assert {rid for s in r.spans for rid in s.rules} >= {"t.whole", "t.inline", "t.line", "t.span", "t.block"}


@SETTINGS
@given(text=st.one_of(st.text(), seed_like_document()))
def test_rules_that_cannot_match_change_nothing(text: str, never: Cleaner) -> None:
    assume(TOKEN.casefold() not in text.casefold())
    r = never.clean(text)
    assert r.error is None
    assert r.text == text
    assert r.spans == ()


# -- generated rules -------------------------------------------------------------------------


@st.composite
def text_and_phrase(draw: st.DrawFn) -> tuple[str, str]:
    text = draw(st.one_of(seed_like_document(), st.text(min_size=1)))
    assume(text)  # a generated document can be a single blank line without its break
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 40)))
    phrase = text[start:end]
    assume(phrase.strip())
    return text, phrase


def test_toml_str_round_trips_awkward_strings(toml_string) -> None:
    for value in ['"', "\\", "'''", "\n\r\t\x00\x1f\x7f", "\u2028\u0085\ufeff", "\U0001f469\u200d\U0001f4bb"]:
        assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value
        # JSON escaping is not enough on its own: astral characters become surrogate pairs.
        if value.isascii():
            assert tomllib.loads(f"v = {json.dumps(value)}")["v"] == value


@SETTINGS
@given(case=text_and_phrase(), ignore_case=st.booleans())
# Matches that end or start inside a grapheme cluster, which the engine must widen.
@example(case=("dev \U0001f469\u200d\U0001f4bb here\n", "\U0001f4bb"), ignore_case=False)
@example(case=("dev \U0001f469\u200d\U0001f4bb here\n", "\U0001f469"), ignore_case=True)
@example(case=("Le cafe!\u0301 x\r\n", "cafe!"), ignore_case=False)
@example(case=("flag \U0001f1fa\U0001f1f8 x", "\U0001f1f8"), ignore_case=False)
@example(case=("STRASSE und Stra\u00dfe\n", "stra\u00dfe"), ignore_case=True)
def test_generated_inline_phrase_rule_replays(
    case: tuple[str, str], ignore_case: bool, rule, toml_string, check
) -> None:
    text, phrase = case
    matcher = (
        f'phrases = [{toml_string(phrase)}]\nwhole_line = false\nremove = "match"\n'
        f"ignore_case = {'true' if ignore_case else 'false'}"
    )
    rules = parse_rules_text(rule("gen.phrase", matcher), "gen.toml")
    assert rules[0].phrases == (phrase,)  # the TOML quoting kept the phrase exactly
    r = Cleaner(rules=rules).clean(text)
    assert r.error is None, r.error
    check(text, r)


@SETTINGS
@given(case=text_and_phrase())
def test_generated_whole_line_phrase_rule_replays(case: tuple[str, str], rule, toml_string, check) -> None:
    text, phrase = case
    assume(phrase_key(phrase))  # a phrase of decoration only is refused by the loader
    rules = parse_rules_text(rule("gen.line", f"phrases = [{toml_string(phrase)}]"), "gen.toml")
    r = Cleaner(rules=rules).clean(text)
    assert r.error is None, r.error
    check(text, r)
    # A whole-line phrase removes whole lines only: every span that is not tidying ends at
    # a line break or at the end of the text.
    for s in r.spans:
        assert s.end == len(text) or text[s.end - 1] in "\r\n", s


@SETTINGS
@given(case=text_and_phrase())
@example(case=("dev \U0001f469\u200d\U0001f4bb here\n", "\U0001f4bb"))
@example(case=("a\r\nb\r\n", "a"))
def test_generated_literal_span_rule_removes_every_occurrence(
    case: tuple[str, str], rule, toml_string, check
) -> None:
    text, phrase = case
    # Single-line literals only: a match across lines is a known bug (see test_engine).
    assume("\r" not in phrase and "\n" not in phrase)
    pattern = regex.escape(phrase)
    rules = parse_rules_text(rule("gen.span", f'span = {toml_string(pattern)}\nremove = "match"'), "gen.toml")
    r = Cleaner(rules=rules).clean(text)
    assert r.error is None, r.error
    check(text, r)
    removed = set()
    for s in r.spans:
        removed.update(range(s.start, s.end))
    for m in regex.finditer(pattern, text):
        assert set(range(m.start(), m.end())) <= removed, (m.start(), m.end())


# -- generated rule sets: I1, I2, I3 and I8 over any text and any rules ------------------------
#
# Rules are built from the text they run on, so that they match: whole-line and inline
# phrases, line and span regexes (escaped literals, loosened by a wildcard or a whitespace
# run), and blocks between two of its lines; each with random options (remove, zone,
# ignore_case, priority, max_words). The properties hold for every rule set.

GEN_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANY_TEXT = st.one_of(seed_like_document(), st.text(min_size=1, max_size=300), odd_text.filter(bool))


# Compiled here, once: a module-level call such as regex.split(pattern, ...) goes through the
# regex module's cache, which drops entries with ``random.sample`` when it is full, and
# hypothesis does not allow the random module inside a strategy.
_BREAK = regex.compile(r"\r\n|\r|\n")
_ESCAPED_BREAK = regex.compile(r"\\\r\\\n|\\\r|\\\n")
_WORD_START = regex.compile(r"\w")


def _piece(draw: st.DrawFn, text: str, max_len: int = 30) -> str:
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + max_len)))
    return text[start:end]


def _loosen(draw: st.DrawFn, literal: str) -> str:
    """An escaped literal, sometimes with one character made a wildcard or a space run."""
    pattern = regex.escape(literal)
    how = draw(st.sampled_from(["as-is", "dot", "spaces", "word-boundary"]))
    if how == "dot" and len(literal) > 1:
        k = draw(st.integers(0, len(literal) - 1))
        pattern = regex.escape(literal[:k]) + "." + regex.escape(literal[k + 1 :])
    elif how == "spaces":
        pattern = pattern.replace(r"\ ", r"\s+")
    elif how == "word-boundary" and _WORD_START.match(literal):
        pattern = r"\b" + pattern
    return pattern


@st.composite
def generated_rule(draw: st.DrawFn, text: str, rid: str, salt: str = "") -> str:
    """One [[rule]] table for ``text``. ``salt`` is put before every literal, so that a rule
    made with a salt the text does not hold can never match it (for I8)."""
    kind = draw(st.sampled_from(["whole", "inline", "line", "span", "block"]))
    lines = [ln for ln in _BREAK.split(text) if ln.strip()] or [text]
    opts: list[str] = []
    if kind == "whole":
        phrase = draw(st.sampled_from(lines)) if draw(st.booleans()) else _piece(draw, text)
        phrase = salt + phrase
        assume(phrase_key(phrase))  # a phrase of decoration only is refused by the loader
        matcher = f"phrases = [{toml_str(phrase)}]"
    elif kind == "inline":
        phrase = salt + _piece(draw, text)
        assume(phrase.strip())
        matcher = f'phrases = [{toml_str(phrase)}]\nwhole_line = false\nremove = "match"'
    elif kind == "line":
        literal = salt + _piece(draw, draw(st.sampled_from(lines)))
        assume("\r" not in literal and "\n" not in literal)
        matcher = f"line = {toml_str(_loosen(draw, literal))}"
        if draw(st.booleans()):
            opts.append('remove = "match"')
    elif kind == "span":
        literal = salt + _piece(draw, text, 60)
        pattern = _ESCAPED_BREAK.sub(r"\\R", _loosen(draw, literal))
        matcher = f"span = {toml_str(pattern)}"
        if draw(st.booleans()):
            opts.append('remove = "match"')
    else:
        start = regex.escape(salt + _piece(draw, draw(st.sampled_from(lines)), 10))
        end = regex.escape(salt + _piece(draw, draw(st.sampled_from(lines)), 10))
        max_lines = draw(st.integers(1, 8))
        matcher = f"block = {{ start = {toml_str(start)}, end = {toml_str(end)}, max_lines = {max_lines} }}"
    zone = draw(st.sampled_from(["anywhere", "anywhere", "head", "tail"]))
    opts.append(f'zone = "{zone}"')
    if zone != "anywhere":
        opts.append(f"zone_lines = {draw(st.integers(1, 5))}")
    if kind != "whole" and draw(st.booleans()):
        opts.append(f"ignore_case = {'true' if draw(st.booleans()) else 'false'}")
    if draw(st.booleans()):
        opts.append(f"priority = {draw(st.integers(-1, 1))}")
    if kind in ("whole", "inline", "line") and draw(st.booleans()):
        opts.append(f"max_words = {draw(st.integers(1, 12))}")
    return rule_toml(rid, "\n".join([matcher, *opts]))


@st.composite
def text_and_rules(draw: st.DrawFn, salt: str = "") -> tuple[str, str]:
    """A text and a rule file for it. The file is parsed in the test, not here: compiling
    many patterns makes the regex module's cache drop entries with ``random.sample``, which
    hypothesis does not allow inside a strategy."""
    text = draw(ANY_TEXT)
    assume(text)
    n = draw(st.integers(1, 4))
    return text, "\n".join(draw(generated_rule(text, f"gen.r{i}", salt)) for i in range(n))


def parsed(rule_file: str) -> tuple:
    try:
        return parse_rules_text(rule_file, "gen.toml")
    except RuleFileError as e:
        # Only the loader's refusals of patterns that can match the empty string are
        # expected here (a loosened literal such as '\s+' alone); anything else is a bug.
        assert all("empty string" in p.message for p in e.problems), str(e)
        assume(False)
        raise


@GEN_SETTINGS
@given(case=text_and_rules())
@example(case=("aabb\n", rule_toml("gen.ab", "span = 'ab'\nremove = 'match'")))
def test_generated_rules_replay(case: tuple[str, str], check) -> None:
    """I1, I2 (with grapheme boundaries and no empty span, row 35) and I3, for any rules."""
    text, rules = case[0], parsed(case[1])
    r = Cleaner(rules=rules, max_removed_fraction=1.0).clean(text)
    assert r.error is None, r.error
    assert r.warnings == ()
    check(text, r)
    # No match, no change (I8 seen from the result): the text is untouched exactly when
    # nothing was removed.
    assert (r.text == text) == (r.spans == ())


@GEN_SETTINGS
@given(case=text_and_rules())
def test_generated_rules_under_the_guard_either_clean_or_leave_unchanged(
    case: tuple[str, str], check
) -> None:
    text, rules = case[0], parsed(case[1])
    r = Cleaner(rules=rules).clean(text)
    if r.error is not None:
        assert r.error.startswith("guard: too_much_removed:gen.r"), r.error
        assert r.text == text and r.spans == ()
    check(text, r)


@GEN_SETTINGS
@given(case=text_and_rules(salt=TOKEN))
def test_generated_rules_that_cannot_match_change_nothing(case: tuple[str, str]) -> None:
    """I8: every literal of these rules starts with a token the text does not hold."""
    text, rules = case[0], parsed(case[1])
    assume(TOKEN.casefold() not in text.casefold())
    r = Cleaner(rules=rules).clean(text)
    assert r.error is None
    assert r.text == text and r.spans == ()


@SETTINGS
@given(text=st.one_of(st.text(), seed_like_document()))
def test_an_empty_rule_set_changes_nothing(text: str) -> None:
    """I8 (row 40): no rules, no change."""
    r = Cleaner(rules=()).clean(text)
    assert r.error is None and r.text == text and r.spans == ()


@st.composite
def nested_case(draw: st.DrawFn) -> tuple[str, str]:
    """A text holding a literal nested in itself (``aabb`` for ``ab``), and a rule removing
    the literal: the first pass leaves a new copy behind, so the case is unstable."""
    text = draw(ANY_TEXT)
    assume(len(text) >= 2)
    literal = _piece(draw, text, 12)
    assume(len(literal) >= 2 and "\r" not in literal and "\n" not in literal)
    k = draw(st.integers(1, len(literal) - 1))
    at = draw(st.integers(0, len(text)))
    depth = draw(st.integers(1, 3))
    nested = literal
    for _ in range(depth):
        nested = literal[:k] + nested + literal[k:]
    kind = draw(st.sampled_from(["span", "line"]))
    matcher = f'{kind} = {toml_str(regex.escape(literal))}\nremove = "match"'
    return text[:at] + nested + text[at:], rule_toml("gen.nested", matcher)


@GEN_SETTINGS
@given(case=st.one_of(text_and_rules(), nested_case()))
@example(case=("xaabby\n", rule_toml("gen.ab", "span = 'ab'\nremove = 'match'")))
def test_generated_rules_until_stable_replay_against_the_original(case: tuple[str, str], check) -> None:
    """Row 47: the passes of --until-stable compose into one report on the original text,
    and the stability flag agrees with what one more pass does."""
    text, rules = case[0], parsed(case[1])
    r = Cleaner(rules=rules, max_removed_fraction=1.0, until_stable=True).clean(text)
    assert r.error is None, r.error
    check(text, r)
    single = Cleaner(rules=rules, max_removed_fraction=1.0, check_stable=True)
    again = single.clean(r.text)
    if r.unstable is False:
        assert again.spans == ()
    once = single.clean(text)
    assert once.unstable == bool(single.clean(once.text).spans)


@SETTINGS
@given(text=st.one_of(st.text(), odd_text, seed_like_document()), data=st.data())
def test_fast_grapheme_boundaries_agree_with_a_scan_from_the_line_start(text: str, data) -> None:
    """The matcher starts cluster scans at the last pair of class-Other characters; that must
    find the same clusters as scanning each line from its start."""
    from cleaner.lines import split_lines
    from cleaner.match import grapheme_boundaries

    assume(text)
    starts = [ln.start for ln in split_lines(text)]
    pos = data.draw(st.integers(0, len(text)))
    line = max((s for s in starts if s <= pos), default=0)
    before = line
    expected = (before, before)
    for g in regex.finditer(r"\X", text[line:]):
        end = line + g.end()
        if end > pos:
            expected = (before, pos if before == pos else end)
            break
        before = end
        expected = (before, before)
    assert grapheme_boundaries(text, starts, pos) == expected


def test_case_folding_never_moves_a_word_boundary() -> None:
    """page-lines folds a whole line and then splits it into words; that gives its words
    folded one by one only while no character's folding holds both word and non-word
    characters, or turns one kind into the other. It skips blank lines: whitespace is never
    a word character."""
    from cleaner.matchers.text import TOKEN as _TOKEN

    def is_word(c: str) -> bool:
        return _TOKEN.fullmatch(c) is not None

    for c in map(chr, range(0x110000)):
        folded = c.casefold()
        if folded != c:
            assert {is_word(f) for f in folded} == {is_word(c)}, hex(ord(c))
        if c.isspace():
            assert not is_word(c), hex(ord(c))


@SETTINGS
@given(text=st.one_of(st.text(), odd_text, seed_like_document()))
@example(text="İSTANBUL ΟΔΟΣ Straße ﬁne \u0345x A\u0301B 12\r\n\u2028 \x0b\n\n \t\r")
def test_line_fields_and_folded_words_agree_with_the_line_text(text: str) -> None:
    import re

    from cleaner.lines import split_lines
    from cleaner.matchers.text import TOKEN as _TOKEN

    for ln in split_lines(text):
        assert ln.text == text[ln.start : ln.end]
        assert ln.blank == (not ln.text.strip())
        assert ln.words == len(re.findall(r"\w+", ln.text))
        assert _TOKEN.findall(ln.text.casefold()) == [t.casefold() for t in _TOKEN.findall(ln.text)]
