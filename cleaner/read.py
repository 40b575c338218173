"""Bytes → text: the decoding policy, applied the same way to every input, and HTML → text.

This is the only module that imports trafilatura.
"""

from __future__ import annotations

import codecs
import html as htmllib
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import DocumentError

BINARY_PROBE = 8192


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str  # without the byte-order mark
    encoding: str  # a Python codec name that decodes the input bytes
    bom: bool


def decode(data: bytes) -> Decoded:
    """Decode UTF-8 (or UTF-16 with a BOM) strictly; never replace a byte silently.

    Raises ``DocumentError`` for binary data (a NUL byte in the first 8 KiB of a file
    without a UTF-16 BOM) and for bytes that are not valid in the encoding.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "utf-16", True)
        except UnicodeDecodeError as e:
            raise DocumentError("decode", f"invalid UTF-16 at byte {e.start}") from None
    if b"\x00" in data[:BINARY_PROBE]:
        raise DocumentError("binary", "binary content (NUL byte in the first 8 KiB)")
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as e:
        raise DocumentError("decode", f"invalid UTF-8 at byte {e.start}") from None
    return Decoded(text, "utf-8", bom)


def encode_output(text: str, decoded: Decoded) -> bytes:
    """Outputs are UTF-8; a UTF-8 input's BOM is written back so bytes round-trip."""
    body = text.encode("utf-8")
    if decoded.bom and decoded.encoding == "utf-8":
        return codecs.BOM_UTF8 + body
    return body


