"""The documents made from the code, which a test keeps in step with it:

- ``docs/heuristics.md``: every heuristic with its parameters (``matchers.reference``);
- ``docs/catalogue.md``: every rule of the default packs;
- ``docs/cli-help.md``: the ``--help`` of every command.

``python -m cleaner.cli.reference docs`` writes them anew.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..loader import load_rules
from ..matchers import reference as heuristics
from ..schema import Rule

# The width help is made at, whatever the terminal: the document must not depend on it.
HELP_COLUMNS = "100"


def catalogue() -> str:
    """Every rule of the default packs, by pack: id, category, matcher, evidence, description."""
    rules = load_rules()
    out = [
        "# The rule catalogue",
        "",
        "<!-- Made by `python -m cleaner.cli.reference docs` from the default packs; a test fails",
        "when it is stale. Edit the rule files in `rules/`, not this file. -->",
        "",
        f"The default packs hold {len(rules)} rules. `cleaner rules list` shows the same for any",
        "set of rule files. *Seen on* is a rule's evidence: the sites its pattern was seen on.",
        "",
    ]
    files: dict[str, list[Rule]] = {}
    for r in rules:
        files.setdefault(r.file, []).append(r)
    for file, pack in files.items():
        out += [
            f"## `{file}`",
            "",
            "| id | category | matcher | seen on | description |",
            "|---|---|---|---|---|",
        ]
        for r in pack:
            matcher = r.kind.value + (f" `{r.heuristic}`" if r.heuristic else "")
            seen = ", ".join(r.seen) if r.seen else ""
            description = r.description.replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{r.id}` | {r.category.value} | {matcher} | {seen} | {description} |")
        out.append("")
    return "\n".join(out)


def cli_help() -> str:
    """The ``--help`` of the program and of every command, as a terminal would show it."""
    from typer.testing import CliRunner

    from . import app

    commands = [[], ["clean"], ["explain"], ["rules"], ["rules", "list"], ["rules", "test"], ["eval"]]
    commands += [[name] for name in _extra_commands() if [name] not in commands]
    out = [
        "# Command-line help",
        "",
        "<!-- Made by `python -m cleaner.cli.reference docs` from the commands; a test fails when",
        "it is stale. -->",
        "",
        "What `cleaner COMMAND --help` prints. [cli.md](cli.md) explains the commands.",
        "",
    ]
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(
            app, [*args, "--help"], prog_name="cleaner", env={"COLUMNS": HELP_COLUMNS}, terminal_width=100
        )
        out += [f"## `{' '.join(['cleaner', *args])}`", "", "```text"]
        out += [result.output.rstrip(), "```", ""]
    return "\n".join(out)


def _extra_commands() -> list[str]:
    from .common import app

    return sorted(info.name for info in app.registered_commands if info.name)


DOCUMENTS: dict[str, Callable[[], str]] = {
    "heuristics.md": heuristics.render,
    "catalogue.md": catalogue,
    "cli-help.md": cli_help,
}


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "docs")
    os.environ["COLUMNS"] = HELP_COLUMNS
    for name, make in DOCUMENTS.items():
        (folder / name).write_text(make(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
