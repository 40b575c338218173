"""Finding the inputs of a directory run, and where each one's output goes.

Entries are looked at with ``lstat`` and never opened here; the paths given are checked
against the output directory before anything is written.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .document import FORMATS, read_error
from .errors import UsageError
from .io import existing
from .read import INCLUDE, file_kind


@dataclass(frozen=True, slots=True)
class Job:
    source: Path  # where to read
    input: str  # the path as given or discovered, for the report
    output: Path
    skip: str | None = None  # "kind: why": the entry is not read (status "skipped")
    error: str | None = None  # "kind: why": the entry could not even be listed
    realpath: str | None = None  # a symlinked entry's target
    directory: bool = False  # a skipped or unlistable directory, not a file

    @property
    def live(self) -> bool:
        """Whether the job is read and may write its output."""
        return self.skip is None and self.error is None


# -- before anything is written -------------------------------------------------------------


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_paths(paths: Sequence[Path], outdir: Path) -> None:
    """Refuse missing inputs, an output directory equal to or inside an input, or one that
    is not a directory. Touches nothing but ``stat``."""
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
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir}: the output directory exists and is not a directory")


def check_outputs(paths: Sequence[Path], jobs: Sequence[Job], report_path: Path) -> None:
    """Refuse a run that would write an output or the report onto an input or inside an
    input directory (I4), or the report onto an output."""
    roots = [p.resolve() for p in paths if p.is_dir()]
    sources = {j.source.resolve(): j.input for j in jobs if not j.directory}
    outputs = {j.output.resolve() for j in jobs if j.live}
    report = report_path.resolve()
    if report_path.is_dir():
        raise UsageError(f"{report_path}: the report path is a directory")
    if report in outputs:
        raise UsageError(f"{report_path}: the report would overwrite an output file")
    for target, shown in [*((j.output.resolve(), j.output) for j in jobs if j.live), (report, report_path)]:
        if target in sources:
            raise UsageError(f"{shown}: would overwrite the input {sources[target]}")
        for root in roots:
            if _inside(target, root):
                raise UsageError(f"{shown}: would be written inside the input directory {root}")


def check_format(format: str) -> None:
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")


def existing_result(jobs: Sequence[Job], report_path: Path) -> Path | None:
    """The report, or the first output, that an earlier run left; None when there is none.
    A device or FIFO in their place (``--report /dev/null``) holds no result."""
    if existing(report_path):
        return report_path
    return next((j.output for j in jobs if j.live and existing(j.output)), None)


# -- discovery --------------------------------------------------------------------------------


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
    follow_symlinks: bool = False,
) -> list[Job]:
    """Files as given, and matching entries under directories (recursively, sorted).

    Directories yield the files of ``format`` (``INCLUDE``: text files, HTML files, or
    both for "auto") unless ``include`` gives the patterns; hidden entries are left out. A
    directory's files keep their path relative to it under ``outdir``, with ``.txt`` for
    their extension.

    Entries are looked at with ``lstat`` and never opened here. Those that will not be
    read become jobs with ``skip`` set, so that the report still has a record for them:
    FIFOs, sockets and devices with a matching name; symlinked directories (followed only
    with ``follow_symlinks``, where a visited set of ``(st_dev, st_ino)`` breaks loops);
    symlinked files that point outside the input directory (included with
    ``follow_symlinks``); broken symlinks. Symlinked files inside the tree are read, with
    their target recorded. A file argument is taken as given (a symlink is followed).
    """
    check_format(format)
    if include is None:
        include = INCLUDE[format]
    jobs: list[Job] = []
    for p in paths:
        if p.is_dir():
            jobs.extend(_walk(p, outdir, tuple(include), follow_symlinks))
        else:
            jobs.append(_file_job(p, outdir / output_name(Path(p.name))))
    # One order whatever order the paths were given in: by output path, then input path.
    jobs.sort(key=lambda job: (str(job.output), job.input))
    return jobs


def _file_job(p: Path, output: Path) -> Job:
    real = os.path.realpath(p) if p.is_symlink() else None
    try:
        mode = p.stat().st_mode
    except OSError:
        return Job(p, str(p), output, realpath=real)  # reading it will say why
    if not stat.S_ISREG(mode):
        return Job(p, str(p), output, skip=f"not_regular: {file_kind(mode)}; not opened", realpath=real)
    return Job(p, str(p), output, realpath=real)


def _walk(root: Path, outdir: Path, include: tuple[str, ...], follow: bool) -> list[Job]:
    root_real = Path(os.path.realpath(root))
    out_real = Path(os.path.realpath(outdir))
    found: list[tuple[Path, Job]] = []
    try:
        st = root.stat()
    except OSError as e:  # gone since the arguments were checked
        return [
            Job(root, str(root), outdir, error=f"{read_error(e).kind}: {e.strerror or e}", directory=True)
        ]
    visited = {(st.st_dev, st.st_ino)}

    def add(rel: Path, **note: Any) -> None:
        found.append((rel, Job(root / rel, str(root / rel), outdir / output_name(rel), **note)))

    def add_dir(rel: Path, **note: Any) -> None:
        found.append((rel, Job(root / rel, str(root / rel), outdir / rel, directory=True, **note)))

    def matches(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in include)

    def enter(path: Path, rel: Path, chain: frozenset[tuple[int, int]], st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        real = os.path.realpath(path)
        if key in visited:
            kind = "symlink_loop" if key in chain else "duplicate_dir"
            add_dir(rel, skip=f"{kind}: leads to {real}, already visited; not entered again", realpath=real)
        elif _inside(Path(real), out_real):
            add_dir(rel, skip=f"output_dir: leads to the output directory {outdir}; not entered")
        else:
            visited.add(key)
            visit(path, rel, chain | {key})

    def visit(path: Path, rel: Path, chain: frozenset[tuple[int, int]]) -> None:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            add_dir(rel, error=f"{read_error(e).kind}: cannot list the directory: {e.strerror or e}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            sub = rel / entry.name
            try:
                if entry.is_symlink():
                    symlink(Path(entry.path), sub, chain)
                elif entry.is_dir(follow_symlinks=False):
                    enter(Path(entry.path), sub, chain, entry.stat(follow_symlinks=False))
                elif matches(entry.name):
                    mode = entry.stat(follow_symlinks=False).st_mode
                    if stat.S_ISREG(mode):
                        add(sub)
                    else:
                        add(sub, skip=f"not_regular: {file_kind(mode)}; not opened")
            except OSError:
                if matches(entry.name):
                    add(sub)  # gone (or unreadable) between listing and lstat: reading it says why

    def symlink(path: Path, rel: Path, chain: frozenset[tuple[int, int]]) -> None:
        real = os.path.realpath(path)
        try:
            st = path.stat()
        except OSError as e:
            if matches(path.name):
                add(
                    rel,
                    skip=f"broken_symlink: its target {real} cannot be reached ({e.strerror})",
                    realpath=real,
                )
            return
        if stat.S_ISDIR(st.st_mode):
            if follow:
                enter(path, rel, chain, st)
            else:
                add_dir(
                    rel,
                    skip=f"symlink_dir: a symlink to the directory {real}; not followed "
                    "(--follow-symlinks follows it)",
                    realpath=real,
                )
        elif not matches(path.name):
            return
        elif not stat.S_ISREG(st.st_mode):
            add(rel, skip=f"not_regular: a symlink to {file_kind(st.st_mode)}; not opened", realpath=real)
        elif follow or _inside(Path(real), root_real):
            add(rel, realpath=real)
        else:
            add(
                rel,
                skip=f"symlink_outside: points outside the input directory, to {real} "
                "(--follow-symlinks includes it)",
                realpath=real,
            )

    visit(root, Path(), frozenset(visited))
    found.sort(key=lambda item: item[0])
    return [job for _, job in found]
