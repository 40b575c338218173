"""Batch cleaning of files and directories: discover, clean, write atomically, report.

The CLI is a door onto this module; the module itself knows nothing about typer.

What a batch promises (the README's *Guarantees*): one report record per discovered entry,
in discovery order, each written whole; inputs opened read-only and only when they are
regular files; outputs written to a temporary file and moved into place; a run that stops
(interrupt, full disk) can be finished with ``resume=True`` into the same bytes an
uninterrupted run writes.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import signal
import stat
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from .errors import DocumentError, UsageError, WriteError
from .pipeline import Cleaner
from .read import (
    DEFAULT_MAX_BYTES,
    STRICT,
    Decoded,
    DecodePolicy,
    decode,
    decode_html,
    detect_format,
    encode_output,
    extract_text,
    gunzip,
    newline_style,
    page_url,
    too_large,
)
from .report import dumps, record

FORMATS = ("auto", "text", "html")
HTML_FALLBACKS = ("none", "text")
TEXT_INCLUDE = ("*.txt", "*.text")
HTML_INCLUDE = ("*.html", "*.htm", "*.xhtml", "*.html.gz", "*.htm.gz", "*.xhtml.gz")
# What a directory yields for each ``format``; "auto" then tells each file's format apart.
INCLUDE: dict[str, tuple[str, ...]] = {
    "auto": TEXT_INCLUDE + HTML_INCLUDE,
    "text": TEXT_INCLUDE,
    "html": HTML_INCLUDE,
}
DEFAULT_INCLUDE = INCLUDE["auto"]
# Temporary files are ".<name>.cleaner-<pid>.tmp" beside their output; a resumed or
# overwriting run removes the ones a killed run left behind.
TEMP_NAME = re.compile(r"^\..+\.cleaner-\d+\.tmp$")
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


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


@dataclass(frozen=True, slots=True)
class Options:
    """How every job of a batch is read and cleaned.

    ``format`` "auto" takes each file's format from its extension, else from its first bytes
    (``read.detect_format``). ``url`` is the page URL, for site rules and, for HTML, in place
    of the page's own canonical URL. ``decoding`` is the policy for bytes that are not UTF-8.
    Files larger than ``max_bytes`` (HTML: after decompression) fail with ``too_large``
    unread. ``html_fallback`` "text" cleans a page in which trafilatura finds no text as
    text, instead of recording ``empty_extraction``.
    """

    format: str = "auto"
    url: str | None = None
    decoding: DecodePolicy = STRICT
    max_bytes: int = DEFAULT_MAX_BYTES
    html_fallback: str = "none"


@dataclass
class Summary:
    documents: int = 0
    errors: int = 0
    spans: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    rules_skipped: int = 0  # documents cleaned without a rule that ran past its time limit

    def add(self, rec: dict[str, Any]) -> None:
        self.documents += 1
        self.by_status[rec["status"]] += 1
        if rec["error"]:
            self.errors += 1
        if any(w.startswith("rule_timeout") for w in rec.get("warnings", ())):
            self.rules_skipped += 1
        for span in rec["removed"]:
            self.spans += 1
            self.by_category[span["category"]] += 1

    @property
    def not_ok(self) -> int:
        """Records whose status is not "ok": errors, skipped entries, empty extractions."""
        return self.documents - self.by_status["ok"]

    def line(self) -> str:
        cats = ", ".join(
            f"{k} {v}" for k, v in sorted(self.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        docs = f"{self.documents} document{'s' * (self.documents != 1)}"
        removed = f"{self.spans} span{'s' * (self.spans != 1)} removed" + (f" ({cats})" if cats else "")
        line = f"{docs}, {removed}, {self.errors} error{'s' * (self.errors != 1)}"
        if n := self.by_status["skipped"]:
            line += f", {n} skipped"
        if n := self.by_status["empty_extraction"]:
            line += f", {n} empty extraction{'s' * (n != 1)}"
        if n := self.rules_skipped:
            line += f", {n} cleaned without a rule that timed out"
        return line

    @property
    def failed(self) -> bool:
        """Whether the run counts as failed for its exit status (3): an error, or a rule skipped."""
        return bool(self.errors or self.rules_skipped)


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
    """The report, or the first output, that an earlier run left; None when there is none."""
    if os.path.lexists(report_path):
        return report_path
    return next((j.output for j in jobs if j.live and os.path.lexists(j.output)), None)


def probe_writable(directory: Path) -> None:
    """Create ``directory`` and a file in it, then remove the file; ``WriteError`` if it fails.

    Run before any input is read, so a read-only or missing output location stops the batch
    (exit 4) before it starts rather than at its first output.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".probe.cleaner-{os.getpid()}.tmp"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o600))
        os.unlink(probe)
    except OSError as e:
        raise WriteError(directory, e) from None


