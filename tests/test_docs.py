"""The documents say what the code offers: the generated ones match the code, and the
hand-written ones name every category, report key and rule key."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from cleaner.cli.reference import DOCUMENTS, HELP_COLUMNS
from cleaner.model import Category
from cleaner.report import record
from cleaner.schema import RULE_KEYS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_generated_document_is_current(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "COLUMNS", HELP_COLUMNS)
    assert doc(name) == DOCUMENTS[name](), (
        f"docs/{name} is stale: run `python -m cleaner.cli.reference docs` and read the diff"
    )


@pytest.mark.parametrize("category", [c.value for c in Category])
def test_category_documented(category: str) -> None:
    assert f"`{category}`" in doc("policy.md")


@pytest.mark.parametrize("key", sorted(record(input="x", output=None)))
def test_report_key_documented(key: str) -> None:
    assert f"`{key}`" in doc("report.md")


@pytest.mark.parametrize("key", sorted(RULE_KEYS - {"id", "category", "description", "examples", "params"}))
def test_rule_key_documented(key: str) -> None:
    assert f"`{key}" in doc("rules.md")


def test_readme_is_a_front_door_whose_links_all_lead_somewhere() -> None:
    assert 150 <= len(README.splitlines()) <= 250
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    assert links and all((ROOT / link).exists() for link in links if "://" not in link), links
    for path in DOCS.glob("*.md"):
        for link in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            assert (DOCS / link).exists(), f"docs/{path.name} links to {link}, which is not there"
