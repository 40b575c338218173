"""The document layer: a source becomes a ``Document``, and a document becomes a ``Result``
with its report record.

Every door goes through these two steps: a directory's files, standard input, a field of a
JSON Lines record, ``explain``, ``eval`` and the distributed adapters. So the decoding
policy, HTML extraction (``read.extract_html``, the one call into trafilatura) and the
report record are each made in one place::

    doc = read(Path("page.html"), ReadOptions(url="https://example.com/a"))
    result, record = clean(doc, cleaner, input="page.html", output="out/page.txt")
    data = doc.encode(result.text)

A source that gives no document raises ``Unreadable``, whose ``record`` is the report
record of that failure.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from . import read as _read
from .errors import DocumentError, UsageError
from .model import Result
from .read import (
    DEFAULT_MAX_BYTES,
    GZIP_MAGIC,
    STRICT,
    DecodePolicy,
    EmptyExtraction,
    decode,
    detect_format,
    file_kind,
    newline_style,
    too_large,
)
from .report import record

FORMATS = ("auto", "text", "html")
HTML_FALLBACKS = ("none", "text")
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How a source is read.

    ``format`` "auto" takes a file's format from its extension, else from its first bytes
    (``read.detect_format``). ``url`` is the page URL, for site rules and, for HTML, in place
    of the page's own canonical URL. ``decoding`` is the policy for bytes that are not UTF-8.
    Sources larger than ``max_bytes`` (HTML: also once decompressed) fail with
    ``too_large``. ``html_fallback`` "text" cleans a page in which trafilatura finds no text
    as text, instead of failing it with ``empty_extraction``.
    """

    format: str = "auto"
    url: str | None = None
    decoding: DecodePolicy = STRICT
    max_bytes: int = DEFAULT_MAX_BYTES
    html_fallback: str = "none"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise UsageError(f"unknown format {self.format!r}: expected one of {', '.join(FORMATS)}")
        if self.html_fallback not in HTML_FALLBACKS:
            raise UsageError(f"unknown HTML fallback {self.html_fallback!r}: expected none or text")


@dataclass(frozen=True, slots=True)
class Field:
    """A source that is already text: one field of a record (JSON Lines, a dataframe row).

    ``url`` is the record's page URL; ``warnings`` say what was wrong with the record's other
    fields (a URL field that is not a string, say) and go into the report record.
    """

    text: str
    url: str | None = None
    warnings: tuple[str, ...] = ()