def remove_stale_temps(outdir: Path) -> list[Path]:
    """Remove the temporary files a killed run left under ``outdir``; return them."""
    removed = []
    for dirpath, _, filenames in os.walk(outdir):
        for name in filenames:
            if TEMP_NAME.match(name):
                path = Path(dirpath, name)
                with suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


# -- discovery --------------------------------------------------------------------------------


def output_name(rel: Path) -> Path:
    """``rel`` with the extension ``.txt`` in place of its own (``x.html.gz`` → ``x.txt``)."""
    if rel.name.lower().endswith(".gz") and len(rel.name) > 3:
        rel = rel.with_name(rel.name[:-3])
    return rel.with_suffix(".txt")


def _what(mode: int) -> str:
    """A file type for messages."""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"


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
        return Job(p, str(p), output, skip=f"not_regular: {_what(mode)}; not opened", realpath=real)
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
                        add(sub, skip=f"not_regular: {_what(mode)}; not opened")
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
            add(rel, skip=f"not_regular: a symlink to {_what(st.st_mode)}; not opened", realpath=real)
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


# -- one document -----------------------------------------------------------------------------


def read_error(e: OSError) -> DocumentError:
    if isinstance(e, FileNotFoundError):
        return DocumentError("vanished", "file vanished before it could be read")
    if isinstance(e, PermissionError):
        return DocumentError("permission", "permission denied")
    if isinstance(e, IsADirectoryError):
        return DocumentError("read", "is a directory")
    if e.errno == errno.ELOOP:
        return DocumentError("read", "became a symlink after it was listed; not followed")
    return DocumentError("read", f"cannot read: {e.strerror or e}")


