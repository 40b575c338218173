"""Report records (one JSON line per input document) and the ``explain`` view."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .model import Category, Result, Span

SCHEMA_VERSION = 1


def record(
    *,
    input: str,
    output: str | None,
    format: str = "text",
    encoding: str | None = None,
    bom: bool = False,
    newline: str | None = None,
    original: str | None = None,
    result: Result | None = None,
    error: str | None = None,
    url: str | None = None,
    extracted_sha256: str | None = None,
) -> dict[str, Any]:
    """The report record of one document. Key order is fixed so reports are byte-stable.

    HTML records (``format="html"``) also carry ``url``, the page URL used (or null), and
    ``extracted_sha256``, the SHA-256 of trafilatura's text in UTF-8 (null when extraction
    failed); their ``encoding`` and ``bom`` describe the HTML, while ``newline``,
    ``chars_in`` and every span's offsets refer to the extracted text. Text records have
    neither key.
    """
    if result is not None and result.error and error is None:
        error = result.error
    spans: Sequence[Span] = result.spans if result is not None and not result.error else ()
    html = format == "html"
    rec: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "input": input,
        "output": output,
        "status": "error" if error else "ok",
        "format": format,
        **({"url": url} if html else {}),
        "encoding": encoding,
        "bom": bom,
        "newline": newline,
        **({"extracted_sha256": extracted_sha256} if html else {}),
        "chars_in": len(original) if original is not None else None,
        "chars_out": len(result.text) if result is not None else None,
        "error": error,
        "removed": [s.to_dict() for s in spans],
    }
    return rec


def dumps(rec: dict[str, Any]) -> str:
    """One report line. Non-ASCII stays readable; U+2028/U+2029 are escaped."""
    line = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


STYLES: dict[Category, str] = {
    Category.DONATION: "black on magenta",
    Category.CREDIT: "black on cyan",
    Category.NAVIGATION: "black on yellow",
    Category.PLAYER: "black on yellow",
    Category.SPONSORED: "black on red",
    Category.RELATED: "black on blue",
    Category.COPYRIGHT: "black on white",
    Category.METADATA: "black on green",
    Category.WHITESPACE: "on grey23",
}
DEFAULT_STYLE = "black on bright_yellow"


def explain_view(original: str, result: Result) -> Any:
    """The original text with every removed span highlighted and labelled by its rule."""
    from rich.text import Text  # imported here: records need no terminal library

    view = Text()
    pos = 0
    for s in result.spans:
        view.append(original[pos : s.start])
        label = s.rule if len(s.rules) <= 1 else f"{s.rule} +{len(s.rules) - 1}"
        view.append(f"[{label}]", style="bold dim")
        shown = s.text.replace("\r", "␍") if s.category is Category.WHITESPACE else s.text
        view.append(shown, style=STYLES.get(s.category, DEFAULT_STYLE))
        pos = s.end
    view.append(original[pos:])
    return view
