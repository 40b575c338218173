"""Find, parse and validate rule files. Every problem in every file is raised at once."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RuleFileError, RuleProblem
from .matchers import HEURISTICS, RuleIds
from .read import file_kind
from .schema import PACK_KEYS, TOP_KEYS, Rule, parse_rule, unknown_key_message

if TYPE_CHECKING:
    import tomllib

MAX_RULE_FILE_BYTES = 1 << 20
TOO_LARGE = f"rule file exceeds {MAX_RULE_FILE_BYTES >> 20} MiB"

# A [[rule]] header on a line of its own: the n-th one starts the n-th rule table.
_RULE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*rule[ \t]*\]\][ \t]*(?:#.*)?$", re.MULTILINE)
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_TOML_KEY = re.compile(
    r"""^\s*\[*\s*((?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*'))*)"""
)


def default_rules_dir() -> Path:
    """The packs shipped with the package (``rules/`` of the source tree when not installed)."""
    # The package's own folder, as importlib.resources.files would give it: that module
    # imports tempfile and shutil, a tenth of the start-up of a run whose rules are cached.
    shipped = Path(__file__).parent / "rules"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "rules"


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories to the ``*.toml`` entries under them, in a stable order. Entries
    that are not regular files stay in the list: loading them says what they are."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.toml") if not p.is_dir()))
        else:
            found.append(path)
    return found


def display_name(path: Path, root: Path | None) -> str:
    """A rule file's name as reports show it: ``rules/...`` for the default packs."""
    if root is not None:
        try:
            return str(Path("rules") / path.relative_to(root))
        except ValueError:
            pass
    return str(path)


# Second-level labels under which a country's sites register their names (bbc.co.uk).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go", "gob", "nic"})
MIN_EVIDENCE = 2  # unrelated sites a default rule's pattern must have been seen on


def site_key(site: str) -> str:
    """The name a site registers, for telling sites apart: ``bbc`` for bbc.com, bbc.co.uk and
    news.bbc.co.uk; a path or URL is read for its host."""
    host = site.lower().split("://")[-1].split("/")[0].split(":")[0].removeprefix("www.")
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else host


def unrelated(sites: Sequence[str]) -> int:
    """How many unrelated sites ``sites`` names (bbc.com and bbc.co.uk are one)."""
    return len({site_key(s) for s in sites})


def _evidence(rules: Sequence[Rule]) -> list[RuleProblem]:
    """A default rule's pattern must have been seen on two unrelated sites (its ``seen``); a
    rule of a site pack (``rules/sites/``), on the site it is scoped to."""
    problems = []
    for rule in rules:
        if "/sites/" in rule.file.replace("\\", "/"):
            if not rule.seen:
                problems.append(
                    RuleProblem(rule.file, rule.id, "seen", "a site rule needs the site it was seen on")
                )
        elif unrelated(rule.seen) < MIN_EVIDENCE:
            problems.append(
                RuleProblem(
                    rule.file,
                    rule.id,
                    "seen",
                    f"a default rule needs evidence: the sites its pattern was seen on, {MIN_EVIDENCE} "
                    f"unrelated ones at least (it names {unrelated(rule.seen)}); a pattern seen on one "
                    "site belongs in rules/sites/<site>.toml",
                )
            )
    return problems


def load_rules(
    paths: Sequence[Path | str] = (), *, defaults: bool = True, check_evidence: bool = True
) -> tuple[Rule, ...]:
    """Load the default packs (unless ``defaults`` is false) and the files or folders given.

    Every default rule must name the sites its pattern was seen on (``seen``): two
    unrelated ones, or for a site pack its site. ``check_evidence=False`` leaves that out,
    for the tool that gathers the evidence.

    Raises ``RuleFileError`` listing every problem when anything is wrong.
    """
    problems: list[RuleProblem] = []
    root = default_rules_dir() if defaults else None
    files = rule_files([root] if root else [])
    shipped = len(files)
    user = [Path(p) for p in paths]
    for p in user:
        if not p.exists():
            problems.append(RuleProblem(str(p), "-", "-", "no such file or directory"))
    files += rule_files(p for p in user if p.exists())
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    defaults_end = 0  # the default packs' rules come first
    for k, path in enumerate(files):
        if k == shipped:
            defaults_end = len(rules)
        name = display_name(path, root)
        first = len(rules)
        for rule in _load_file(path, name, first, problems):
            here = where(rule, first)
            if rule.id in seen:
                problems.append(
                    RuleProblem(
                        name, rule.id, "id", f"duplicate rule id: {here}, first defined in {seen[rule.id]}"
                    )
                )
                continue
            seen[rule.id] = f"{name} ({here})"
            rules.append(rule)
    if len(files) == shipped:
        defaults_end = len(rules)
    problems += _dangling_references(rules)
    if check_evidence:
        problems += _evidence(rules[:defaults_end])
    if problems:
        raise RuleFileError(problems)
    return tuple(rules)