def read_input(path: Path, max_bytes: int, *, follow: bool = False) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Opened read-only and non-blocking, without following a symlink unless ``follow``, and
    checked with ``fstat`` before a byte is read: a file swapped for a FIFO or a device since
    it was listed cannot hang the batch. Raises ``DocumentError``.
    """
    flags = os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC | (0 if follow else _O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise read_error(e) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DocumentError("not_regular", f"{_what(st.st_mode)} since it was listed; not read")
        if st.st_size > max_bytes:
            raise too_large(st.st_size, max_bytes)
        chunks, total = [], 0
        while chunk := os.read(fd, min(max(st.st_size + 1 - total, 1 << 16), max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew since fstat
                raise too_large(None, max_bytes)
        return b"".join(chunks)
    except OSError as e:
        raise read_error(e) from None
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_all(stream: IO[bytes], data: bytes) -> None:
    """Write every byte of ``data`` to a binary stream.

    A buffered stream can take only part of a large write and keep the error for the next
    call (a pipe whose reader went away after the first 64 KiB), so call until all is taken.
    """
    view = memoryview(data)
    while view:
        n = stream.write(view)
        if not n:
            raise OSError(errno.EIO, "the stream took no bytes")
        view = view[n:]


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and move it into place.

    ``WriteError`` when that fails (the temporary file is removed): an output that exists
    is always complete.
    """
    tmp = path.with_name(f".{path.name}.cleaner-{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_CLOEXEC, 0o666)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as e:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise WriteError(path, e) from None
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def clean_job(job: Job, cleaner: Cleaner, options: Options | None = None) -> dict[str, Any]:
    """Clean one file and write its output; return its report record.

    Raises only ``WriteError`` (an output could not be written); everything wrong with the
    input itself is in the record.
    """
    opts = options or Options()
    check_format(opts.format)
    # Before the bytes are read (a vanished file), "auto" goes by the extension alone.
    fmt = opts.format if opts.format != "auto" else detect_format(job.source, b"")
    if job.error or job.skip:
        return record(
            input=job.input,
            realpath=job.realpath,
            output=None,
            format=None if job.directory else fmt,
            status="skipped",
            error=job.error,
            warnings=[job.skip] if job.skip else [],
        )
    try:
        data = read_input(job.source, opts.max_bytes, follow=job.realpath is not None)
        if opts.format == "auto":
            fmt = detect_format(job.source, data)
        if fmt == "html":
            return _clean_html(job, cleaner, data, opts)
        decoded = decode(data, opts.decoding)
    except DocumentError as e:
        return record(
            input=job.input,
            realpath=job.realpath,
            output=None,
            format=fmt,
            url=opts.url,
            error=f"{e.kind}: {e}",
        )
    return _clean_text(job, cleaner, decoded, opts.url)


Emit = Callable[[Job, bytes], None]


def _write_output(job: Job, data: bytes) -> None:
    write_atomic(job.output, data)


def clean_data(job: Job, cleaner: Cleaner, data: bytes, options: Options, emit: Emit) -> dict[str, Any]:
    """Clean bytes already read (standard input): as ``clean_job``, with the output handed to
    ``emit`` instead of written to ``job.output``."""
    fmt = options.format if options.format != "auto" else detect_format(None, data)
    try:
        if len(data) > options.max_bytes:
            raise DocumentError("too_large", f"{len(data)} bytes, over the limit of {options.max_bytes}")
        if fmt == "html":
            return _clean_html(job, cleaner, data, options, emit)
        decoded = decode(data, options.decoding)
    except DocumentError as e:
        return record(input=job.input, output=None, format=fmt, url=options.url, error=f"{e.kind}: {e}")
    return _clean_text(job, cleaner, decoded, options.url, emit=emit)


def _clean_text(
    job: Job,
    cleaner: Cleaner,
    decoded: Decoded,
    url: str | None,
    warning: str | None = None,
    emit: Emit = _write_output,
) -> dict[str, Any]:
    result = cleaner.clean(decoded.text, url=url)
    emit(job, encode_output(result.text, decoded))
    return record(
        input=job.input,
        realpath=job.realpath,
        output=str(job.output),
        encoding=decoded.encoding,
        encoding_source=decoded.source,
        encoding_confidence=decoded.confidence,
        encoding_errors=None if decoded.errors == "strict" else decoded.errors,
        bom=decoded.bom,
        newline=newline_style(decoded.text),
        original=decoded.text,
        result=result,
        warnings=[warning] if warning else [],
    )


def _clean_html(
    job: Job, cleaner: Cleaner, data: bytes, opts: Options, emit: Emit = _write_output
) -> dict[str, Any]:
    """Extract the article with trafilatura, then clean that text.

    The cleaner's input, and so every span offset, ``chars_in`` and ``newline`` in the
    record, is trafilatura's extracted text, not the HTML: replaying the spans into the
    output gives that text, whose SHA-256 the record keeps as ``extracted_sha256``.
    ``encoding`` and ``bom`` describe the HTML bytes; the output is UTF-8 without a BOM.
    A page without article text is ``empty_extraction`` (no output), or with
    ``html_fallback`` "text" is cleaned as text, with a warning.
    """
    raw = gunzip(data, opts.max_bytes)
    page = decode_html(raw, opts.decoding)
    url = opts.url or page_url(page.html)
    try:
        text = extract_text(page.html, url)
    except DocumentError as e:
        if e.kind != "empty_extraction":
            raise
        if opts.html_fallback == "text":
            note = f"html_fallback: {e}; cleaned as text"
            return _clean_text(job, cleaner, decode(raw, opts.decoding), opts.url, warning=note, emit=emit)
        return record(
            input=job.input,
            realpath=job.realpath,
            output=None,
            status="empty_extraction",
            format="html",
            url=url,
            encoding=page.encoding,
            bom=page.bom,
            warnings=[f"{e.kind}: {e}"],
            encoding_source=page.source,
            encoding_confidence=page.confidence,
        )
    result = cleaner.clean(text, url=url, format="html")
    emit(job, result.text.encode("utf-8"))
    return record(
        input=job.input,
        realpath=job.realpath,
        output=str(job.output),
        format="html",
        url=url,
        encoding=page.encoding,
        bom=page.bom,
        newline=newline_style(text),
        extracted_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        original=text,
        result=result,
        encoding_source=page.source,
        encoding_confidence=page.confidence,
    )


# -- the report -------------------------------------------------------------------------------


class Report:
    """The JSONL report, written one whole record at a time, without buffering.

    A record that cannot be written whole is cut off again, so the file always ends with a
    complete line (I5). ``keep`` bytes of an earlier report stay at its head (resume);
    otherwise the report is a new file that replaces any earlier one.
    """

    def __init__(self, path: Path, keep: int = 0) -> None:
        self.path = path
        self.size = keep
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not keep:  # a new file: an earlier report (held open, hard-linked) stays whole
                path.unlink(missing_ok=True)
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | _O_CLOEXEC, 0o666)
        except OSError as e:
            raise WriteError(path, e) from None
        try:
            if os.fstat(self.fd).st_size != keep:  # (a no-op truncate would still touch mtime)
                os.ftruncate(self.fd, keep)
            os.lseek(self.fd, keep, os.SEEK_SET)
        except OSError as e:
            os.close(self.fd)
            raise WriteError(path, e) from None

    def write(self, line: bytes) -> None:
        try:
            _write_all(self.fd, line)
        except OSError as e:
            with suppress(OSError):
                os.ftruncate(self.fd, self.size)
                os.lseek(self.fd, self.size, os.SEEK_SET)
            raise WriteError(self.path, e) from None
        except BaseException:
            with suppress(OSError):
                os.ftruncate(self.fd, self.size)
                os.lseek(self.fd, self.size, os.SEEK_SET)
            raise
        self.size += len(line)

    def close(self) -> None:
        os.close(self.fd)


