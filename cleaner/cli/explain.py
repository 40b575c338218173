"""``cleaner explain``: one document with every removed span shown in place."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..document import Unreadable, clean, read
from ..errors import WriteError
from ..io import write_atomic
from ..model import Result
from ..read import DEFAULT_MIN_CONFIDENCE
from ..report import explain_view
from . import common
from .common import (
    EXIT_FAILED,
    EXIT_WRITE,
    OUTPUTS,
    AllowNulOpt,
    DetectEncodingOpt,
    EncodingErrorsOpt,
    FallbackEncodingOpt,
    FormatOpt,
    HtmlFallbackOpt,
    MaxBytesOpt,
    MinConfidenceOpt,
    NoDefaultsOpt,
    RepairOpt,
    RulesOpt,
    UrlOpt,
    err,
    fail,
    out,
)


@common.command(short_help="Show one document with every removed span in place.")
def explain(
    file: Annotated[
        Path,
        typer.Argument(help="The file to explain: text, or HTML (its extracted text).", show_default=False),
    ],
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    format: FormatOpt = "auto",
    url: UrlOpt = None,
    max_bytes: MaxBytesOpt = "64M",
    encoding_errors: EncodingErrorsOpt = "strict",
    fallback_encoding: FallbackEncodingOpt = None,
    detect_encoding: DetectEncodingOpt = False,
    min_confidence: MinConfidenceOpt = DEFAULT_MIN_CONFIDENCE,
    allow_nul: AllowNulOpt = False,
    html_fallback: HtmlFallbackOpt = "none",
    repair_mojibake: RepairOpt = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="PAGE.html",
            help="Also write the view as a self-contained HTML page (as cleaner review makes for a run).",
            show_default=False,
            rich_help_panel=OUTPUTS,
        ),
    ] = None,
) -> None:
    """Show FILE with every removed span highlighted and labelled by the rule that removed it,
    then a table of the spans: offsets, rule, category and the other rules that matched.

    FILE is read as cleaner clean reads it (the same options): an HTML page is shown as the
    text trafilatura extracts from it, which the offsets index.

    Exit status: 0 shown; 2 usage or rule-file error, or no such file; 3 the file could not
    be read or was left unchanged (the reason is printed); 4 the --html page could not be
    written.
    """
    options = common.read_options(
        format=format,
        url=url,
        max_bytes=max_bytes,
        encoding_errors=encoding_errors,
        fallback_encoding=fallback_encoding,
        detect_encoding=detect_encoding,
        min_confidence=min_confidence,
        allow_nul=allow_nul,
        html_fallback=html_fallback,
    )
    if not file.exists():
        fail(f"{file}: no such file or directory")
    cleaner = common.build_cleaner(rules, no_default_rules, repair_mojibake=repair_mojibake)
    try:
        doc = read(file, options, follow_symlinks=True)
    except Unreadable as e:
        fail(f"{file}: {e.kind}: {e}", EXIT_FAILED)
    result, _ = clean(doc, cleaner, input=str(file), output=None)
    text = doc.text
    if result.error:
        fail(f"{file}: {result.error}", EXIT_FAILED)
    if result.repair:
        plan = ", ".join(f"{action} {param}" for action, param in result.repair)
        err.print(f"{file}: mojibake repaired ({plan}); offsets are into the repaired text", markup=False)
        text = result.source or text
    for warning in doc.warnings:
        common.warn(f"warning: {file}: {warning}")
    if html is not None:
        _write_page(html, str(file), text, result, rules, no_default_rules)
    out.print(explain_view(text, result), markup=False, highlight=False, soft_wrap=True)
    from rich.table import Table
    from rich.text import Text  # cells from files and rules: shown as they are, not as markup

    table = Table(
        title=Text(
            f"{file}: {len(result.spans)} spans removed, {result.removed_chars} of {len(text)} characters"
        )
    )
    for col in ("start", "end", "rule", "category", "also matched by"):
        table.add_column(col)
    for s in result.spans:
        table.add_row(str(s.start), str(s.end), Text(s.rule), s.category.value, Text(", ".join(s.rules[1:])))
    out.print(table)


def _write_page(
    path: Path, name: str, text: str, result: Result, rules: list[Path] | None, no_default_rules: bool
) -> None:
    from .. import review as rv  # the page's code is loaded only by the commands that write one

    with common.rule_errors():
        descriptions = rv.rule_descriptions(rules or (), defaults=not no_default_rules)
    try:
        write_atomic(path, rv.page_for_result(name, text, result, descriptions).encode("utf-8"))
    except WriteError as e:
        fail(str(e), EXIT_WRITE)
