"""Bytes → text: the decoding policy, applied the same way to every input, and HTML → text.

This is the only module that imports trafilatura (and resiliparse, its second opinion).
"""

from __future__ import annotations

import codecs
import html as htmllib
import re
import stat
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import DocumentError
from .lines import repeated_runs

# Detection: a rival encoding whose mess ratio is within this of the best one's, and which
# reads the bytes differently, makes the guess ambiguous (confidence falls towards 0).
AMBIGUITY = 0.1
DEFAULT_MIN_CONFIDENCE = 0.5
ENCODING_ERRORS = ("strict", "surrogateescape")
# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class DecodePolicy:
    """What to do with bytes that are not UTF-8. The default refuses them; nothing is ever
    replaced silently.

    ``fallback`` names a codec tried (strictly) when strict UTF-8 fails; ``detect`` then asks
    charset_normalizer, accepting its guess only at ``min_confidence`` or above; ``errors``
    "surrogateescape" finally reads the bytes as UTF-8 with each undecodable byte kept as a
    lone surrogate, so that they are written back exactly. ``allow_nul`` reads text with NUL
    bytes instead of calling it binary.
    """

    errors: str = "strict"
    fallback: str | None = None
    detect: bool = False
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    allow_nul: bool = False


STRICT = DecodePolicy()


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str  # without the byte-order mark
    encoding: str  # a Python codec name that decodes the input bytes (with ``errors``)
    bom: bool
    source: str | None = None  # None (BOM or UTF-8), "fallback" or "detected"
    confidence: float | None = None  # for "detected"
    errors: str = "strict"  # "surrogateescape" when undecodable bytes were kept as surrogates


@dataclass(frozen=True, slots=True)
class Detection:
    encoding: str  # charset_normalizer's best guess, a Python codec name
    confidence: float  # 0..1, see ``detect_encoding``
    rival: str | None  # the closest encoding that reads the bytes differently


