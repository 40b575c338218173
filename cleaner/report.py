"""Report records (one JSON line per input document) and the ``explain`` view."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import Category, Result, Span

SCHEMA_VERSION = 1


STATUSES = ("ok", "error", "skipped", "empty_extraction")


def record(
    *,
    input: str,
    output: str | None,
    format: str | None = "text",
    encoding: str | None = None,
    bom: bool = False,
    newline: str | None = None,
    original: str | None = None,
    result: Result | None = None,
    error: str | None = None,
    url: str | None = None,
    kind: str | None = None,
    extracted_sha256: str | None = None,
    status: str = "ok",
    warnings: Sequence[str] = (),
    realpath: str | None = None,
    encoding_source: str | None = None,
    encoding_confidence: float | None = None,
    encoding_errors: str | None = None,
) -> dict[str, Any]:
    """The report record of one document. Key order is fixed so reports are byte-stable.

    ``status`` is "ok", "skipped" (the entry was not read: not a regular file, a symlink
    not followed) or "empty_extraction" (a page without article text); any ``error`` makes
    it "error". HTML records (``format="html"``) also carry ``url``, the page URL used (or
    null), and ``extracted_sha256``, the SHA-256 of trafilatura's text in UTF-8 (null when
    extraction failed); their ``encoding`` and ``bom`` describe the HTML, while ``newline``,
    ``chars_in`` and every span's offsets refer to the extracted text. Text records have
    neither key. The other optional keys appear only when they say something:
    ``page_kind`` for a page that was extracted ("article" when it says it is one, else
    "page"), ``realpath`` for a symlinked input, ``encoding_source`` (and ``encoding_confidence``)
    when the encoding came from ``--fallback-encoding`` or ``--detect-encoding``,
    ``encoding_errors`` when undecodable bytes were kept as surrogates, ``warnings``
    (``kind: message`` each: why an entry was skipped or a page was empty, and the
    cleaner's own warnings) and ``unstable`` when the cleaner checked stability.

    A document whose mojibake the cleaner repaired (``--repair-mojibake``) also carries
    ``repair``, ftfy's plan (``[["encode", "latin-1"], ["decode", "utf-8"]]``: replayed on
    the input text by ``ftfy.apply_plan``), and ``repaired_sha256``; ``chars_in`` and the
    spans then refer to the repaired text, and a text file's ``format`` is "repaired", not
    "text", since the spans no longer index the decoded file.
    """
    if result is not None and result.error and error is None:
        error = result.error
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    spans: Sequence[Span] = result.spans if result is not None and not result.error else ()
    html = format == "html"
    repair = result.repair if result is not None else ()
    if repair:
        original = result.source if result is not None else original
        format = "repaired" if format == "text" else format
    notes = [*warnings, *(result.warnings if result is not None else ())]

    def some(key: str, value: Any) -> dict[str, Any]:
        return {key: value} if value is not None else {}

    rec: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "input": input,
        **some("realpath", realpath),
        "output": output,
        "status": "error" if error else status,
        "format": format,
        **({"url": url} if html else {}),
        **some("page_kind", kind),
        "encoding": encoding,
        **some("encoding_source", encoding_source),
        **some("encoding_confidence", encoding_confidence),
        **some("encoding_errors", encoding_errors),
        "bom": bom,
        "newline": newline,
        **({"extracted_sha256": extracted_sha256} if html else {}),
        **(
            {"repair": [list(step) for step in repair], "repaired_sha256": _sha256(original)}
            if repair
            else {}
        ),
        "chars_in": len(original) if original is not None else None,
        "chars_out": len(result.text) if result is not None else None,
        "error": error,
        **({"warnings": notes} if notes else {}),
        **some("unstable", result.unstable if result is not None else None),
        "removed": [s.to_dict() for s in spans],
    }
    return rec


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(rec: dict[str, Any]) -> str:
    """One report line. Non-ASCII stays readable; U+2028/U+2029 are escaped, and so are lone
    surrogates (undecodable bytes kept by ``surrogateescape``, odd file names), which UTF-8
    cannot carry."""
    return _json(rec) + "\n"


def _json(value: Any) -> str:
    line = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    line = line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


# Records with more removed spans than this are encoded a span at a time (``report_line``).
_SPANS_AT_ONCE = 1000


def report_line(rec: dict[str, Any]) -> bytes:
    """``dumps(rec)`` in UTF-8, as written to a report.

    A record with many removed spans is encoded a span at a time and the pieces joined as
    bytes: the line as one string took twice its size at once, four bytes a character when
    a span holds a character beyond U+FFFF (a 10 MB document's 13 MB line, 90 MiB more).
    """
    spans = rec.get("removed", ())
    if len(spans) <= _SPANS_AT_ONCE or next(reversed(rec)) != "removed":
        return dumps(rec).encode("utf-8")
    head = _json({**rec, "removed": []})  # the same keys in the same order, "removed" last
    pieces = [head[: -len("]}")].encode("utf-8")]
    for span in spans:
        pieces += (_json(span).encode("utf-8"), b",")
    pieces[-1] = b"]}\n"  # in place of the last comma
    return b"".join(pieces)


def brief(rec: dict[str, Any]) -> dict[str, Any]:
    """A record without its spans: every key but ``removed``, and in its place
    ``removed_by_category``, how many spans each category removed.

    It is all that a run's summary (``Summary``) and its messages need of a record, and a
    worker sends it back in place of the spans, which its report line holds already."""
    counts = Counter(span["category"] for span in rec.get("removed", ()))
    out = {key: value for key, value in rec.items() if key != "removed"}
    out["removed_by_category"] = dict(sorted(counts.items()))
    return out


@dataclass
class Summary:
    """The totals of a run's records: what the one-line summary at the end says, and
    whether the run counts as failed."""

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
        counts = rec.get("removed_by_category")
        if counts is None:  # a whole record, not a brief one
            counts = Counter(span["category"] for span in rec["removed"])
        self.spans += sum(counts.values())
        self.by_category.update(counts)

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