def _dangling_references(rules: Sequence[Rule]) -> list[RuleProblem]:
    """Rule ids a heuristic's rule-id parameters (``follows``' ``rules``, say) name that no
    loaded rule has."""
    ids = {r.id for r in rules}
    return [
        RuleProblem(rule.file, rule.id, f"params.{key}", f"no loaded rule has the id '{ref}'")
        for rule in rules
        if rule.heuristic is not None
        for key, param in HEURISTICS[rule.heuristic].params.items()
        if param.kind is RuleIds
        for ref in rule.params.get(key, ())
        if ref not in ids
    ]


def parse_rules_text(text: str, name: str = "<string>") -> tuple[Rule, ...]:
    """Validate rule-file text (a user's own pack, or a test's)."""
    problems: list[RuleProblem] = []
    if len(text.encode("utf-8", "surrogatepass")) > MAX_RULE_FILE_BYTES:
        raise RuleFileError([RuleProblem(name, "-", "-", TOO_LARGE)])
    rules = _parse(text, name, 0, problems)
    ids: dict[str, list[Rule]] = {}
    for r in rules:
        ids.setdefault(r.id, []).append(r)
    problems += [
        RuleProblem(
            name, rid, "id", "duplicate rule id in this file: " + " and ".join(where(r, 0) for r in same)
        )
        for rid, same in ids.items()
        if len(same) > 1
    ]
    if problems:
        raise RuleFileError(problems)
    return tuple(rules)


def _load_file(path: Path, name: str, first_order: int, problems: list[RuleProblem]) -> list[Rule]:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            # never opened: reading a FIFO or a device would wait, or never end
            problems.append(RuleProblem(name, "-", "-", f"not a regular file ({file_kind(st.st_mode)})"))
            return []
        if st.st_size > MAX_RULE_FILE_BYTES:
            problems.append(RuleProblem(name, "-", "-", TOO_LARGE))
            return []
        data = path.read_bytes()
    except OSError as e:
        problems.append(RuleProblem(name, "-", "-", f"cannot read: {e.strerror or e}"))
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(RuleProblem(name, "-", "-", f"not UTF-8 (byte {e.start})"))
        return []
    return _parse(text, name, first_order, problems)


def where(rule: Rule, first_order: int) -> str:
    """A rule's place in its file: ``[[rule]] #2, line 14`` (the line when known)."""
    line = f", line {rule.line}" if rule.line is not None else ""
    return f"[[rule]] #{rule.order - first_order + 1}{line}"


def toml_error_message(e: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message with its position first: ``TOML syntax error at line 4, column 7: …``.

    tomllib reports a key given twice as "Cannot overwrite a value" (or "Cannot declare …");
    the key, read from the line, is named.
    """
    message = str(e)
    m = _TOML_POSITION.search(message)
    if m is None:
        return f"TOML syntax error: {message}"
    what = message[: m.start()]
    if m.group(1) is None:
        return f"TOML syntax error at the end of the file: {what}"
    line = int(m.group(1))
    if what.startswith(("Cannot overwrite", "Cannot declare")):
        lines = text.split("\n")
        key = _TOML_KEY.match(lines[line - 1]) if line <= len(lines) else None
        if key is not None:
            what = f"duplicate key '{key.group(1)}' ({what})"
    return f"TOML syntax error at line {line}, column {m.group(2)}: {what}"


def _header_lines(text: str, count: int) -> list[int | None]:
    """The line of each [[rule]] header, when the headers account for every rule table."""
    lines = [text.count("\n", 0, m.start()) + 1 for m in _RULE_HEADER.finditer(text)]
    return list(lines) if len(lines) == count else [None] * count


def _parse(text: str, name: str, first_order: int, problems: list[RuleProblem]) -> list[Rule]:
    import tomllib  # here: with the compiled rules cached, most runs parse no rule file

    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        problems.append(RuleProblem(name, "-", "-", toml_error_message(e, text)))
        return []
    except RecursionError:
        problems.append(RuleProblem(name, "-", "-", "nesting too deep"))
        return []
    for key in doc:
        if key not in TOP_KEYS:
            problems.append(RuleProblem(name, "-", key, unknown_key_message(key, TOP_KEYS)))
    pack = doc.get("pack", {})
    if not isinstance(pack, dict):
        problems.append(RuleProblem(name, "-", "pack", "must be a table"))
        pack = {}
    for key in pack:
        if key not in PACK_KEYS:
            problems.append(RuleProblem(name, "-", f"pack.{key}", unknown_key_message(key, PACK_KEYS)))
    raw_rules = doc.get("rule", [])
    if not isinstance(raw_rules, list):
        problems.append(RuleProblem(name, "-", "rule", "rules are written as [[rule]] tables"))
        return []
    if not raw_rules:
        problems.append(RuleProblem(name, "-", "rule", "the file holds no [[rule]]"))
    rules = []
    for i, (raw, line) in enumerate(zip(raw_rules, _header_lines(text, len(raw_rules)), strict=True)):
        rule = parse_rule(raw, name, first_order + i, pack, problems, line)
        if rule is not None:
            rules.append(rule)
    return rules
