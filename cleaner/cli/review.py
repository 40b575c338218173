"""``cleaner review``: one self-contained HTML page of a run's removed spans, in place."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError, WriteError
from ..io import write_atomic
from . import common
from .common import EXIT_FAILED, EXIT_OK, EXIT_WRITE, OUTPUTS, NoDefaultsOpt, RulesOpt, err, fail, shown

PageOpt = Annotated[
    Path,
    typer.Option(
        "--output", "-o", help="The HTML page to write.", metavar="PAGE.html", rich_help_panel=OUTPUTS
    ),
]


@common.command(short_help="Write an HTML page of a run's removed spans, in place.")
def review(
    run: Annotated[
        Path,
        typer.Argument(help="A run's OUTDIR (with report.jsonl) or its report.", metavar="OUTDIR|REPORT"),
    ],
    page: PageOpt,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    max_chars: Annotated[
        int | None,
        typer.Option(
            "--max-chars",
            min=0,
            metavar="N",
            help="Characters of document text the page may embed (default 8,000,000); past it, documents "
            "are shown as excerpts around their removals, errors and the most removed first.",
            show_default=False,
            rich_help_panel=OUTPUTS,
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML page showing a run's removed spans in place.

    The page loads nothing from the network: it can be mailed or attached to a ticket. It
    holds a summary (documents, spans and characters by category and by rule, errors and
    warnings), a list of the documents that can be sorted and filtered, and each document's
    input rebuilt from its output and spans, every removed span marked by its category;
    selecting one shows its rule, the rule's description, the other rules that matched and
    its offsets. Keys: j/k next and previous document, n/p next and previous span, / search.

    Rule descriptions come from the default packs and --rules.

    Exit status: 0 written; 2 no report there, or it cannot be read; 3 written, but some
    documents could not be shown (named on stderr); 4 the page could not be written.
    """
    from .. import review as rv  # the page's code is loaded only by the commands that write one

    with common.rule_errors():
        descriptions = rv.rule_descriptions(rules or (), defaults=not no_default_rules)
    try:
        loaded = rv.load_run(run)
    except UsageError as e:
        fail(str(e))
    limit = rv.DEFAULT_MAX_CHARS if max_chars is None else max_chars
    try:
        write_atomic(page, rv.page(loaded, descriptions=descriptions, max_chars=limit).encode("utf-8"))
    except WriteError as e:
        fail(str(e), EXIT_WRITE)
    for doc in loaded.unshown:
        err.print(f"cleaner: {shown(doc.name)}: {shown(doc.problem or '')}", markup=False)
    spans = sum(len(d.spans) for d in loaded.docs)
    err.print(
        f"{page}: {len(loaded.docs)} documents, {spans} spans, {len(loaded.unshown)} not shown", markup=False
    )
    raise typer.Exit(EXIT_FAILED if loaded.unshown else EXIT_OK)
