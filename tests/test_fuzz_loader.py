"""A short fuzz run of the rule loader: on any bytes or text it returns rules or raises
``RuleFileError``, never anything else (I10: no traceback for a bad rule file)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner import RuleFileError, load_rules, parse_rules_text
from cleaner.loader import default_rules_dir
from cleaner.schema import RULE_KEYS

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHIPPED = [p.read_text(encoding="utf-8") for p in sorted(default_rules_dir().rglob("*.toml"))]


def loads_or_refuses(text: str) -> None:
    try:
        rules = parse_rules_text(text, "fuzz.toml")
    except RuleFileError as e:
        assert e.problems
        for p in e.problems:
            assert p.file == "fuzz.toml" and p.message
        return
    assert isinstance(rules, tuple)


@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"\xff\xfe[[rule]]")
@example(data=b"x = " + b"[" * 1000)
@example(data=b"[[rule]]\nid = 'a'\n\x00")
def test_any_bytes_as_a_rule_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_bytes(data)
        try:
            rules = load_rules([path], defaults=False)
        except RuleFileError as e:
            assert e.problems and all(p.message for p in e.problems)
        else:
            assert isinstance(rules, tuple)


# TOML-ish text: the keys a rule file uses (and near misses), with values of every shape,
# including regexes with odd syntax, nesting and the types TOML can hold.
KEYS = sorted(RULE_KEYS) + ["regx", "phrase", "block.start", "block.end", "block.max_lines", "params.x"]
KEYS += ["examples.remove", "examples.keep", "pack.name", "params.phrases", "params.min_hits"]
VALUES = st.one_of(
    st.sampled_from(
        [
            '"x"',
            "'(a|aa)+$'",
            "'(unclosed'",
            "'x*'",
            "'" + "(" * 600 + "a" + ")" * 600 + "'",
            "'a{99999999999}'",
            "'\\p{Nope}'",
            "'(?<name>x)(?P=name)'",
            "'[[:alpha:]]'",
            "'\\R'",
            "'(?i)\\bß\\b'",
            "1",
            "-1",
            "0.5",
            "1e999",
            "nan",
            "true",
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            "[]",
            "['a', 'b']",
            "[1, 'a']",
            "[[]]",
            "{}",
            "{ start = 'a', end = 'b', max_lines = 3 }",
            "{ text = 'a', clean = 'b' }",
            "[{ text = 'a' }]",
            '"headline"',
            '"page-lines"',
            '"phrase-count"',
            '{ languages = ["Nope"] }',
            '{ languages = ["../x\\u0000"] }',
            '"credit"',
            '"head"',
            '"match"',
            '"\\u0000\\ud7ff"',
        ]
    ),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)
LINE = st.one_of(
    st.sampled_from(
        ["[[rule]]", "[pack]", "[rule.examples]", "[[rule.examples.remove]]", "[rules]", "", "#"]
    ),
    st.tuples(st.sampled_from(KEYS), VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"),
    st.text(max_size=30),
)


@FUZZ
@given(lines=st.lists(LINE, max_size=25))
def test_toml_like_text_as_a_rule_file(lines: list[str]) -> None:
    loads_or_refuses("\n".join(lines))


@FUZZ
@given(
    base=st.sampled_from(SHIPPED),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 8), st.text(max_size=4)), min_size=1, max_size=4
    ),
)
def test_a_shipped_pack_with_random_edits(base: str, edits: list[tuple[float, int, str]]) -> None:
    text = base
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    loads_or_refuses(text)
