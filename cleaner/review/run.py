"""Reading a run back: each document's input rebuilt from its output and its spans."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..model import Category, Result, Span, restore
from ..report import SCHEMA_VERSION

REPORT_NAME = "report.jsonl"
DEFAULT_MAX_CHARS = 8_000_000  # text embedded; 10,000 documents then make a page of about 12 MB
CONTEXT = 120  # characters of kept text shown either side of a removal in an excerpt
SPAN_EDGE = 300  # characters kept at each end of a long removal in an excerpt
EXAMPLES_PER_RULE = 3  # documents of every rule that get text before the rest
WHOLE_FIRST = 100  # documents first in review order that are embedded whole
MISSED_SHARE = 0.5  # a kept line is missed noise when under this share of its shingles is in the gold
_BOM = b"\xef\xbb\xbf"
SURROGATE = re.compile("[\ud800-\udfff]")
_JSONL_OUTPUT = re.compile(r"(.+):(\d+)")
BUILTIN_DESCRIPTIONS = {
    "tidy.blank-lines": "Blank lines a removal left behind (at most one stays at a seam)."
}
FULL, EXCERPT, SPANS_ONLY, LISTED = 0, 1, 2, 3  # how much of a document the page embeds


@dataclass(frozen=True, slots=True)
class GoldMarks:
    """A document held against its gold.

    ``harm`` are the indexes of removed spans of ``SHINGLE_N`` or more words whose word run
    occurs in the gold (as ``cleaner eval`` counts "in gold"); ``missed`` are kept lines
    the gold lacks, as ``[start, end)`` ranges of the input (a line cut by a removal gives
    several). ``harm_words`` orders the documents; ``f1`` is the clean text's score.
    """

    harm: tuple[int, ...]
    missed: tuple[tuple[int, int], ...]
    harm_words: int
    missed_words: int
    precision: float | None
    recall: float | None
    f1: float


@dataclass(frozen=True, slots=True)
class ReviewDoc:
    """One document of a run, as the page shows it.

    ``text`` is the input rebuilt from the output and the spans, or ``None`` when there is
    nothing to show: the record says why (an error before cleaning, a skipped entry), or
    ``problem`` does (the review could not rebuild it: a missing output, a bad report line).
    """

    name: str
    status: str
    format: str | None = None
    text: str | None = None
    spans: tuple[Span, ...] = ()
    chars_in: int | None = None
    chars_out: int | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    problem: str | None = None
    line: int | None = None  # the report line it came from
    gold: GoldMarks | None = None

    @property
    def removed_chars(self) -> int:
        return sum(s.end - s.start for s in self.spans)


@dataclass(frozen=True, slots=True)
class ReviewRun:
    """The documents of one run (or one file, or one evaluation) and where they came from."""

    source: str
    docs: tuple[ReviewDoc, ...]

    @property
    def unshown(self) -> tuple[ReviewDoc, ...]:
        """Documents the page cannot show as the run left them."""
        return tuple(d for d in self.docs if d.problem)


@dataclass(frozen=True, slots=True)
class GoldCase:
    """One document of an evaluation: its input, what the cleaner did, and the gold."""

    id: str
    text: str
    result: Result | Sequence[Span] | None
    gold: str
    error: str | None = None


class _Unshown(Exception):
    """Why one document cannot be rebuilt; it is marked on the page, the rest go on."""


# -- reading a run ---------------------------------------------------------------------------


def find_report(path: Path) -> Path:
    """The report of ``OUTDIR`` or the report file itself; ``UsageError`` when there is none."""
    if path.is_dir():
        report = path / REPORT_NAME
        if not report.is_file():
            raise UsageError(
                f"{path}: no {REPORT_NAME} in this folder; give the report's path "
                "(a JSONL run's report is OUT.report.jsonl)"
            )
        return report
    if not path.exists():
        raise UsageError(f"{path}: no such report or output folder")
    return path


def load_run(path: Path | str) -> ReviewRun:
    """Read a report and rebuild every document's input from its output and its spans.

    Raises ``UsageError`` when there is no report, it cannot be read, or none of its lines
    is a record this cleaner reads. A line that is not JSON, a torn last line, a record of
    another schema, or a document whose output is missing or changed since the run becomes
    a document with a ``problem``. Lines are split on ``\\n`` only.
    """
    report = find_report(Path(path))
    try:
        data = report.read_bytes()
    except OSError as e:
        raise UsageError(f"{report}: cannot read: {e.strerror or e}") from None
    lines = data.split(b"\n")
    last = lines.pop()  # a report ends with "\n": anything after it was cut short, unless it parses
    parsed = [(n, _parse_line(raw)) for n, raw in enumerate(lines, 1)]
    if last:
        rec = _parse_line(last)
        torn = "torn last line: the run stopped while writing it (--resume finishes it)"
        parsed.append((len(lines) + 1, rec if isinstance(rec, dict) else torn))
    usable = [rec for _, rec in parsed if isinstance(rec, dict) and rec.get("schema") == SCHEMA_VERSION]
    if parsed and not usable:
        first = parsed[0][1]
        why = first if isinstance(first, str) else f"report schema {first.get('schema')!r}"
        raise UsageError(f"{report}: not a report this cleaner reads (line 1: {why}; it reads schema 1)")
    outputs = _Outputs(report.parent, [rec for rec in usable if rec.get("format") == "jsonl"])
    docs = [
        _document(rec, n, outputs)
        if isinstance(rec, dict)
        else ReviewDoc(f"{report.name}, line {n}", "unreadable", problem=rec, line=n)
        for n, rec in parsed
    ]
    return ReviewRun(str(report), tuple(docs))


def _object(raw: bytes) -> dict[str, Any]:
    try:
        row = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError
        return {}
    return row if isinstance(row, dict) else {}


def _parse_line(raw: bytes) -> dict[str, Any] | str:
    """A record, or why the line is not one."""
    try:
        rec = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        return f"not UTF-8 at byte {e.start}"
    except ValueError as e:
        return f"not JSON: {e}"
    if not isinstance(rec, dict):
        return "not a JSON object"
    if rec.get("schema") != SCHEMA_VERSION:
        return f"report schema {rec.get('schema')!r}; this cleaner reads schema {SCHEMA_VERSION}"
    return rec


def _document(rec: dict[str, Any], n: int, outputs: _Outputs) -> ReviewDoc:
    def count(key: str) -> int | None:
        value = rec.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    warnings = rec.get("warnings")
    doc = ReviewDoc(
        name=str(rec.get("input") or f"line {n}"),
        status=str(rec.get("status") or "unknown"),
        format=rec.get("format") if isinstance(rec.get("format"), str) else None,
        chars_in=count("chars_in"),
        chars_out=count("chars_out"),
        error=str(rec["error"]) if rec.get("error") else None,
        warnings=tuple(map(str, warnings)) if isinstance(warnings, list) else (),
        line=n,
    )
    try:
        spans = _spans(rec.get("removed"))
        doc = replace(doc, spans=spans)
        if rec.get("output") is None:
            return doc  # nothing was written: the record is all there is to show
        text = restore(outputs.clean_text(rec, doc.chars_out), spans)
    except _Unshown as e:
        return replace(doc, problem=str(e))
    if doc.chars_in is not None and len(text) != doc.chars_in:
        return replace(
            doc, problem=f"rebuilt input has {len(text)} characters, the report says {doc.chars_in}"
        )
    return replace(doc, text=text)


def _spans(removed: Any) -> tuple[Span, ...]:
    """The record's spans, checked: sorted, disjoint, each as long as its text."""
    if not isinstance(removed, list):
        raise _Unshown("removed is not a list of spans")
    spans: list[Span] = []
    end = 0
    for k, item in enumerate(removed):
        try:
            rules = item.get("rules") or [item["rule"]]
            span = Span(
                int(item["start"]), int(item["end"]), str(item["rule"]), Category(item["category"]),
                str(item["text"]), tuple(map(str, rules)),
            )  # fmt: skip
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            raise _Unshown(f"removed span {k} is malformed ({type(e).__name__}: {e})") from None
        if span.start < end or span.end - span.start != len(span.text):
            raise _Unshown(f"removed span {k} [{span.start}, {span.end}) overlaps or does not fit its text")
        spans.append(span)
        end = span.end
    return tuple(spans)