def read_previous(report_path: Path) -> list[tuple[bytes, dict[str, Any]]]:
    """The whole records of an earlier report, as (line, record), up to the first line that is
    torn (a run killed while writing it) or not a record; that line and the rest are dropped."""
    try:
        data = report_path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as e:
        raise UsageError(f"{report_path}: cannot read the report to resume: {e.strerror or e}") from None
    records = []
    for line in data.split(b"\n")[:-1]:  # split on "\n" only; the piece after the last is torn
        try:
            rec = json.loads(line)
        except ValueError:
            break
        if not isinstance(rec, dict) or not isinstance(rec.get("input"), str) or "status" not in rec:
            break
        records.append((line + b"\n", rec))
    return records


def _complete(job: Job, rec: dict[str, Any]) -> bool:
    """Whether an earlier run's record finished ``job``: it names the job, and an "ok" record's
    output is there (outputs are moved into place before their record is written)."""
    if rec.get("input") != job.input or (rec.get("status") == "skipped") != (job.skip is not None):
        return False
    if rec.get("status") == "ok":
        return rec.get("output") == str(job.output) and job.output.is_file()
    return rec.get("output") is None


def run(
    jobs: Sequence[Job],
    cleaner: Cleaner,
    report_path: Path,
    options: Options | None = None,
    *,
    format: str | None = None,
    url: str | None = None,
    resume: bool = False,
    stop: Callable[[], bool] | None = None,
    workers: int = 1,
) -> Iterator[dict[str, Any]]:
    """Clean every job in order, writing one record per job to the report; yield each record.

    ``workers`` above 1 cleans documents in that many processes (forked, so the compiled
    rule plan is shared, not rebuilt); this process alone writes the report, in job order, so
    outputs and report are the same bytes whatever the number of workers.

    ``format`` and ``url`` override those of ``options``. With ``resume``, a job that an
    earlier run over the same jobs finished (its record is in the report, and its output is
    in place) is not done again: its record is copied, so the report ends up byte for byte
    what one uninterrupted run writes. ``stop`` is asked before each job; when it says so the
    run ends there, with a valid report.

    Raises ``WriteError`` when an output or the report cannot be written; the report then
    holds every record up to the last whole one.
    """
    opts = options or Options()
    if format is not None:
        opts = replace(opts, format=format)
    if url is not None:
        opts = replace(opts, url=url)
    check_format(opts.format)
    previous = read_previous(report_path) if resume else []
    # Records already in place at the head of the report stay; the rest is rewritten.
    kept = keep = 0
    for job, (line, rec) in zip(jobs, previous, strict=False):
        if not _complete(job, rec):
            break
        kept, keep = kept + 1, keep + len(line)
    earlier = {rec["input"]: (line, rec) for line, rec in previous}
    # Which jobs collide depends on the job list alone, so a resumed run agrees with a whole one.
    claimed: dict[Path, str] = {}
    collisions: dict[int, str] = {}
    for i, job in enumerate(jobs):
        if job.live:
            key = job.output.resolve()
            if key in claimed:
                collisions[i] = claimed[key]
            else:
                claimed[key] = job.input
    done = {
        i for i, job in enumerate(jobs) if (p := earlier.get(job.input)) is not None and _complete(job, p[1])
    }
    todo = [job for i, job in enumerate(jobs) if i not in done and i not in collisions]
    report = Report(report_path, keep)
    cleaned = _cleaned(todo, cleaner, opts, workers)
    try:
        for i, job in enumerate(jobs):
            if stop is not None and stop():
                return
            if i in done:
                line, rec = earlier[job.input]
                if i >= kept:
                    report.write(line)
                yield rec
                continue
            if i in collisions:
                rec = record(
                    input=job.input,
                    output=None,
                    error=f"collision: the output {job.output} is already written for {collisions[i]}",
                )
                line = dumps(rec).encode("utf-8")
            else:
                rec, line = next(cleaned)
                if rec["output"] is None and job.live:
                    _remove_stale_output(job.output)
            report.write(line)
            yield rec
    finally:
        cleaned.close()
        report.close()


