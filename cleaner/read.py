"""Bytes → text: the decoding policy, applied the same way to every input."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

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
