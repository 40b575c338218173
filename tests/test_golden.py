"""Golden cases: expected clean text and expected report record, read and checked by a person.

Regenerate with ``CLEANER_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and read the diff
before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner import Cleaner, restore
from cleaner.model import delete
from cleaner.read import decode, newline_style
from cleaner.report import dumps, record

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures" / "golden"
SEEDS = ROOT / "seeds"
UPDATE = os.environ.get("CLEANER_UPDATE_GOLDEN") == "1"
CLEAN_SEEDS = ("000_d6ab147d38374456", "001_559ee118a6d98f42", "003_fe369d693a17cf56")


def cases() -> list[str]:
    names = {p.stem for p in SEEDS.glob("*.txt")} | {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    return sorted(names)


def input_of(case: str) -> Path:
    own = GOLDEN / case / "input.txt"
    return own if own.exists() else SEEDS / f"{case}.txt"


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


@pytest.mark.parametrize("case", cases())
def test_golden(case: str, cleaner: Cleaner) -> None:
    raw = input_of(case).read_bytes()
    decoded = decode(raw)
    original = decoded.text
    result = cleaner.clean(original)
    assert result.error is None
    rec = record(
        input="input.txt",
        output="expected.txt",
        encoding=decoded.encoding,
        bom=decoded.bom,
        newline=newline_style(original),
        original=original,
        result=result,
    )
    expected_txt = GOLDEN / case / "expected.txt"
    expected_report = GOLDEN / case / "expected.report.jsonl"
    if UPDATE:
        expected_txt.parent.mkdir(parents=True, exist_ok=True)
        expected_txt.write_bytes(result.text.encode("utf-8"))
        expected_report.write_text(dumps(rec), encoding="utf-8", newline="\n")
    assert result.text == expected_txt.read_bytes().decode("utf-8")
    assert dumps(rec) == expected_report.read_text(encoding="utf-8")
    # The report replays both ways.
    assert restore(result.text, result.spans) == original
    assert delete(original, result.spans) == result.text


@pytest.mark.parametrize("seed", CLEAN_SEEDS)
def test_clean_seeds_come_out_unchanged(seed: str, cleaner: Cleaner) -> None:
    text = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
    result = cleaner.clean(text)
    assert result.text == text
    assert result.spans == ()


def test_subheadings_of_000_are_content(cleaner: Cleaner) -> None:
    text = (SEEDS / "000_d6ab147d38374456.txt").read_text(encoding="utf-8")
    clean = cleaner.clean(text).text
    for heading in (
        "Alaska summit ends without breakthrough",
        "‘I resolved seven conflicts’: Trump",
        "‘Obligation to end Ukraine war’",
        "Keep up pressure on Putin: Starmer",
    ):
        assert heading in text and heading in clean


@pytest.mark.parametrize("seed", ["002_9628709f8aff7fc1", "004_3e424eb520665100"])
def test_newline_style_is_kept(seed: str, cleaner: Cleaner) -> None:
    """The same document with CRLF line ends cleans to the same text with CRLF line ends."""
    lf = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
    crlf = lf.replace("\n", "\r\n")
    a, b = cleaner.clean(lf), cleaner.clean(crlf)
    assert b.text == a.text.replace("\n", "\r\n")
    assert [s.rule for s in b.spans] == [s.rule for s in a.spans]
    assert restore(b.text, b.spans) == crlf
