"""The pages to mine, read as ``clean`` reads them, and grouped by site.

``read_pages`` reads inputs through the document layer (``cleaner.document.read``):
files and directories as a directory run finds them, HTML through the same extraction,
standard input (``-``), and the text field of every record of a JSON Lines file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import jsonl
from ..discover import discover
from ..document import Field, ReadOptions, Unreadable, read
from ..match import host_of
from .find import Page


@dataclass(frozen=True, slots=True)
class Reading:
    """How to read the inputs: the options ``clean`` takes for the same job."""

    options: ReadOptions = ReadOptions()
    jsonl: bool = False
    text_field: str = "text"
    url_field: str | None = None


def read_pages(paths: Sequence[Path], how: Reading, outdir: Path) -> tuple[list[Page], list[str]]:
    """The pages of ``paths`` and, for each input that could not be read, a message.

    ``outdir`` is where the results go; a directory walk leaves it out.
    """
    pages: list[Page] = []
    problems: list[str] = []
    if how.jsonl:
        for path in paths:
            _read_jsonl(str(path), how, pages, problems)
        return pages, problems
    if [str(p) for p in paths] == ["-"]:
        _add(pages, problems, "-", sys.stdin.buffer, how.options)
        return pages, problems
    for job in discover(list(paths), outdir, format=how.options.format):
        if not job.live:
            problems.append(f"{job.input}: {job.skip or job.error}")
            continue
        _add(pages, problems, job.input, job.source, how.options, follow=job.realpath is not None)
    return pages, problems


def _add(
    pages: list[Page],
    problems: list[str],
    name: str,
    source: Path | object,
    options: ReadOptions,
    follow: bool = False,
) -> None:
    try:
        doc = read(source, options, follow_symlinks=follow)  # type: ignore[arg-type]
    except Unreadable as e:
        problems.append(f"{name}: {e.kind}: {e}")
        return
    pages.append(Page(name, doc.text, doc.url, doc.clean_format))


def _read_jsonl(path: str, how: Reading, pages: list[Page], problems: list[str]) -> None:
    try:
        with jsonl.open_input(path) as stream:
            for n, raw in enumerate(jsonl.iter_lines(stream), 1):
                where = f"{path}:{n}"
                try:
                    rec = json.loads(raw)
                except (ValueError, UnicodeDecodeError) as e:
                    problems.append(f"{where}: bad_json: {e}")
                    continue
                text = rec.get(how.text_field) if isinstance(rec, dict) else None
                if not isinstance(text, str):
                    problems.append(f"{where}: missing_field: no string field {how.text_field!r}")
                    continue
                url = rec.get(how.url_field) if how.url_field else None
                doc = read(Field(text, url if isinstance(url, str) and url else how.options.url))
                pages.append(Page(where, doc.text, doc.url, doc.clean_format))
    except OSError as e:
        problems.append(f"{path}: read: {e.strerror or e}")


def site_of(doc: Page, site: str | None) -> str | None:
    """The group of a page: its URL's host, else the site given, else None (one group)."""
    host = host_of(doc.url)
    if host:
        return host
    return site.strip().lower().removeprefix("www.") if site and site.strip() else None


def group_by_site(docs: Sequence[Page], site: str | None) -> dict[str | None, list[Page]]:
    groups: dict[str | None, list[Page]] = {}
    for doc in docs:
        groups.setdefault(site_of(doc, site), []).append(doc)
    return groups
