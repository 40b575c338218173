"""Shared helpers: inline rule files, and the checks every cleaning result must pass.

The checks restate the invariants of shared/RELIABILITY.md (I1 lossless, I2 spans
well-formed, I3 accounting) independently of the package's own checking code.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import regex

from cleaner import Cleaner, Result, parse_rules_text, restore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def cleaner_exe() -> str:
    """The installed ``cleaner`` command (beside this Python, else on PATH), for tests that run
    it as a user would; skips when it is not installed."""
    beside = Path(sys.executable).parent / "cleaner"
    found = str(beside) if beside.exists() else shutil.which("cleaner")
    if not found:
        pytest.skip("the cleaner command is not installed")
    return found


_GRAPHEME = regex.compile(r"\X")
# TOML basic strings may hold any character except '"', '\' and the controls other than tab.
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_str(value: str) -> str:
    """``value`` as a TOML basic string (quotes included) that parses back to ``value`` exactly."""
    out = []
    for ch in value:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif (ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def rule_toml(
    rid: str,
    matcher: str,
    *,
    category: str = "boilerplate",
    remove_examples: Sequence[str] = ("remove me",),
    keep_examples: Sequence[str] = ("keep me",),
) -> str:
    """One ``[[rule]]`` table. ``matcher`` is raw TOML: the matcher key and any other keys.

    The examples are only data here (the engine does not run them); they exist because
    every rule must have both kinds.
    """
    remove = ", ".join(toml_str(e) for e in remove_examples)
    keep = ", ".join(toml_str(e) for e in keep_examples)
    return (
        "[[rule]]\n"
        f"id = {toml_str(rid)}\n"
        f"category = {toml_str(category)}\n"
        f"description = {toml_str('test rule ' + rid)}\n"
        f"{matcher.strip()}\n"
        f"examples.remove = [{remove}]\n"
        f"examples.keep = [{keep}]\n"
    )


def make_cleaner(*rules: str, doc_timeout: float | None = None) -> Cleaner:
    """A cleaner built from ``[[rule]]`` tables only (no default packs)."""
    parsed = parse_rules_text("\n".join(rules), "test.toml")
    if doc_timeout is None:
        return Cleaner(rules=parsed)
    return Cleaner(rules=parsed, doc_timeout=doc_timeout)


def grapheme_boundaries(text: str) -> set[int]:
    bounds = {0}
    for m in _GRAPHEME.finditer(text):
        bounds.add(m.end())
    return bounds


def assert_result_ok(original: str, result: Result, *, graphemes: bool = True) -> None:
    """I1, I2 and I3 for one result, checked without the package's own checking code."""
    spans = result.spans
    # I1: the report replays to the input.
    assert restore(result.text, spans) == original
    # I2: sorted, disjoint, non-empty, in range, each holding the text it reports.
    prev_end = 0
    for s in spans:
        assert prev_end <= s.start < s.end <= len(original), (s.start, s.end, s.rule)
        assert original[s.start : s.end] == s.text, (s.start, s.end, s.rule)
        assert s.rule, s
        prev_end = s.end
    # I3: the clean text is the input less exactly the removed characters.
    assert len(result.text) == len(original) - sum(s.end - s.start for s in spans)
    # Deleting the spans from the input gives the clean text (the other replay direction).
    pieces, pos = [], 0
    for s in spans:
        pieces.append(original[pos : s.start])
        pos = s.end
    pieces.append(original[pos:])
    assert "".join(pieces) == result.text
    if graphemes:
        bounds = grapheme_boundaries(original)
        for s in spans:
            assert s.start in bounds and s.end in bounds, ("not a grapheme boundary", s.start, s.end, s.rule)


@pytest.fixture(scope="session")
def check() -> Callable[..., None]:
    """``check(original, result)`` asserts the replay invariants (I1-I3) on a result."""
    return assert_result_ok


@pytest.fixture(scope="session")
def rule() -> Callable[..., str]:
    """``rule(id, matcher_toml, ...)`` builds one ``[[rule]]`` table."""
    return rule_toml


@pytest.fixture(scope="session")
def toml_string() -> Callable[[str], str]:
    """``toml_string(value)`` quotes a value as a TOML basic string."""
    return toml_str


@pytest.fixture(scope="session")
def cleaner_of() -> Callable[..., Cleaner]:
    """``cleaner_of(rule_table, ..., doc_timeout=...)`` builds a cleaner from those rules only."""
    return make_cleaner


_CLEANERS: dict[tuple[Any, ...], Any] = {}


@pytest.fixture
def shared_cleaner(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process CLI runs share one ``Cleaner`` per rule set and options (cleaners are
    immutable), to keep the suite fast; runs in a subprocess build their own."""
    from cleaner.cli import common as cli_module

    build = cli_module.build_cleaner

    def cached(rules: Any, no_default_rules: bool, **options: Any) -> Any:
        key = (tuple(rules or ()), no_default_rules, tuple(sorted(options.items())))
        if key not in _CLEANERS:
            _CLEANERS[key] = build(rules, no_default_rules, **options)
        return _CLEANERS[key]

    monkeypatch.setattr(cli_module, "build_cleaner", cached)


@pytest.fixture(scope="session", autouse=True)
def _rule_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The compiled-rule cache of the run (``cleaner.cache``) lives in a folder of its own, in
    this process and the commands it starts: never the user's."""
    import os

    from cleaner.cache import CACHE_ENV

    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("rule-cache"))
    yield
    if before is None:
        del os.environ[CACHE_ENV]
    else:
        os.environ[CACHE_ENV] = before