class _Outputs:
    """Finds and reads the clean text of records: output files, and lines of JSONL outputs."""

    def __init__(self, report_dir: Path, jsonl_records: list[dict[str, Any]]) -> None:
        self.report_dir = report_dir
        self._files: dict[str, list[dict[str, Any]] | str] = {}
        # The text field is one per run, not recorded: per output file, the string fields as
        # long as the clean text on every line that was cleaned.
        self._fits: dict[str, set[str]] = {}
        for rec in jsonl_records:
            m = _JSONL_OUTPUT.fullmatch(str(rec.get("output")))
            if m is None or rec.get("status") != "ok":
                continue
            row = self._row(m[1], int(m[2]))
            fits = {k for k, v in row.items() if isinstance(v, str) and len(v) == rec.get("chars_out")}
            self._fits[m[1]] = self._fits[m[1]] & fits if m[1] in self._fits else fits

    def candidates(self, output: str) -> list[Path]:
        """Where an output may be: as given, else beside the report, dropping leading folders."""
        given = Path(output)
        parts = given.parts[1:] if given.is_absolute() else given.parts
        return [given] + [self.report_dir.joinpath(*parts[k:]) for k in range(len(parts))]

    def clean_text(self, rec: dict[str, Any], chars_out: int | None) -> str:
        output = str(rec["output"])
        if rec.get("format") == "jsonl":
            return self._jsonl_text(output, chars_out)
        errors = "surrogateescape" if rec.get("encoding_errors") == "surrogateescape" else "strict"
        why = None
        for path in self.candidates(output):
            try:
                data = path.read_bytes()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
            except OSError as e:
                raise _Unshown(f"{path}: cannot read: {e.strerror or e}") from None
            if rec.get("bom") and data.startswith(_BOM):
                data = data[len(_BOM) :]  # written back for the bytes' sake; offsets start after it
            try:
                clean = data.decode("utf-8", errors)
            except UnicodeDecodeError as e:
                why = why or f"{path}: not UTF-8 at byte {e.start}"
                continue
            if chars_out is None or len(clean) == chars_out:
                return clean
            why = (
                why
                or f"{path} holds {len(clean)} characters, the report says {chars_out}: changed since the run"
            )
        raise _Unshown(why or f"output {output} not found (looked as given and beside the report)")

    def _jsonl(self, name: str) -> list[dict[str, Any]] | str:
        """The rows of a JSONL output (``{}`` for a line that is not an object), or why not."""
        if name not in self._files:
            self._files[name] = self._read_jsonl(name)
        return self._files[name]

    def _read_jsonl(self, name: str) -> list[dict[str, Any]] | str:
        path = next((p for p in self.candidates(name) if p.is_file()), None)
        if path is None:
            return f"output {name} not found (looked as given and beside the report)"
        try:
            data = path.read_bytes()
            data = gzip.decompress(data) if name.endswith(".gz") else data
        except (OSError, EOFError) as e:  # a cut gzip stream raises EOFError
            return f"{path}: cannot read: {e}"
        return [_object(raw) for raw in data.split(b"\n")]

    def _row(self, name: str, n: int) -> dict[str, Any]:
        rows = self._jsonl(name)
        return rows[n - 1] if isinstance(rows, list) and 0 < n <= len(rows) else {}

    def _jsonl_text(self, output: str, chars_out: int | None) -> str:
        m = _JSONL_OUTPUT.fullmatch(output)
        if m is None:
            raise _Unshown(f"output {output} is not FILE:LINE")
        rows = self._jsonl(m[1])
        if isinstance(rows, str):
            raise _Unshown(rows)
        fits = self._fits.get(m[1], set())
        field = "text" if "text" in fits else next(iter(fits)) if len(fits) == 1 else None
        if field is None:
            raise _Unshown(
                f"cannot tell which field of {m[1]} holds the clean text "
                f"({'none' if not fits else ', '.join(sorted(fits))} fits every line)"
            )
        text = self._row(m[1], int(m[2])).get(field)
        if not isinstance(text, str) or (chars_out is not None and len(text) != chars_out):
            raise _Unshown(f"{output}: field {field!r} is not the clean text the report describes")
        return text
