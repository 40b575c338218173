"""Batch cleaning of files and directories: discover, clean, write atomically, report.

The CLI is a door onto this module; the module itself knows nothing about typer.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DocumentError, UsageError
from .pipeline import Cleaner
from .read import decode, detect_format, encode_output, extract_html, newline_style
from .report import dumps, record

FORMATS = ("auto", "text", "html")
TEXT_INCLUDE = ("*.txt", "*.text")
HTML_INCLUDE = ("*.html", "*.htm", "*.xhtml", "*.html.gz", "*.htm.gz", "*.xhtml.gz")
# What a directory yields for each ``format``; "auto" then tells each file's format apart.
INCLUDE: dict[str, tuple[str, ...]] = {
    "auto": TEXT_INCLUDE + HTML_INCLUDE,
    "text": TEXT_INCLUDE,
    "html": HTML_INCLUDE,
}
DEFAULT_INCLUDE = INCLUDE["auto"]


@dataclass(frozen=True, slots=True)
class Job:
    source: Path  # where to read
    input: str  # the path as given or discovered, for the report
    output: Path


@dataclass
class Summary:
    documents: int = 0
    errors: int = 0
    spans: int = 0
    by_category: Counter[str] = field(default_factory=Counter)

    def add(self, rec: dict[str, Any]) -> None:
        self.documents += 1
        if rec["error"]:
            self.errors += 1
        for span in rec["removed"]:
            self.spans += 1
            self.by_category[span["category"]] += 1

    def line(self) -> str:
        cats = ", ".join(
            f"{k} {v}" for k, v in sorted(self.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        docs = f"{self.documents} document{'s' * (self.documents != 1)}"
        removed = f"{self.spans} span{'s' * (self.spans != 1)} removed" + (f" ({cats})" if cats else "")
        return f"{docs}, {removed}, {self.errors} error{'s' * (self.errors != 1)}"


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_paths(paths: Sequence[Path], outdir: Path) -> None:
    """Refuse missing inputs and an output directory equal to or inside an input."""
    out = outdir.resolve()
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
        if p.is_dir() and _inside(out, p.resolve()):
            raise UsageError(
                f"{outdir}: the output directory is inside the input {p}; it would mix outputs with inputs"
            )
        if p.is_file() and out == p.resolve():
            raise UsageError(f"{outdir}: the output directory is the input file {p}")


def check_format(format: str) -> None:
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")


def output_name(rel: Path) -> Path:
    """``rel`` with the extension ``.txt`` in place of its own (``x.html.gz`` → ``x.txt``)."""
    if rel.name.lower().endswith(".gz") and len(rel.name) > 3:
        rel = rel.with_name(rel.name[:-3])
    return rel.with_suffix(".txt")


def discover(
    paths: Sequence[Path],
    outdir: Path,
    include: Sequence[str] | None = None,
    *,
    format: str = "auto",
) -> list[Job]:
    """Files as given, and matching files under directories (recursively, sorted).

    Directories yield the files of ``format`` (``INCLUDE``: text files, HTML files, or
    both for "auto") unless ``include`` gives the patterns. A directory's files keep their
    path relative to it under ``outdir``, with ``.txt`` for their extension.
    """
    check_format(format)
    if include is None:
        include = INCLUDE[format]
    jobs: list[Job] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for pattern in include
                for f in p.rglob(pattern)
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            for f in dict.fromkeys(found):
                rel = f.relative_to(p)
                jobs.append(Job(f, str(p / rel), outdir / output_name(rel)))
        else:
            jobs.append(Job(p, str(p), outdir / output_name(Path(p.name))))
    return jobs


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_error(e: OSError) -> DocumentError:
    if isinstance(e, FileNotFoundError):
        return DocumentError("vanished", "file vanished before it could be read")
    if isinstance(e, PermissionError):
        return DocumentError("permission", "permission denied")
    if isinstance(e, IsADirectoryError):
        return DocumentError("read", "is a directory")
    return DocumentError("read", f"cannot read: {e.strerror or e}")


def clean_job(job: Job, cleaner: Cleaner, url: str | None = None, format: str = "auto") -> dict[str, Any]:
    """Clean one file and write its output; return its report record.

    ``format`` "auto" takes each file's format from its extension, else from its first
    bytes (``read.detect_format``). ``url`` is the page URL, for site rules and, for HTML,
    in place of the page's own canonical URL.
    """
    check_format(format)
    # Before the bytes are read (a vanished file), "auto" goes by the extension alone.
    fmt = format if format != "auto" else detect_format(job.source, b"")
    try:
        try:
            data = job.source.read_bytes()
        except OSError as e:
            raise read_error(e) from None
        if format == "auto":
            fmt = detect_format(job.source, data)
        if fmt == "html":
            return _clean_html(job, cleaner, data, url)
        decoded = decode(data)
    except DocumentError as e:
        return record(input=job.input, output=None, format=fmt, url=url, error=f"{e.kind}: {e}")
    result = cleaner.clean(decoded.text, url=url)
    write_atomic(job.output, encode_output(result.text, decoded))
    return record(
        input=job.input,
        output=str(job.output),
        encoding=decoded.encoding,
        bom=decoded.bom,
        newline=newline_style(decoded.text),
        original=decoded.text,
        result=result,
    )


def _clean_html(job: Job, cleaner: Cleaner, data: bytes, url: str | None) -> dict[str, Any]:
    """Extract the article with trafilatura, then clean that text.

    The cleaner's input, and so every span offset, ``chars_in`` and ``newline`` in the
    record, is trafilatura's extracted text, not the HTML: replaying the spans into the
    output gives that text, whose SHA-256 the record keeps as ``extracted_sha256``.
    ``encoding`` and ``bom`` describe the HTML bytes; the output is UTF-8 without a BOM.
    """
    extracted = extract_html(data, url=url)
    result = cleaner.clean(extracted.text, url=extracted.url, format="html")
    write_atomic(job.output, result.text.encode("utf-8"))
    return record(
        input=job.input,
        output=str(job.output),
        format="html",
        url=extracted.url,
        encoding=extracted.encoding,
        bom=extracted.bom,
        newline=newline_style(extracted.text),
        extracted_sha256=hashlib.sha256(extracted.text.encode("utf-8")).hexdigest(),
        original=extracted.text,
        result=result,
    )


def run(
    jobs: Sequence[Job],
    cleaner: Cleaner,
    report_path: Path,
    *,
    format: str = "auto",
    url: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Clean every job in order, appending one record per job to the report.

    ``format`` and ``url`` apply to every job, as in ``clean_job``.
    """
    check_format(format)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    claimed: dict[Path, str] = {}
    with open(report_path, "w", encoding="utf-8", newline="\n") as report:
        for job in jobs:
            key = job.output.resolve()
            if key in claimed:
                rec = record(
                    input=job.input,
                    output=None,
                    error=f"collision: the output {job.output} is already written for {claimed[key]}",
                )
            else:
                claimed[key] = job.input
                rec = clean_job(job, cleaner, url, format)
            report.write(dumps(rec))
            report.flush()
            yield rec