def decode(data: bytes, policy: DecodePolicy = STRICT) -> Decoded:
    """Decode by the BOM (UTF-8, UTF-16, UTF-32), else as strict UTF-8, else as ``policy`` says.

    Raises ``DocumentError``: ``binary`` for a NUL byte (unless ``policy.allow_nul``),
    ``decode`` for bytes no allowed decoding reads, naming the first bad byte's offset in the
    file. A UTF-8 BOM declares UTF-8: such a file gets no fallback or detection.
    """
    for mark, codec in _BOMS:
        if data.startswith(mark):
            try:
                return Decoded(data.decode(codec), codec, True)
            except UnicodeDecodeError as e:
                raise DocumentError("decode", f"invalid {codec.upper()} at byte {e.start}") from None
    if not policy.allow_nul:
        check_nul(data)
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8", bom)
    except UnicodeDecodeError as e:
        problems = [f"invalid UTF-8 at byte {e.start + (len(data) - len(body))}"]
    if not bom and (decoded := decode_fallbacks(data, policy, problems)):
        return decoded
    if policy.errors == "surrogateescape":
        return Decoded(body.decode("utf-8", "surrogateescape"), "utf-8", bom, errors="surrogateescape")
    raise DocumentError("decode", "; ".join(problems))


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, for messages."""
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


def check_nul(data: bytes) -> None:
    """``DocumentError("binary")`` when ``data`` holds a NUL byte, which no text file does."""
    at = data.find(b"\x00")
    if at >= 0:
        raise DocumentError("binary", f"binary content (NUL byte at byte {at})")


def decode_fallbacks(data: bytes, policy: DecodePolicy, problems: list[str]) -> Decoded | None:
    """The ``fallback`` codec, then detection, as ``policy`` allows; each failure is added to
    ``problems``."""
    if policy.fallback:
        name = codecs.lookup(policy.fallback).name
        try:
            return Decoded(data.decode(name), name, False, source="fallback")
        except UnicodeDecodeError as e:
            problems.append(f"not {name} either (byte {e.start})")
    if policy.detect:
        found = detect_encoding(data)
        if found is None:
            problems.append("no encoding detected")
        elif found.confidence < policy.min_confidence:
            rival = f", {found.rival} reads it differently" if found.rival else ""
            problems.append(
                f"detected {found.encoding} with confidence {found.confidence:.2f}{rival}; "
                f"below {policy.min_confidence:g}, not used"
            )
        else:
            try:
                text = data.decode(found.encoding)
            except (UnicodeDecodeError, LookupError):
                problems.append(f"detected {found.encoding}, which does not decode it")
            else:
                return Decoded(text, found.encoding, False, source="detected", confidence=found.confidence)
    return None


def detect_encoding(data: bytes) -> Detection | None:
    """charset_normalizer's best guess for ``data``, with a confidence that counts ambiguity.

    charset_normalizer ranks encodings by how messy the text they give looks. Short texts in
    one Western language often decode cleanly in several code pages that disagree on their
    accented letters (a German latin-1 ``ü`` is ``Ř`` in cp775 and ``ü`` in cp1250), and a
    low mess ratio alone would accept any of them. So the confidence is ``1 - mess`` scaled
    down by how close the nearest rival that reads the bytes *differently* comes: equal mess
    gives 0, a rival ``AMBIGUITY`` messier or more leaves it as it is.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return Detection(best.encoding, 0.0, None)
    gap, rival = AMBIGUITY, None
    for m in matches[1:]:
        distance = max(0.0, m.chaos - best.chaos)
        if m.encoding == best.encoding or distance >= gap:
            continue
        try:
            other = data.decode(m.encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if other != text:
            gap, rival = distance, m.encoding
    confidence = (1.0 - best.chaos) * gap / AMBIGUITY
    return Detection(best.encoding, round(max(0.0, min(1.0, confidence)), 2), rival)


def encode_output(text: str, decoded: Decoded) -> bytes:
    """Outputs are UTF-8; a UTF-8 input's BOM is written back, and so are bytes kept as
    surrogates, so that the bytes round-trip."""
    body = text.encode("utf-8", decoded.errors)
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


# -- what a file is, by its name ---------------------------------------------------------

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")  # each also gzipped, with ".gz" after it
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
# The names a directory yields for each format ("auto" yields both kinds, and then tells
# each file's format apart).
TEXT_INCLUDE = tuple(f"*{s}" for s in TEXT_SUFFIXES)
HTML_INCLUDE = tuple(f"*{s}" for s in HTML_SUFFIXES) + tuple(f"*{s}.gz" for s in HTML_SUFFIXES)
INCLUDE: dict[str, tuple[str, ...]] = {
    "auto": TEXT_INCLUDE + HTML_INCLUDE,
    "text": TEXT_INCLUDE,
    "html": HTML_INCLUDE,
}


def is_jsonl_name(name: str) -> bool:
    """Whether a file name says JSON Lines (``.jsonl``, ``.ndjson``, each also ``.gz``)."""
    return name.lower().endswith(JSONL_SUFFIXES)


# -- HTML -------------------------------------------------------------------------------

SNIFF_BYTES = 4096
GZIP_MAGIC = b"\x1f\x8b"
# Refuse inputs larger than this (HTML: after decompression, a guard against gzip bombs), well
# above any real article (the dev benchmark's largest page is 2.6 MB). ``--max-bytes`` sets it.
MAX_HTML_BYTES = DEFAULT_MAX_BYTES = 64 * 1024 * 1024

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
class Page:
    """HTML bytes decoded: the markup as text and how it was read."""

    html: str
    encoding: str  # the codec that decoded the HTML bytes
    bom: bool = False  # whether the (decompressed) HTML began with a byte-order mark
    source: str | None = None  # None (BOM, UTF-8 or <meta charset>), "fallback" or "detected"
    confidence: float | None = None  # for "detected"


@dataclass(frozen=True, slots=True)
class Extracted:
    """The article text trafilatura found in a page; report offsets index ``text``."""

    text: str
    url: str | None  # the page URL used: given, else canonical, else og:url
    encoding: str  # the codec that decoded the HTML bytes
    bom: bool = False  # whether the (decompressed) HTML began with a byte-order mark
    source: str | None = None  # how the encoding was found, as ``Page.source``
    confidence: float | None = None  # for "detected"
    kind: str = "page"  # "article" when the page says it is one (``page_kind``)


class EmptyExtraction(DocumentError):
    """A page in which trafilatura found no article text: not a failure of the page, so it
    carries what was read of it (``page``, the ``url`` used, and the decompressed bytes
    ``raw``, which a caller may clean as text instead)."""

    def __init__(self, message: str, page: Page, url: str | None, raw: bytes) -> None:
        super().__init__("empty_extraction", message)
        self.page = page
        self.url = url
        self.raw = raw


# trafilatura's settings (in extract_text), chosen by measurement on the development sets:
# aeb-dev (90 news pages; shingle F1 / precision / recall of trafilatura alone) and wcxb-dev
# (1,310 pages of seven types; word F1 of trafilatura alone, articles / all pages):
#
#                                                aeb-dev                 wcxb-dev        time
#   trafilatura.extract defaults (comments on)   0.957 / 0.923 / 0.993
#   balanced (the defaults), comments off        0.966 / 0.941 / 0.993   0.937 / 0.825   38 ms
#   favor_recall, comments off                   0.967 / 0.942 / 0.993   0.937 / 0.805   26 ms
#   favor_precision, comments off                0.967 / 0.956 / 0.979   0.914 / 0.762   39 ms
#   fast, comments off                           0.971 / 0.949 / 0.993   0.917 / 0.793   27 ms
#   favor_recall, then balanced when it covers   0.966 / 0.941 / 0.993   0.946 / 0.836   43 ms
#     little of the page (chosen)
#   comments off, include_tables=False           0.950 / 0.920 / 0.982
#   include_formatting=True (markdown marks)     0.952 / 0.918 / 0.990
#   with_metadata=True (YAML header in the text) 0.876 / 0.783 / 0.994
#
# (time: mean per wcxb-dev page, one process.) Comments are not article text: on wcxb-dev
# turning them on lifts forums a little (their gold holds the replies) but costs articles
# more. favor_recall keeps more of a page's text than the balanced mode, and skips the
# balanced mode's rescues (comparing with readability, then a recall retry and jusText when
# the text covers little of the page) once its text is over 2,500 characters. Those rescues
# are what a page whose main extractor under-reads needs: a forum thread of which only the
# first post was found, a listing whose items were passed over. So when the favor_recall
# text holds less than RESCUE_SHARE of the page's visible characters, the balanced
# extraction runs as well and the longer text is kept (its repeated runs of lines not
# counted: readability's text can hold an article twice, and the boilerplate.repeated-run
# rule removes the copy). On wcxb-dev that rescues forums (0.57 to 0.72 with the rules),
# services, listings and collections, and articles gain too (0.938 to 0.948), for a second
# extraction on one page in five (one in six on aeb-dev). favor_precision loses recall;
# fast (no readability/jusText fallback) loses forums and listings.
# deduplicate=False: trafilatura's dedup keeps a process-wide LRU of paragraphs seen, so a
# page's text would depend on the pages before it. The other caches in trafilatura (trim,
# line_processing, is_similar_domain, ...) memoise pure functions and do not change output;
# the global jusText stop list is built once from fixed data.

# A favor_recall text with less than this share of the page's visible characters (not counting
# whitespace) is compared with the balanced mode's. On wcxb-dev 0.25 to 0.5 score within 0.001
# of each other on either half of its sites (split by site); 0.2 loses services and listings.
RESCUE_SHARE = 0.3
# What a repeated run of lines is when the two extractions are compared by length: the same
# as the boilerplate.repeated-run rule's (a run of 2 lines and 30 words or more).
REPEAT_MIN_LINES = 2
REPEAT_MIN_WORDS = 30
# The rescue's text gives way to a second extractor's (resiliparse's main content, comments
# off as trafilatura's are) when that holds more than UNDER_READ_RATIO times as many words,
# among them at least UNDER_READ_HELD of the rescued text's: trafilatura found a thread's
# first post, a listing's heading, a service page's opening, a story's first paragraph, and
# passed over the rest. Only pages the rescue runs for are asked (one in five on wcxb-dev,
# about 3 ms each). On wcxb-dev, with the rules, 22 of 1,310 pages take the second text: word
# F1 all pages 0.836 to 0.843, articles 0.948 to 0.953, forums 0.715 to 0.736, services 0.782
# to 0.790, collections 0.592 to 0.602, listings 0.614 to 0.616, products and documentation
# unchanged; 19 pages gain (recall 0.01-0.46 to 0.41-1.00), 3 lose precision (two listings
# and a service page), none loses recall. Both halves of its sites (split by
# site) gain. A ratio of 2.5 takes products below trafilatura's (0.599) and loses a page's
# recall; 4 gains half as much. With resiliparse's comments on, forums' replies come in but so
# do blogs' comment sections, and it had to be kept to pages that do not say they are
# articles: all pages 0.841, forums 0.745, articles 0.949. aeb-dev is unchanged.
UNDER_READ_RATIO = 3.0
UNDER_READ_HELD = 0.5
# resiliparse's main-content pass takes time that grows with the square of how deep <div> and
# <article> elements nest (8,000 levels: 1.4 s; 100,000: minutes), so a page nested deeper
# than this is not given to it. The development pages nest 12 deep at the median and 184 at
# most; 1,000 levels take it about 20 ms. Counting the tags takes about 0.4 ms a page.
MAX_NESTING = 1000
_BLOCK_TAG = re.compile(r"<(/?)(?:div|article)\b", re.IGNORECASE)
_HIDDEN = ("script", "style", "template")  # elements whose text no reader sees


def extract_html(
    data: bytes, *, url: str | None = None, policy: DecodePolicy = STRICT, max_bytes: int = MAX_HTML_BYTES
) -> Extracted:
    """Decode HTML bytes (gzip-compressed or not), find the page URL, extract the article.

    Raises ``DocumentError``: ``decode`` for bytes no declared or default charset decodes
    strictly (and for corrupt gzip), ``binary`` for NUL bytes, ``too_large`` past
    ``max_bytes``, ``extraction`` when trafilatura fails; ``EmptyExtraction`` (kind
    ``empty_extraction``) when it finds no text.
    """
    raw = gunzip(data, max_bytes)
    page = decode_html(raw, policy)
    url = url or page_url(page.html)
    try:
        text = extract_text(page.html, url)
    except DocumentError as e:
        if e.kind == "empty_extraction":
            raise EmptyExtraction(str(e), page, url, raw) from None
        raise
    return Extracted(text, url, page.encoding, page.bom, page.source, page.confidence, page_kind(page.html))


def extract_text(html: str, url: str | None) -> str:
    """The article text of ``html``; ``DocumentError`` when extraction fails or finds none.

    The page is parsed once and extracted with trafilatura's ``favor_recall``; when that text
    holds less than ``RESCUE_SHARE`` of the page's visible text, the page is extracted again
    in the balanced mode and the longer of the two texts (its repeated runs of lines not
    counted) is kept: see the table above. The page is then read by a second extractor too
    (``main_content``), whose text is taken when it shows that trafilatura's missed most of
    the page (``under_read``).
    """
    import trafilatura  # here, not at the top: text-only use does not pay for the import

    def extract(tree: Any, favor_recall: bool) -> str:
        text = trafilatura.extract(
            tree,  # trafilatura works on a copy of it
            url=url,
            favor_recall=favor_recall,
            include_comments=False,
            include_tables=True,
            include_formatting=False,
            include_images=False,
            include_links=False,
            output_format="txt",
            with_metadata=False,
            deduplicate=False,
        )
        return str(text or "")

    rescued = False
    try:
        tree = trafilatura.load_html(html)
        text = ""
        if tree is not None:
            text = extract(tree, favor_recall=True)
            if _chars(text) < RESCUE_SHARE * visible_chars(tree):
                rescued = True
                balanced = extract(tree, favor_recall=False)
                if _unrepeated_chars(balanced) > _unrepeated_chars(text):
                    text = balanced
    except Exception as e:  # a bug in one page's extraction must not stop a batch
        raise DocumentError("extraction", f"trafilatura failed: {type(e).__name__}: {e}") from None
    if rescued:
        other = main_content(html)  # a page it cannot read gives an empty text
        if under_read(text, other):
            text = other
    if not text.strip():
        raise DocumentError("empty_extraction", "trafilatura found no article text")
    return text


def main_content(html: str) -> str:
    """Resiliparse's main-content text of ``html``: a second extractor, with its own model of
    where a page's content is (its blocks' tags and classes, not a text-density score).
    Empty when it fails, and for a page nested deeper than ``MAX_NESTING``: it only ever
    stands in for trafilatura's text, never stops or stalls a page."""
    if block_nesting(html) > MAX_NESTING:
        return ""
    from resiliparse.extract.html2text import extract_plain_text  # here: only rescues need it

    try:
        return str(
            extract_plain_text(
                html, main_content=True, alt_texts=False, links=False, list_bullets=False, comments=False
            )
        )
    except Exception:  # a page it cannot parse or read: trafilatura's text stands
        return ""


def block_nesting(html: str) -> int:
    """How deep ``<div>`` and ``<article>`` elements nest in ``html`` at most, read from its
    tags (a closing tag with nothing open is ignored, as parsers ignore it); counting stops
    once past ``MAX_NESTING``."""
    depth = deepest = 0
    for m in _BLOCK_TAG.finditer(html):
        if m.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    break
    return deepest


def under_read(text: str, other: str) -> bool:
    """Whether ``other`` (``main_content``'s text of the same page) shows that ``text`` missed
    most of the page's content: it holds more than ``UNDER_READ_RATIO`` times as many words,
    and at least ``UNDER_READ_HELD`` of ``text``'s words (counted with repeats, case-folded)
    are among them, so the two read the same content and ``other`` reads more of it."""
    mine = Counter(text.casefold().split())
    theirs = Counter(other.casefold().split())
    n, m = mine.total(), theirs.total()
    if m <= UNDER_READ_RATIO * n:
        return False
    return (mine & theirs).total() >= UNDER_READ_HELD * n


def visible_chars(tree: Any) -> int:
    """How many non-space characters the text of the page's ``<body>`` holds, leaving out
    scripts, styles and templates."""
    body = tree.find("body")
    root = tree if body is None else body
    n = _chars(root.xpath("string()"))
    for e in root.iter(*_HIDDEN):
        if next(e.iterancestors(*_HIDDEN), None) is None:  # the outermost only
            n -= _chars(e.xpath("string()"))
    return n


def _chars(text: str) -> int:
    return len("".join(text.split()))


def _unrepeated_chars(text: str) -> int:
    """The characters of ``text`` less its later copies of repeated runs of lines (a text
    that holds the article twice is not the longer for it; the rules then remove the copy)."""
    lines = text.splitlines()
    dropped = sum(
        _chars("".join(lines[a:b])) for a, b in repeated_runs(lines, REPEAT_MIN_LINES, REPEAT_MIN_WORDS)
    )
    return _chars(text) - dropped


def too_large(size: int | None, limit: int) -> DocumentError:
    got = f"{size} bytes, " if size is not None else ""
    return DocumentError("too_large", f"{got}larger than the limit of {limit} bytes (--max-bytes)")


def gunzip(data: bytes, max_bytes: int = MAX_HTML_BYTES) -> bytes:
    """``data``, decompressed when it is gzip (every member), refusing more than ``max_bytes``."""
    if not data.startswith(GZIP_MAGIC):
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
        return data
    out = bytearray()
    rest = data
    try:
        while rest:
            d = zlib.decompressobj(31)
            out += d.decompress(rest, max_bytes + 1 - len(out))
            if len(out) > max_bytes or d.unconsumed_tail:
                raise too_large(None, max_bytes)
            if not d.eof:
                raise DocumentError("decode", "truncated gzip data")
            rest = d.unused_data.lstrip(b"\x00")  # members may be padded with NULs
    except zlib.error as e:
        raise DocumentError("decode", f"invalid gzip data: {e}") from None
    return bytes(out)


def decode_html(raw: bytes, policy: DecodePolicy = STRICT) -> Page:
    """BOM, then strict UTF-8, then the ``<meta>`` charset (strictly), then ``policy``'s fallback
    and detection; never replace bytes. NUL bytes are ``binary`` unless ``policy.allow_nul``."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if raw.startswith(bom):
            try:
                return Page(raw[len(bom) :].decode(codec), codec, True)
            except UnicodeDecodeError as e:
                raise DocumentError("decode", f"invalid {codec} at byte {e.start + len(bom)}") from None
    if not policy.allow_nul:
        check_nul(raw)
    try:
        return Page(raw.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError as e:
        utf8_error = f"invalid UTF-8 at byte {e.start}"
    problems: list[str] = []
    m = _META_CHARSET.search(raw[:SNIFF_BYTES])
    if m is None:
        problems.append(f"{utf8_error} and no <meta charset>")
    else:
        label = m.group(1).decode("ascii").lower()
        try:
            codec = codecs.lookup("cp1252" if label in _CP1252_LABELS else label).name
        except LookupError:
            problems.append(f"{utf8_error}; unknown <meta charset> {label!r}")
        else:
            if codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
                problems.append(f"{utf8_error} (declared {label})")
            else:
                try:
                    return Page(raw.decode(codec), codec, False)
                except UnicodeDecodeError as e:
                    problems.append(f"invalid {codec} (from <meta charset>) at byte {e.start}")
    if decoded := decode_fallbacks(raw, policy, problems):
        return Page(decoded.text, decoded.encoding, False, decoded.source, decoded.confidence)
    raise DocumentError("decode", "; ".join(problems))


# What a page says it is: Open Graph's og:type, or a schema.org type in its JSON-LD.
_OG_ARTICLE = re.compile(
    r"""<meta\b[^>]*?(?:property|name)\s*=\s*["']?og:type["']?[^>]*?content\s*=\s*["']?article"""
    r"""|<meta\b[^>]*?content\s*=\s*["']?article["']?[^>]*?(?:property|name)\s*=\s*["']?og:type""",
    re.I,
)
# Every schema.org article type but TechArticle, which documentation pages declare.
_LD_ARTICLE = re.compile(
    r'"@type"\s*:\s*(?:\[[^\]]*?)?"(?!TechArticle")(?:\w*Article|BlogPosting|LiveBlogPosting|Report)"'
)


def page_kind(html: str) -> str:
    """ "article" when the page says it is one (``og:type`` article, or a JSON-LD
    ``NewsArticle``, ``Article``, ``BlogPosting`` ...), else "page": a product, a listing, a
    forum thread or a page that does not say. Rules written for articles' conventions
    (headlines, datelines, related-story cards) are scoped to articles (``kinds``)."""
    return "article" if _OG_ARTICLE.search(html) or _LD_ARTICLE.search(html) else "page"


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
