"""The rule-file schema: what a rule may say, and the checks on each field."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import regex

from .errors import RuleProblem
from .lines import phrase_key
from .matchers import HEURISTICS, HeuristicSpec, Regex, RuleIds
from .model import Category, Zone


class Kind(StrEnum):
    """Which matcher a rule uses."""

    PHRASES = "phrases"
    LINE = "line"
    SPAN = "span"
    BLOCK = "block"
    HEURISTIC = "heuristic"


class Extent(StrEnum):
    """What a match takes with it: its whole lines, or only the matched text."""

    LINE = "line"
    MATCH = "match"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    clean: str | None = None  # expected clean text, for examples that need context


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    description: str
    kind: Kind
    file: str
    order: int
    phrases: tuple[str, ...] = ()
    whole_line: bool = True
    pattern: str | None = None  # line or span regex, as written
    block_start: str | None = None
    block_end: str | None = None
    block_max_lines: int = 0
    heuristic: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    remove: Extent = Extent.LINE
    ignore_case: bool = False
    max_words: int | None = None
    priority: int = 0
    zone: Zone = Zone.ANYWHERE
    zone_lines: int | None = None
    sites: tuple[str, ...] = ()
    # Where the rule's pattern was seen: sites (or page URLs) it was written from.
    seen: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()  # input formats the rule applies to; empty: all
    kinds: tuple[str, ...] = ()  # page kinds the rule applies to (HTML says it); empty: all
    # The largest fraction of a document's characters the rule may remove; None: the
    # cleaner's default (see ``Cleaner(max_removed_fraction=...)``).
    max_removed_fraction: float | None = None
    # Written by ``cleaner mine`` and not yet read and kept by a person: the rule removes
    # the lines it matches, and the whole-page heuristic takes no more prose on their account.
    mined: bool = False
    examples_remove: tuple[Example, ...] = ()
    examples_keep: tuple[Example, ...] = ()
    line: int | None = field(default=None, compare=False)  # of its [[rule]] header, when known

    @property
    def scoped(self) -> bool:
        return bool(self.sites or self.requires)


RULE_KEYS = {
    "id",
    "category",
    "description",
    "phrases",
    "whole_line",
    "line",
    "span",
    "block",
    "heuristic",
    "params",
    "remove",
    "ignore_case",
    "max_words",
    "priority",
    "zone",
    "zone_lines",
    "sites",
    "seen",
    "formats",
    "kinds",
    "requires",
    "max_removed_fraction",
    "mined",
    "examples",
}
MATCHER_KEYS = ("phrases", "line", "span", "block", "heuristic")
PACK_KEYS = {"name", "description", "sites", "requires", "formats", "kinds", "mined"}
KINDS = ("article", "page")
FORMATS = ("text", "html")
TOP_KEYS = {"pack", "rule"}
BLOCK_KEYS = {"start", "end", "max_lines"}
EXAMPLE_KEYS = {"remove", "keep"}
EXAMPLE_TABLE_KEYS = {"text", "clean"}
ID_RE = regex.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
MAX_BLOCK_LINES = 200

# Strings that exercise zero-width matches: a pattern that matches the empty string
# anywhere in them could remove nothing forever, so the loader rejects it.
_EMPTY_PROBES = ("", "a", " a b ", "\n", "a\nb\n", "A1 .!?\r\n\tz", "«x»—y…")
_LINE_BREAK_ESCAPE = regex.compile(r"(?<!\\)((?:\\\\)*)\\R")


# Names other tools use for a matcher, and the key that does the job here.
KEY_ALIASES = {
    "regex": "line",
    "regexp": "line",
    "pattern": "line",
    "re": "line",
    "multiline": "span",
    "phrase": "phrases",
    "literal": "phrases",
    "literals": "phrases",
    "text": "phrases",
}


def unknown_key_message(key: str, allowed: set[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, sorted(allowed), n=1)
    if not close and "line" in allowed:
        alias = difflib.get_close_matches(key.lower(), sorted(KEY_ALIASES), n=1)
        close = [KEY_ALIASES[alias[0]]] if alias else []
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}'{hint}"


def expand_line_breaks(pattern: str) -> str:
    r"""``\R`` means one line break as the engine counts them: ``\r\n``, ``\r`` or ``\n``."""
    return _LINE_BREAK_ESCAPE.sub(lambda m: m.group(1) + r"(?:\r\n|\r|\n)", pattern)


def compile_pattern(pattern: str, ignore_case: bool) -> regex.Pattern[str]:
    flags = regex.V0 | (regex.IGNORECASE if ignore_case else 0)
    return regex.compile(expand_line_breaks(pattern), flags)


_META = regex.compile(r"\\[A-Za-z]|[\\()\[\]{}?*+|^$.<=!:]")


def matches_empty(compiled: regex.Pattern[str]) -> bool:
    """Whether the pattern finds an empty match in a set of probes.

    Besides fixed probes, the pattern's own literal text is tried, so a pattern that matches
    the empty string only in context (``(?<=Photo:)\\s*`` after ``Photo:``) is caught.
    """
    own = _META.sub(" ", compiled.pattern)
    for probe in (*_EMPTY_PROBES, own, own.replace(" ", ""), compiled.pattern):
        for m in compiled.finditer(probe, timeout=0.5):
            if m.end() == m.start():
                return True
    return False


class _Collector:
    def __init__(self, file: str, problems: list[RuleProblem]) -> None:
        self.file = file
        self.problems = problems

    def add(self, rule: str, key: str, message: str) -> None:
        self.problems.append(RuleProblem(self.file, rule, key, message))


def _string_list(
    value: Any, rule: str, key: str, out: _Collector, *, allow_empty: bool = True
) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        out.add(rule, key, "must be a string or a list of strings")
        return None
    if not allow_empty and (not value or any(not v.strip() for v in value)):
        out.add(rule, key, "must not be empty or hold empty strings")
        return None
    return tuple(value)


def _check_regex(pattern: Any, ignore_case: bool, rule: str, key: str, out: _Collector) -> str | None:
    if not isinstance(pattern, str) or not pattern:
        out.add(rule, key, "must be a non-empty string holding a regular expression")
        return None
    try:
        compiled = compile_pattern(pattern, ignore_case)
    except regex.error as e:
        pos = f" at position {e.pos}" if getattr(e, "pos", None) is not None else ""
        out.add(rule, key, f"invalid regular expression{pos}: {e.msg if hasattr(e, 'msg') else e}")
        return None
    except RecursionError:
        out.add(rule, key, "invalid regular expression: groups nested too deep")
        return None
    except (OverflowError, ValueError, MemoryError) as e:
        # The regex module raises these for sizes it cannot represent.
        out.add(rule, key, f"invalid regular expression: {e}")
        return None
    try:
        empty = matches_empty(compiled)
    except TimeoutError:
        out.add(rule, key, "pattern is too slow on a tiny probe string")
        return None
    if empty:
        out.add(rule, key, "pattern can match the empty string")
        return None
    return pattern


def _examples(value: Any, rule: str, out: _Collector) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    if not isinstance(value, dict):
        out.add(rule, "examples", "must be a table with 'remove' and 'keep' lists")
        return (), ()
    for key in value:
        if key not in EXAMPLE_KEYS:
            out.add(rule, f"examples.{key}", unknown_key_message(key, EXAMPLE_KEYS))
    result: dict[str, tuple[Example, ...]] = {}
    for kind in ("remove", "keep"):
        items = value.get(kind, [])
        if not isinstance(items, list):
            out.add(rule, f"examples.{kind}", "must be a list")
            items = []
        parsed: list[Example] = []
        for i, item in enumerate(items):
            where = f"examples.{kind}[{i}]"
            if isinstance(item, str) and item.strip():
                parsed.append(Example(item))
            elif isinstance(item, dict):
                extra = set(item) - EXAMPLE_TABLE_KEYS
                for key in sorted(extra):
                    out.add(rule, f"{where}.{key}", unknown_key_message(key, EXAMPLE_TABLE_KEYS))
                text, clean = item.get("text"), item.get("clean")
                if not isinstance(text, str) or not text.strip():
                    out.add(rule, f"{where}.text", "must be a non-empty string")
                elif clean is not None and not isinstance(clean, str):
                    out.add(rule, f"{where}.clean", "must be a string")
                elif kind == "keep" and clean is not None:
                    out.add(rule, f"{where}.clean", "only 'remove' examples take 'clean'")
                else:
                    parsed.append(Example(text, clean))
            else:
                out.add(rule, where, "must be a non-empty string or a table {text, clean}")
        result[kind] = tuple(parsed)
    if not result["remove"]:
        out.add(rule, "examples.remove", "every rule needs at least one example to remove")
    if not result["keep"]:
        out.add(rule, "examples.keep", "every rule needs at least one example to keep")
    return result["remove"], result["keep"]


def check_params(
    spec: HeuristicSpec, given: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A heuristic's parameter values, given ones checked and defaults filled in, then
    prepared (``spec.prepare``); and the problems found, as (parameter, message)."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for key in given:
        if key not in spec.params:
            problems.append((key, unknown_key_message(key, tuple(spec.params))))
    for key, param in spec.params.items():
        if key in given:
            value = given[key]
            if not _is_type(value, param.kind):
                problems.append((key, f"must be {_type_name(param.kind)}"))
                continue
            if param.kind in (int, float) and value < 0:
                problems.append((key, "must not be negative"))
                continue
        elif param.default is not None:
            value = param.default  # defaults are the heuristic's own (an empty list may be one)
        else:
            problems.append((key, f"heuristic '{spec.name}' needs this parameter"))
            continue
        values[key] = value
        if param.kind is Regex:
            try:
                values[f"_{key}"] = regex.compile(value) if value else None
            except regex.error as e:
                problems.append((key, f"{key}: {e}"))
    if not problems and spec.prepare is not None:
        try:
            values = spec.prepare(values)
        except ValueError as e:
            problems.append(("-", str(e)))
    return values, problems


def _is_type(value: Any, kind: type) -> bool:
    if kind is Regex:
        return isinstance(value, str)
    if kind in (list, RuleIds):
        return (
            isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value) and bool(value)
        )
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _type_name(kind: type) -> str:
    return {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "true or false",
        list: "a non-empty list of non-empty strings",
        RuleIds: "a non-empty list of rule ids",
        Regex: "a string (a regular expression)",
    }[kind]


def parse_rule(
    raw: Any,
    file: str,
    order: int,
    pack: Mapping[str, Any],
    problems: list[RuleProblem],
    line: int | None = None,
) -> Rule | None:
    """Validate one ``[[rule]]`` table; add every problem found to ``problems``.

    ``line`` is where the table starts in its file, when the loader could tell.
    """
    out = _Collector(file, problems)
    before = len(problems)
    if not isinstance(raw, dict):
        out.add("-", "rule", "each [[rule]] must be a table")
        return None
    rid = raw.get("id")
    if not isinstance(rid, str) or not ID_RE.fullmatch(rid):
        out.add(
            str(rid) if rid is not None else f"rule#{order}",
            "id",
            "must be a lower-case dotted id such as 'credits.ap-photo'",
        )
        rid_text = str(rid) if rid is not None else f"rule#{order}"
    else:
        rid_text = rid
    for key in raw:
        if key not in RULE_KEYS:
            out.add(rid_text, key, unknown_key_message(key, RULE_KEYS))

    try:
        category = Category(str(raw.get("category")))
    except ValueError:
        category = Category.BOILERPLATE
        allowed = ", ".join(c.value for c in Category if c is not Category.WHITESPACE)
        out.add(rid_text, "category", f"must be one of: {allowed}")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        out.add(rid_text, "description", "must be a non-empty string")
        description = ""

    present = [k for k in MATCHER_KEYS if k in raw]
    if len(present) != 1:
        what = "none" if not present else ", ".join(present)
        out.add(rid_text, "matcher", f"a rule needs exactly one of {', '.join(MATCHER_KEYS)} (found {what})")
        return None
    kind = Kind(present[0])

    ignore_case = raw.get("ignore_case", kind is Kind.PHRASES)
    if not isinstance(ignore_case, bool):
        out.add(rid_text, "ignore_case", "must be true or false")
        ignore_case = False

    fields: dict[str, Any] = {}
    if kind is Kind.PHRASES:
        phrases = _string_list(raw["phrases"], rid_text, "phrases", out, allow_empty=False)
        fields["phrases"] = phrases or ()
        whole_line = raw.get("whole_line", True)
        if not isinstance(whole_line, bool):
            out.add(rid_text, "whole_line", "must be true or false")
            whole_line = True
        fields["whole_line"] = whole_line
        if whole_line:
            for phrase in phrases or ():
                if not phrase_key(phrase):
                    out.add(
                        rid_text,
                        "phrases",
                        f"{phrase!r} is decoration only (spaces and signs such as '-', '*', '|', '.'), "
                        "which whole-line matching strips from both ends: it would match every line "
                        "of such signs; use a line regex",
                    )
    elif "whole_line" in raw:
        out.add(rid_text, "whole_line", "only phrase rules take 'whole_line'")
    if kind in (Kind.LINE, Kind.SPAN):
        fields["pattern"] = _check_regex(raw[kind.value], ignore_case, rid_text, kind.value, out)
    if kind is Kind.BLOCK:
        block = raw["block"]
        if not isinstance(block, dict):
            out.add(rid_text, "block", "must be a table {start, end, max_lines}")
        else:
            for key in block:
                if key not in BLOCK_KEYS:
                    out.add(rid_text, f"block.{key}", unknown_key_message(key, BLOCK_KEYS))
            fields["block_start"] = _check_regex(
                block.get("start"), ignore_case, rid_text, "block.start", out
            )
            fields["block_end"] = _check_regex(block.get("end"), ignore_case, rid_text, "block.end", out)
            max_lines = block.get("max_lines")
            if (
                not isinstance(max_lines, int)
                or isinstance(max_lines, bool)
                or not 1 <= max_lines <= MAX_BLOCK_LINES
            ):
                out.add(rid_text, "block.max_lines", f"must be an integer from 1 to {MAX_BLOCK_LINES}")
            else:
                fields["block_max_lines"] = max_lines
    if kind is Kind.HEURISTIC:
        name = raw["heuristic"]
        spec = HEURISTICS.get(name) if isinstance(name, str) else None
        if spec is None:
            out.add(
                rid_text,
                "heuristic",
                unknown_key_message(str(name), tuple(HEURISTICS)).replace("unknown key", "unknown heuristic"),
            )
        else:
            params = raw.get("params", {})
            if not isinstance(params, dict):
                out.add(rid_text, "params", "must be a table")
            else:
                checked, messages = check_params(spec, params)
                for key, message in messages:
                    out.add(rid_text, f"params.{key}", message)
                fields["params"] = checked
            fields["heuristic"] = name
    elif "params" in raw:
        out.add(rid_text, "params", "only heuristic rules take 'params'")

    remove = raw.get("remove", "line")
    try:
        extent = Extent(remove)
    except ValueError:
        out.add(rid_text, "remove", "must be 'line' or 'match'")
        extent = Extent.LINE
    if extent is Extent.MATCH and (kind in (Kind.BLOCK, Kind.HEURISTIC) or fields.get("whole_line")):
        out.add(rid_text, "remove", "'match' applies to phrases inside a line and to line or span regexes")

    max_words = raw.get("max_words")
    if max_words is not None and (
        not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1
    ):
        out.add(rid_text, "max_words", "must be a positive integer")
        max_words = None
    priority = raw.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        out.add(rid_text, "priority", "must be an integer")
        priority = 0
    try:
        zone = Zone(raw.get("zone", "anywhere"))
    except ValueError:
        out.add(rid_text, "zone", "must be 'head', 'tail' or 'anywhere'")
        zone = Zone.ANYWHERE
    zone_lines = raw.get("zone_lines")
    if zone_lines is not None and (
        not isinstance(zone_lines, int) or isinstance(zone_lines, bool) or zone_lines < 1
    ):
        out.add(rid_text, "zone_lines", "must be a positive integer")
        zone_lines = None
    sites = _string_list(raw.get("sites", pack.get("sites", [])), rid_text, "sites", out) or ()
    requires = _string_list(raw.get("requires", pack.get("requires", [])), rid_text, "requires", out) or ()
    sites = tuple(s.lower().removeprefix("www.") for s in sites)
    seen = (
        _string_list(raw.get("seen", []), rid_text, "seen", out, allow_empty=False) if "seen" in raw else ()
    )
    formats = _string_list(raw.get("formats", pack.get("formats", [])), rid_text, "formats", out) or ()
    kinds = _string_list(raw.get("kinds", pack.get("kinds", [])), rid_text, "kinds", out) or ()
    for page_kind in kinds:
        if page_kind not in KINDS:
            out.add(rid_text, "kinds", f"unknown page kind '{page_kind}' (one of: {', '.join(KINDS)})")
    for fmt in formats:
        if fmt not in FORMATS:
            out.add(rid_text, "formats", f"unknown format '{fmt}' (one of: {', '.join(FORMATS)})")

    max_removed = raw.get("max_removed_fraction")
    if max_removed is not None and (
        not isinstance(max_removed, (int, float)) or isinstance(max_removed, bool) or not 0 < max_removed <= 1
    ):
        out.add(rid_text, "max_removed_fraction", "must be a number above 0 and at most 1")
        max_removed = None

    mined = raw.get("mined", pack.get("mined", False))
    if not isinstance(mined, bool):
        out.add(rid_text, "mined", "must be true or false")
        mined = False

    ex_remove, ex_keep = _examples(raw.get("examples"), rid_text, out)

    if len(problems) > before or not isinstance(rid, str):
        return None
    return Rule(
        id=rid,
        category=category,
        description=description.strip(),
        kind=kind,
        file=file,
        order=order,
        remove=extent,
        ignore_case=ignore_case,
        max_words=max_words,
        priority=priority,
        zone=zone,
        zone_lines=zone_lines,
        sites=sites,
        seen=tuple(seen or ()),
        formats=formats,
        kinds=kinds,
        requires=requires,
        max_removed_fraction=float(max_removed) if max_removed is not None else None,
        mined=mined,
        examples_remove=ex_remove,
        examples_keep=ex_keep,
        line=line,
        **fields,
    )
