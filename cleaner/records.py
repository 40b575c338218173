"""Cleaning one field of a record: the JSON Lines stream and every distributed adapter.

A record is any mapping. ``clean_fields`` reads its text field (and its URL field) into a
document, cleans it through the document layer, and says what became of it, with the
report record; the doors only put the clean text and the spans back where they belong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .document import Field, clean, read
from .model import Result
from .pipeline import Cleaner
from .report import record

FORMAT = "jsonl"  # the report's ``format`` for a field of a record
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that some readers take for line ends; JSON allows them raw only inside strings.
LINE_LIKE = re.compile("[\u2028\u2029\x85]")
_JSON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "a string"),
    (list, "an array"),
    (Mapping, "an object"),
)


@dataclass(frozen=True, slots=True)
class Fields:
    """Which fields of a record the cleaner reads and writes.

    ``text``: the field cleaned. ``url``: the page URL, for site rules. ``spans``: the field
    that receives the removed spans (``[{start, end, rule, category, text, rules}, ...]``),
    or None to add none.
    """

    text: str = "text"
    url: str | None = None
    spans: str | None = None


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What became of one record's text, and its report record.

    ``result`` is None when the text could not be cleaned (``error`` says why: no text
    field, or not a string). A result with an error left the text unchanged.
    """

    original: str | None
    result: Result | None
    error: str | None
    record: dict[str, Any]

    @property
    def done(self) -> Result | None:
        """The result, when the text was cleaned (not left as it was)."""
        return self.result if self.error is None else None

    @property
    def spans(self) -> list[dict[str, Any]]:
        """The removed spans as report dicts (none when the text was left unchanged)."""
        return [s.to_dict() for s in self.done.spans] if self.done is not None else []


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for messages ("a number", "null"); else the Python name."""
    if value is None:
        return "null"
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def clean_fields(
    obj: Mapping[str, Any],
    cleaner: Cleaner,
    fields: Fields,
    *,
    where: str,
    url: str | None = None,
    input: str | None = None,
    output: str | None = None,
    warnings: Sequence[str] = (),
) -> Cleaned:
    """Clean the text field of one record; ``where`` names it in messages ("line 3").

    The record's URL field, when it is a string, takes the place of ``url``. ``input`` and
    ``output`` name the record in its report record (``where`` by default; no output), and
    ``warnings`` are added to it.
    """
    name = input if input is not None else where
    if fields.text not in obj:
        return _failed(name, f"missing_field: {where} has no {fields.text!r} field", warnings)
    text = obj[fields.text]
    if not isinstance(text, str):
        return _failed(
            name, f"bad_type: {where}: {fields.text!r} is {json_type(text)}, not a string", warnings
        )
    notes: tuple[str, ...] = ()
    if fields.url is not None and (value := obj.get(fields.url)) is not None:
        if isinstance(value, str):
            url = value or url
        else:
            notes = (f"bad_type: {where}: {fields.url!r} is {json_type(value)}, not a string; ignored",)
    doc = read(Field(text, url, notes))
    result, rec = clean(doc, cleaner, input=name, output=output, warnings=tuple(warnings))
    return Cleaned(text, result, result.error, rec)


def _failed(name: str, error: str, warnings: Sequence[str]) -> Cleaned:
    rec = record(input=name, output=None, format=FORMAT, encoding="utf-8", error=error, warnings=warnings)
    return Cleaned(None, None, error, rec)


def dump_value(value: Any) -> str:
    """``value`` as compact JSON; non-ASCII stays readable, but U+2028, U+2029, U+0085 and
    lone surrogates (which UTF-8 cannot carry) are escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _SURROGATE.sub(escape, LINE_LIKE.sub(escape, text))


def escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"
