"""Benchmark datasets: gold article bodies with the inputs they were cut from.

A dataset is a directory of ``<id>.gold.txt`` files with, per id, the input as
``<id>.page.txt`` (text mode) and/or ``<id>.html.gz`` (HTML mode); the files may also lie
one folder down (``<site>/<id>.gold.txt``: the id is then ``<site>/<id>``). An optional
``manifest.jsonl`` gives, per row, an ``id`` (with its ``site`` when the files are in
per-site folders), and the page's ``url``, ``site`` and ``page_type`` when known. An
optional ``<id>.snippets.json`` holds WCXB's ``with`` and ``without`` snippets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import DocumentError, UsageError
from ..read import DecodePolicy, decode

Mode = Literal["text", "html"]
MODES: tuple[Mode, ...] = ("text", "html")
GOLD_SUFFIX = ".gold.txt"
TEXT_SUFFIX = ".page.txt"
HTML_SUFFIXES = (".html.gz", ".html")
SNIPPETS_SUFFIX = ".snippets.json"
# A gold text is read for its words: a stray NUL in it (some hand-made golds hold one) is
# only a character.
_GOLD = DecodePolicy(allow_nul=True)


@dataclass(frozen=True, slots=True)
class Dataset:
    """The documents of a benchmark directory: ids (sorted), their URLs, sites and page
    types, and their gold texts."""

    path: Path
    ids: tuple[str, ...]
    urls: dict[str, str | None]
    sites: dict[str, str | None] = field(default_factory=dict)
    types: dict[str, str | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)

    def gold_path(self, doc_id: str) -> Path:
        return self.path / f"{doc_id}{GOLD_SUFFIX}"

    def text_path(self, doc_id: str) -> Path:
        return self.path / f"{doc_id}{TEXT_SUFFIX}"

    def html_path(self, doc_id: str) -> Path | None:
        for suffix in HTML_SUFFIXES:
            p = self.path / f"{doc_id}{suffix}"
            if p.is_file():
                return p
        return None

    @property
    def has_text(self) -> bool:
        return any(self.text_path(i).is_file() for i in self.ids)

    @property
    def has_html(self) -> bool:
        return any(self.html_path(i) is not None for i in self.ids)

    @property
    def has_types(self) -> bool:
        return any(self.types.get(i) for i in self.ids)

    def modes(self) -> list[Mode]:
        """The modes this dataset has inputs for."""
        found: list[Mode] = []
        if self.has_text:
            found.append("text")
        if self.has_html:
            found.append("html")
        return found

    def gold(self, doc_id: str) -> str:
        path = self.gold_path(doc_id)
        try:
            return decode(path.read_bytes(), _GOLD).text
        except OSError as e:
            raise UsageError(f"{path}: cannot read the gold: {e.strerror or e}") from None
        except DocumentError as e:
            raise UsageError(f"{path}: cannot read the gold: {e.kind}: {e}") from None

    def snippets(self, doc_id: str) -> tuple[list[str], list[str]] | None:
        """The page's ``with`` and ``without`` snippets, or None when it has none."""
        path = self.path / f"{doc_id}{SNIPPETS_SUFFIX}"
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            keep, drop = data.get("with", []), data.get("without", [])
            if not all(isinstance(s, str) for s in [*keep, *drop]):
                raise ValueError("snippets must be strings")
        except (OSError, ValueError, AttributeError) as e:
            raise UsageError(f"{path}: unreadable snippets: {e}") from None
        return list(keep), list(drop)


def load_dataset(path: Path | str) -> Dataset:
    """The dataset in ``path``: every ``<id>.gold.txt`` (also one folder down), with URLs,
    sites and page types from ``manifest.jsonl``.

    Raises ``UsageError`` naming the path when it is not a directory, holds no gold
    file, or has an unreadable manifest.
    """
    path = Path(path)
    if not path.is_dir():
        raise UsageError(f"{path}: no such dataset directory")
    found = [*path.glob(f"*{GOLD_SUFFIX}"), *path.glob(f"*/*{GOLD_SUFFIX}")]
    ids = sorted(p.relative_to(path).as_posix()[: -len(GOLD_SUFFIX)] for p in found if p.is_file())
    if not ids:
        raise UsageError(f"{path}: not a dataset (no *{GOLD_SUFFIX} files)")
    urls: dict[str, str | None] = dict.fromkeys(ids)
    sites: dict[str, str | None] = {i: i.split("/")[0] if "/" in i else None for i in ids}
    types: dict[str, str | None] = dict.fromkeys(ids)
    manifest = path / "manifest.jsonl"
    if manifest.is_file():
        try:
            for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    _manifest_row(json.loads(line), n, urls, sites, types)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise UsageError(f"{manifest}: unreadable manifest: {e}") from None
    return Dataset(path, tuple(ids), urls, sites, types)


def _manifest_row(
    row: Any,
    n: int,
    urls: dict[str, str | None],
    sites: dict[str, str | None],
    types: dict[str, str | None],
) -> None:
    if not isinstance(row, dict):
        raise ValueError(f"line {n} is not an object")
    doc_id, site = row.get("id"), row.get("site")
    if not isinstance(doc_id, str):
        return
    if doc_id not in urls and isinstance(site, str):
        doc_id = f"{site}/{doc_id}"  # the files are in per-site folders
    if doc_id not in urls:
        return
    for key, into in (("url", urls), ("site", sites), ("page_type", types)):
        value = row.get(key)
        if isinstance(value, str) and value:
            into[doc_id] = value
