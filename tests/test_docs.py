"""The README documents what the code offers: heuristics, categories, report keys, commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.matchers.heuristics import HEURISTICS
from cleaner.model import Category
from cleaner.report import record
from cleaner.schema import RULE_KEYS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(HEURISTICS))
def test_heuristic_documented_with_its_parameters(name: str) -> None:
    row = next((ln for ln in README.splitlines() if ln.startswith(f"| `{name}`")), None)
    assert row is not None, f"README has no row for heuristic {name}"
    for param in HEURISTICS[name].params:
        assert f"`{param}`" in row, f"{name}: parameter {param} missing from README"


@pytest.mark.parametrize("category", [c.value for c in Category])
def test_category_documented(category: str) -> None:
    assert f"`{category}`" in README


@pytest.mark.parametrize("key", sorted(record(input="x", output=None)))
def test_report_key_documented(key: str) -> None:
    assert f"`{key}`" in README


@pytest.mark.parametrize("key", sorted(RULE_KEYS - {"id", "category", "description", "examples", "params"}))
def test_rule_key_documented(key: str) -> None:
    assert f"`{key}" in README
