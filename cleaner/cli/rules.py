"""``cleaner rules list`` and ``cleaner rules test``: what the loaded rules are, and whether
their own examples hold."""

from __future__ import annotations

from typing import Annotated

import typer

from ..compile import prefilter_of
from . import common
from .common import CONTEXT, EXIT_FOUND, EXIT_OK, Command, NoDefaultsOpt, RulesOpt, err, out

rules_app = common.typer_app("List the loaded rules, or run their examples.")
common.app.add_typer(rules_app, name="rules")


@rules_app.command("list", cls=Command, context_settings=CONTEXT)
def rules_list(
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    prefilter: Annotated[
        bool,
        typer.Option(
            "--prefilter",
            help="Instead of the description, show the literals the prefilter looks for before "
            "running each rule ('every line': it has none, so it runs on every line of its zone).",
        ),
    ] = False,
) -> None:
    """List every loaded rule: id, category, matcher (', mined' for a rule of a draft
    `cleaner mine` wrote, not yet kept), zone, file, the sites its pattern was seen on (its
    evidence) and description."""
    from rich.table import Table
    from rich.text import Text  # cells from files and rules: shown as they are, not as markup

    cleaner = common.build_cleaner(rules, no_default_rules)
    table = Table(title=f"{len(cleaner.rules)} rules")
    last = "prefilter" if prefilter else "description"
    for col in ("id", "category", "matcher", "zone", "file", "seen on", last):
        table.add_column(col, overflow="fold")
    for r in sorted(cleaner.rules, key=lambda r: r.id):
        matcher = r.kind.value + (f" {r.heuristic}" if r.heuristic else "") + (", mined" if r.mined else "")
        table.add_row(
            Text(r.id),
            r.category.value,
            matcher,
            r.zone.value,
            Text(r.file),
            Text(", ".join(r.seen)),
            Text(prefilter_of(r) if prefilter else r.description),
        )
    out.print(table)


@rules_app.command("test", cls=Command, context_settings=CONTEXT)
def rules_test(rules: RulesOpt = None, no_default_rules: NoDefaultsOpt = False) -> None:
    """Run every rule's examples; exit 1 naming each rule and example that fails.

    Patterns that backtrack badly on some input are named as warnings: valid, but on a
    matching document they run past their time limit and are skipped there.

    Exit status: 0 every example passed; 1 some failed; 2 a rule file is invalid.
    """
    from ..ruletest import run_examples, slow_patterns  # only this command runs examples

    cleaner = common.build_cleaner(rules, no_default_rules)
    for slow in slow_patterns(cleaner.rules):
        err.print(f"warning: {slow}", markup=False)
    failed = total = 0
    for outcome in run_examples(cleaner):
        total += 1
        if not outcome.passed:
            failed += 1
            err.print(f"FAIL {outcome}", markup=False)
    out.print(
        f"{len(cleaner.rules)} rules, {total} examples: {total - failed} passed, {failed} failed",
        markup=False,
    )
    raise typer.Exit(EXIT_FOUND if failed else EXIT_OK)
