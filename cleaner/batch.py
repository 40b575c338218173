"""Batch cleaning of files and directories: discover, clean, write atomically, report.

The CLI is a door onto this module; the module itself knows nothing about typer.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DocumentError, UsageError
from .pipeline import Cleaner
from .read import decode, encode_output, newline_style
from .report import dumps, record

DEFAULT_INCLUDE = ("*.txt", "*.text")


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


def discover(paths: Sequence[Path], outdir: Path, include: Sequence[str] = DEFAULT_INCLUDE) -> list[Job]:
    """Files as given, and matching files under directories (recursively, sorted).

    A directory's files keep their path relative to it under ``outdir``, with ``.txt``.
    """
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
                jobs.append(Job(f, str(p / rel), outdir / rel.with_suffix(".txt")))
        else:
            jobs.append(Job(p, str(p), outdir / Path(p.name).with_suffix(".txt")))
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


def clean_job(job: Job, cleaner: Cleaner, url: str | None = None) -> dict[str, Any]:
    """Clean one file and write its output; return its report record."""
    try:
        try:
            data = job.source.read_bytes()
        except OSError as e:
            raise read_error(e) from None
        decoded = decode(data)
    except DocumentError as e:
        return record(input=job.input, output=None, error=f"{e.kind}: {e}")
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


def run(jobs: Sequence[Job], cleaner: Cleaner, report_path: Path) -> Iterator[dict[str, Any]]:
    """Clean every job in order, appending one record per job to the report."""
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
                rec = clean_job(job, cleaner)
            report.write(dumps(rec))
            report.flush()
            yield rec
