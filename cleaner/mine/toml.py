"""A small TOML writer for rule files: strings, lists of strings, numbers, in a fixed order.

Strings are written so they read back exactly and read well: a regex as a literal string
(``'^\\s*Home$'``, no doubled backslashes) when it has no ``'``, else as a multi-line literal
string on one line (``'''it's'''``) when it has no ``'''`` and does not end in ``'``; any
other text as a basic string (``"..."``) with ``\\``, ``"`` and every character that is not
printable escaped. Lone surrogates cannot be written in TOML at all (``ValueError``).
"""

from __future__ import annotations

from collections.abc import Sequence

Value = str | int | float | bool | Sequence[str]
WIDTH = 100  # list items are wrapped to lines of about this many characters

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _printable(text: str) -> bool:
    return all(ch.isprintable() for ch in text)


def _check(text: str) -> None:
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise ValueError(f"a lone surrogate cannot be written in TOML: {text!r}")


def basic_string(text: str) -> str:
    _check(text)
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def string(text: str, *, literal: bool = False) -> str:
    """``text`` as a TOML string; ``literal`` prefers a literal string (for regexes)."""
    _check(text)
    if literal and _printable(text):
        if "'" not in text:
            return f"'{text}'"
        if "'''" not in text and not text.endswith("'"):
            return f"'''{text}'''"
    return basic_string(text)


def value(v: Value, *, literal: bool = False, indent: str = "  ") -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return string(v, literal=literal)
    items = [string(s, literal=literal) for s in v]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= WIDTH and "\n" not in one_line:
        return one_line
    lines: list[str] = []
    current = ""
    for item in items:
        if current and len(current) + len(item) + 2 > WIDTH:
            lines.append(current)
            current = ""
        current = f"{current} {item}," if current else f"{item},"
    lines.append(current)
    return "[\n" + "".join(f"{indent}{line}\n" for line in lines) + "]"


def table(entries: Sequence[tuple[str, Value]], *, literal_keys: Sequence[str] = ()) -> str:
    """``key = value`` lines; the values of ``literal_keys`` prefer literal strings."""
    return "".join(f"{k} = {value(v, literal=k in literal_keys)}\n" for k, v in entries)


def comment(text: str) -> str:
    """``text`` as ``#`` comment lines (line breaks in it start new comment lines)."""
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())
