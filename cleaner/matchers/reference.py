"""The reference of the named heuristics, ``docs/heuristics.md``, made from the code: each
heuristic's summary, its description and its parameters. A test fails when the file is
stale; ``python -m cleaner.matchers.reference docs/heuristics.md`` writes it anew."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

from . import HEURISTICS, Regex, RuleIds

_KINDS = {
    int: "integer",
    float: "number",
    bool: "true or false",
    str: "string",
    list: "list of strings",
    Regex: "regular expression",
    RuleIds: "list of rule ids",
}

INTRO = """\
# Heuristics

<!-- Made by `python -m cleaner.matchers.reference docs/heuristics.md` from the code; a test
fails when it is stale. Edit the heuristics' docstrings and parameters, not this file. -->

A heuristic looks at lines in context, which a pattern cannot do. A rule switches one on
with `heuristic = "name"` and sets its parameters in `params`; a parameter left out takes
its default, and one marked *required* must be set. Where a parameter is knowledge (names,
phrases, patterns) its default is neutral, and the default packs in `rules/` set it.

Heuristics of rank 0 run beside the pattern rules; the others run afterwards, in rank
order, each seeing the lines removed before it. Each heuristic lives in a module of its
family under `cleaner/matchers/`.
"""


def _default(value: Any) -> str:
    if value is None:
        return "*required*"
    if value == "" or value == []:
        return "none"
    if isinstance(value, list) and len(value) > 4:
        return f"{len(value)} items: `{', '.join(value[:3])}`, …"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def render() -> str:
    """The text of ``docs/heuristics.md``."""
    out = [INTRO]
    for spec in sorted(HEURISTICS.values(), key=lambda s: (s.rank, s.name)):
        out.append(f"## `{spec.name}`\n")
        out.append(f"Family `{spec.family}`, rank {spec.rank}: {spec.summary}.\n")
        doc = inspect.cleandoc(spec.doc).replace("``", "`")
        if doc:
            out.append(doc + "\n")
        out.append("| parameter | kind | default | meaning |")
        out.append("|---|---|---|---|")
        for name, param in spec.params.items():
            out.append(f"| `{name}` | {_KINDS[param.kind]} | {_default(param.default)} | {param.help} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = render()
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