# What a forked worker cleans with: set in the parent just before the pool forks, so the
# compiled plan is inherited rather than pickled or rebuilt.
_WORKER: tuple[Cleaner, Options] | None = None


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle: it stops handing out documents and lets the ones in
    # hand finish, so no worker dies halfway through writing an output.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _worker_clean(job: Job) -> tuple[tuple[dict[str, Any], bytes] | None, tuple[str, int, str] | None]:
    assert _WORKER is not None
    try:
        return _with_line(clean_job(job, *_WORKER)), None
    except WriteError as e:  # sent back as plain values: the exception itself need not pickle
        return None, (str(e.path), e.cause.errno or 0, e.cause.strerror or str(e.cause))


def _with_line(rec: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """A record with its report line, made where it was cleaned (so that with workers, the
    parent only writes it)."""
    return rec, dumps(rec).encode("utf-8")


def _cleaned(
    todo: list[Job], cleaner: Cleaner, opts: Options, workers: int
) -> Generator[tuple[dict[str, Any], bytes], None, None]:
    """The records of ``todo`` with their report lines, in order: cleaned here, or by
    ``workers`` forked processes with a bounded number of documents in flight."""
    if workers <= 1 or len(todo) <= 1:
        for job in todo:
            yield _with_line(clean_job(job, cleaner, opts))
        return
    global _WORKER
    _WORKER = (cleaner, opts)
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(workers, initializer=_worker_init)
    try:
        window: deque[Any] = deque()
        pending = iter(todo)
        for job in itertools.islice(pending, 2 * workers):
            window.append(pool.apply_async(_worker_clean, (job,)))
        while window:
            done, failure = window.popleft().get()
            if failure is not None:
                path, code, message = failure
                raise WriteError(path, OSError(code, message))
            nxt = next(pending, None)
            if nxt is not None:
                window.append(pool.apply_async(_worker_clean, (nxt,)))
            assert done is not None
            yield done
    finally:
        # Documents in hand finish (their outputs are complete or absent); no new ones start.
        pool.close()
        pool.join()
        _WORKER = None


def _remove_stale_output(path: Path) -> None:
    """An earlier run's output for a job that now has none (overwrite or resume) goes, so that
    the outputs always match the report."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as e:
        raise WriteError(path, e) from None