Source = Path | bytes | IO[bytes] | Field
DEFAULT_OPTIONS = ReadOptions()


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded document: the text the cleaner reads, and how it was read.

    ``format`` is what the report says: "text" (a decoded text file), "html" (``text`` is
    trafilatura's article text; ``encoding`` and ``bom`` describe the HTML bytes) or "jsonl"
    (a field of a record). ``url`` scopes the site rules: for HTML, the page URL used (given,
    else canonical, else og:url). ``warnings`` (``kind: message``) go into the record.
    """

    text: str
    format: str
    url: str | None = None
    encoding: str | None = "utf-8"
    bom: bool = False
    encoding_source: str | None = None  # "fallback" or "detected" when not by BOM or UTF-8
    encoding_confidence: float | None = None  # for "detected"
    encoding_errors: str = "strict"  # "surrogateescape" when undecodable bytes are kept
    warnings: tuple[str, ...] = ()
    kind: str | None = None  # HTML: what the page says it is ("article" or "page")

    @property
    def clean_format(self) -> str:
        """The format the cleaner is told: extracted text leaves out the whole-page rules."""
        return "html" if self.format == "html" else "text"

    def encode(self, text: str) -> bytes:
        """``text`` (this document cleaned) as output bytes: UTF-8; a UTF-8 input's BOM is
        written back, and so are bytes kept as surrogates, so that the bytes round-trip.
        Text extracted from HTML is written as plain UTF-8."""
        if self.format == "html":
            return text.encode("utf-8")
        body = text.encode("utf-8", self.encoding_errors)
        if self.bom and self.encoding == "utf-8":
            return codecs.BOM_UTF8 + body
        return body


class Cleans(Protocol):
    """What ``clean`` needs of a cleaner: ``pipeline.Cleaner``, or a stand-in in tests."""

    def clean(
        self, text: str, *, url: str | None = None, format: str = "text", kind: str | None = None
    ) -> Result: ...


class Unreadable(DocumentError):
    """A source that gave no document. ``format`` is what it was read as, as far as that was
    known (by the file name alone when its bytes could not be read); ``record`` builds the
    report record. A page without article text (kind ``empty_extraction``) is not an error
    but a status of its own."""

    def __init__(self, cause: DocumentError, format: str, url: str | None) -> None:
        super().__init__(cause.kind, str(cause))
        self.cause = cause
        self.format = format
        self.url = url

    def record(self, *, input: str, realpath: str | None = None) -> dict[str, Any]:
        cause = self.cause
        if isinstance(cause, EmptyExtraction):
            page = cause.page
            return record(
                input=input,
                realpath=realpath,
                output=None,
                status="empty_extraction",
                format="html",
                url=cause.url,
                encoding=page.encoding,
                bom=page.bom,
                warnings=[f"{cause.kind}: {cause}"],
                encoding_source=page.source,
                encoding_confidence=page.confidence,
            )
        return record(
            input=input,
            realpath=realpath,
            output=None,
            format=self.format,
            url=self.url,
            error=f"{self.kind}: {self}",
        )


def read(
    source: Source, options: ReadOptions = DEFAULT_OPTIONS, *, follow_symlinks: bool = False
) -> Document:
    """The document of a source: a file (``Path``), bytes, a binary stream (standard input)
    or a ``Field``.

    A file is opened read-only and only when it is a regular file (``read_file``), without
    following a symlink unless ``follow_symlinks``. Raises ``Unreadable``.
    """
    if isinstance(source, Field):
        return Document(source.text, "jsonl", url=source.url, warnings=source.warnings)
    name = source if isinstance(source, Path) else None
    # Before the bytes are read (a vanished file), "auto" goes by the name alone.
    fmt = options.format if options.format != "auto" else detect_format(name, b"")
    try:
        if isinstance(source, Path):
            data = read_file(source, options.max_bytes, follow=follow_symlinks)
        else:
            data = source if isinstance(source, bytes) else source.read(options.max_bytes + 1)
        if options.format == "auto":
            fmt = detect_format(name, data)
        if len(data) > options.max_bytes:
            raise too_large(len(data) if isinstance(source, bytes) else None, options.max_bytes)
        if fmt == "html":
            if name is not None and name.name.lower().endswith(".gz") and not data.startswith(GZIP_MAGIC):
                raise DocumentError("decode", "not gzip data, though its name ends in .gz")
            return _html(data, options)
        return _text(data, options)
    except DocumentError as e:
        raise Unreadable(e, fmt, options.url) from None


def _text(data: bytes, options: ReadOptions, warnings: tuple[str, ...] = ()) -> Document:
    decoded = decode(data, options.decoding)
    return Document(
        decoded.text,
        "text",
        url=options.url,
        encoding=decoded.encoding,
        bom=decoded.bom,
        encoding_source=decoded.source,
        encoding_confidence=decoded.confidence,
        encoding_errors=decoded.errors,
        warnings=warnings,
    )


def _html(data: bytes, options: ReadOptions) -> Document:
    """trafilatura's article text of a page; with ``html_fallback`` "text", a page without
    any is read as text instead, with a warning saying so."""
    try:
        page = _read.extract_html(data, url=options.url, policy=options.decoding, max_bytes=options.max_bytes)
    except EmptyExtraction as e:
        if options.html_fallback != "text":
            raise
        return _text(e.raw, options, (f"html_fallback: {e}; cleaned as text",))
    return Document(
        page.text,
        "html",
        url=page.url,
        encoding=page.encoding,
        bom=page.bom,
        encoding_source=page.source,
        encoding_confidence=page.confidence,
        kind=page.kind,
    )


def clean(
    doc: Document,
    cleaner: Cleans,
    *,
    input: str,
    output: str | None,
    realpath: str | None = None,
    warnings: tuple[str, ...] | list[str] = (),
    write: Callable[[bytes], None] | None = None,
) -> tuple[Result, dict[str, Any]]:
    """Clean a document; return the result and its report record.

    ``input`` and ``output`` name the document and where its clean text goes, as the report
    shows them; ``warnings`` are added to the record after the document's own. A field of a
    record (format "jsonl") that the cleaner left unchanged on purpose has no output: its
    line is written back as it came. ``write``, when given, takes the clean text's bytes
    (``Document.encode``) before the record is made: a long document's record (a dict a
    span) and its encoded text are then never held at once (30 MiB less at 10 MB).
    """
    result = cleaner.clean(doc.text, url=doc.url, format=doc.clean_format, kind=doc.kind)
    if write is not None:
        write(doc.encode(result.text))
    return result, record_of(doc, result, input=input, output=output, realpath=realpath, warnings=warnings)


def record_of(
    doc: Document,
    result: Result,
    *,
    input: str,
    output: str | None,
    realpath: str | None = None,
    warnings: tuple[str, ...] | list[str] = (),
) -> dict[str, Any]:
    """The report record of a cleaned document (see ``report.record`` for the keys)."""
    html = doc.format == "html"
    return record(
        input=input,
        realpath=realpath,
        output=None if doc.format == "jsonl" and result.error else output,
        format=doc.format,
        url=doc.url if html else None,
        kind=doc.kind if html else None,
        encoding=doc.encoding,
        encoding_source=doc.encoding_source,
        encoding_confidence=doc.encoding_confidence,
        encoding_errors=None if doc.encoding_errors == "strict" else doc.encoding_errors,
        bom=doc.bom,
        newline=newline_style(doc.text),
        extracted_sha256=hashlib.sha256(doc.text.encode("utf-8")).hexdigest() if html else None,
        original=doc.text,
        result=result,
        warnings=[*doc.warnings, *warnings],
    )


# -- reading a file ---------------------------------------------------------------------------


def read_error(e: OSError) -> DocumentError:
    """The document error an ``OSError`` from reading a file stands for."""
    if isinstance(e, FileNotFoundError):
        return DocumentError("vanished", "file vanished before it could be read")
    if isinstance(e, PermissionError):
        return DocumentError("permission", "permission denied")
    if isinstance(e, IsADirectoryError):
        return DocumentError("read", "is a directory")
    if e.errno == errno.ELOOP:
        return DocumentError("read", "became a symlink after it was listed; not followed")
    return DocumentError("read", f"cannot read: {e.strerror or e}")


def read_file(path: Path, max_bytes: int, *, follow: bool = False) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Opened read-only and non-blocking, without following a symlink unless ``follow``, and
    checked with ``fstat`` before a byte is read: a file swapped for a FIFO or a device since
    it was listed cannot hang a run. Raises ``DocumentError``.
    """
    flags = os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC | (0 if follow else _O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise read_error(e) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DocumentError("not_regular", f"{file_kind(st.st_mode)} since it was listed; not read")
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