def newline_style(text: str) -> str | None:
    """'\\n', '\\r\\n', '\\r', 'mixed', or None for a text without line breaks."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [k for k, n in (("\n", lf), ("\r\n", crlf), ("\r", cr)) if n]
    if not kinds:
        return None
    return kinds[0] if len(kinds) == 1 else "mixed"


# -- HTML -------------------------------------------------------------------------------

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt", ".text")
SNIFF_BYTES = 4096
GZIP_MAGIC = b"\x1f\x8b"
# Refuse HTML larger than this (after decompression): a guard against gzip bombs, well
# above any real article page (the dev benchmark's largest is 2.6 MB).
MAX_HTML_BYTES = 64 * 1024 * 1024

_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<\?xml[^>]*>\s*<html", re.I)
_HTML_TAG = re.compile(
    rb"</?(?:div|p|span|a|br|script|style|meta|link|table|section|article|ul|li)[\s/>]", re.I
)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_TAG = {
    "link": re.compile(r"<link\b[^>]*>", re.I),
    "meta": re.compile(r"<meta\b[^>]*>", re.I),
}
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
# WHATWG: browsers decode these labels as windows-1252.
_CP1252_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819", "us-ascii", "ascii"}


def detect_format(path: Path | None, data: bytes) -> str:
    """``"html"`` or ``"text"``: by the file name's extension, else by sniffing the start.

    ``.html``, ``.htm``, ``.xhtml`` (also followed by ``.gz``) are HTML; ``.txt`` and
    ``.text`` are text. Other names look at the first 4 KiB (decompressed when gzip):
    a doctype, ``<html``, ``<head`` or ``<body``, or markup heavy in common tags, is HTML.
    """
    if path is not None:
        name = path.name.lower().removesuffix(".gz")
        if name.endswith(HTML_SUFFIXES):
            return "html"
        if name.endswith(TEXT_SUFFIXES):
            return "text"
    head = _sniff_head(data)
    if _HTML_START.search(head):
        return "html"
    tags = len(_HTML_TAG.findall(head))
    starts_with_tag = head.lstrip().startswith(b"<")
    return "html" if tags >= 10 or (starts_with_tag and tags >= 3) else "text"


def _sniff_head(data: bytes) -> bytes:
    """The first bytes of ``data`` as ASCII-compatible bytes, for sniffing only."""
    if data.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(31).decompress(data[: 4 * SNIFF_BYTES], SNIFF_BYTES)
        except zlib.error:
            return b""
    else:
        head = data[:SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    return head.removeprefix(codecs.BOM_UTF8)


@dataclass(frozen=True, slots=True)
class Extracted:
    """The article text trafilatura found in a page; report offsets index ``text``."""

    text: str
    url: str | None  # the page URL used: given, else canonical, else og:url
    encoding: str  # the codec that decoded the HTML bytes
    bom: bool = False  # whether the (decompressed) HTML began with a byte-order mark


# trafilatura's settings (in extract_html), chosen by measurement on the dev benchmark (aeb-dev,
# 90 pages; its shingle F1 / precision / recall; median time of trafilatura.extract per page):
#
#   trafilatura.extract defaults (comments on)   0.957 / 0.923 / 0.993   19 ms
#   include_comments=False                       0.966 / 0.941 / 0.993   18 ms  (bench README's default)
#   favor_recall, comments off       (chosen)    0.967 / 0.942 / 0.993   13 ms
#   favor_precision, comments off                0.967 / 0.956 / 0.979   18 ms  (barrons.com: nothing right)
#   fast, comments off                           0.971 / 0.949 / 0.993   14 ms  (differs on one page only)
#   comments off, include_tables=False           0.950 / 0.920 / 0.982
#   include_formatting=True (markdown marks)     0.952 / 0.918 / 0.990
#   with_metadata=True (YAML header in the text) 0.876 / 0.783 / 0.994
#
# Comments are not article text. favor_recall keeps default's recall with a little more
# precision, and is faster because the balanced mode's recall-escalation retry does not run;
# the rules that run afterwards remove noise, not lost text. favor_precision loses recall.
# fast (no readability/jusText fallback) wins on a single dev page, too little evidence to
# give up the fallback that rescues pages the main extractor under-reads.
# deduplicate=False: trafilatura's dedup keeps a process-wide LRU of paragraphs seen, so a
# page's text would depend on the pages before it. The other caches in trafilatura
# (trim, line_processing, is_similar_domain, ...) memoise pure functions and do not change
# output; the global jusText stop list is built once from fixed data.


def extract_html(data: bytes, *, url: str | None = None) -> Extracted:
    """Decode HTML bytes (gzip-compressed or not), find the page URL, extract the article.

    Raises ``DocumentError``: ``decode`` for bytes no declared or default charset decodes
    strictly (and for corrupt gzip), ``too_large`` past ``MAX_HTML_BYTES``,
    ``extraction`` when trafilatura fails, ``empty_extraction`` when it finds no text.
    """
    raw = _gunzip(data) if data.startswith(GZIP_MAGIC) else data
    if len(raw) > MAX_HTML_BYTES:
        raise DocumentError("too_large", f"HTML larger than {MAX_HTML_BYTES // 2**20} MiB")
    html, encoding, bom = _decode_html(raw)
    url = url or page_url(html)
    import trafilatura  # here, not at the top: text-only use does not pay for the import

    try:
        text = trafilatura.extract(
            html,
            url=url,
            favor_recall=True,
            include_comments=False,
            include_tables=True,
            include_formatting=False,
            include_images=False,
            include_links=False,
            output_format="txt",
            with_metadata=False,
            deduplicate=False,
        )
    except Exception as e:  # a bug in one page's extraction must not stop a batch
        raise DocumentError("extraction", f"trafilatura failed: {type(e).__name__}: {e}") from None
    if not text or not text.strip():
        raise DocumentError("empty_extraction", "trafilatura found no article text")
    return Extracted(text, url, encoding, bom)


def _gunzip(data: bytes) -> bytes:
    """Every gzip member of ``data``, decompressed, refusing more than ``MAX_HTML_BYTES``."""
    out = bytearray()
    rest = data
    try:
        while rest:
            d = zlib.decompressobj(31)
            out += d.decompress(rest, MAX_HTML_BYTES + 1 - len(out))
            if len(out) > MAX_HTML_BYTES or d.unconsumed_tail:
                raise DocumentError("too_large", f"HTML larger than {MAX_HTML_BYTES // 2**20} MiB")
            if not d.eof:
                raise DocumentError("decode", "truncated gzip data")
            rest = d.unused_data.lstrip(b"\x00")  # members may be padded with NULs
    except zlib.error as e:
        raise DocumentError("decode", f"invalid gzip data: {e}") from None
    return bytes(out)


def _decode_html(raw: bytes) -> tuple[str, str, bool]:
    """BOM, then strict UTF-8, then the ``<meta>`` charset (strictly); never replace bytes."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec), codec, True
            except UnicodeDecodeError as e:
                raise DocumentError("decode", f"invalid {codec} at byte {e.start + len(bom)}") from None
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as e:
        utf8_error = f"invalid UTF-8 at byte {e.start}"
    m = _META_CHARSET.search(raw[:SNIFF_BYTES])
    if m is None:
        raise DocumentError("decode", f"{utf8_error} and no <meta charset>")
    label = m.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup("cp1252" if label in _CP1252_LABELS else label).name
    except LookupError:
        raise DocumentError("decode", f"{utf8_error}; unknown <meta charset> {label!r}") from None
    if codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        raise DocumentError("decode", f"{utf8_error} (declared {label})")
    try:
        return raw.decode(codec), codec, False
    except UnicodeDecodeError as e:
        raise DocumentError("decode", f"invalid {codec} (from <meta charset>) at byte {e.start}") from None


def page_url(html: str) -> str | None:
    """The page's own absolute URL: ``<link rel=canonical href>``, else ``<meta property=og:url>``."""
    # The whole page, not only <head>: some pages (sportsnet.ca, reuters.com) emit them in <body>.
    for m in _TAG["link"].finditer(html):
        attrs = _attrs(m.group())
        if "canonical" in attrs.get("rel", "").lower().split() and (url := _absolute(attrs.get("href"))):
            return url
    for m in _TAG["meta"].finditer(html):
        attrs = _attrs(m.group())
        if (attrs.get("property") or attrs.get("name") or "").lower() == "og:url" and (
            url := _absolute(attrs.get("content"))
        ):
            return url
    return None


def _attrs(tag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    # both tag names ("link", "meta") are four letters: the attributes start after "<xxxx"
    for name, value in _ATTR.findall(tag, 5):
        if value and value[0] in "\"'":
            value = value[1:-1]
        out.setdefault(name.lower(), htmllib.unescape(value).strip())
    return out


def _absolute(href: str | None) -> str | None:
    """``href`` when it is an absolute http(s) URL (``//host/…`` counts as https); else None."""
    if not href:
        return None
    if href.startswith("//"):
        href = "https:" + href
    parts = urlsplit(href)
    return href if parts.scheme.lower() in ("http", "https") and parts.netloc else None
