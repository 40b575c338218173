"""The command line: a thin door onto the batch module, the cleaner and the rule loader."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from . import batch
from .errors import DocumentError, RuleFileError, UsageError
from .pipeline import Cleaner
from .read import decode
from .report import explain_view
from .ruletest import run_examples

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Strip boilerplate (donation pleas, photo credits, navigation, sponsored slots...) from "
    "article text, and report every removed span with the rule that removed it.",
)
rules_app = typer.Typer(no_args_is_help=True, help="List the loaded rules, or run their examples.")
app.add_typer(rules_app, name="rules")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False)

RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        help="A rule file or a folder of *.toml rule files, added to the default packs. Repeat for more.",
        show_default=False,
    ),
]
NoDefaultsOpt = Annotated[
    bool, typer.Option("--no-default-rules", help="Leave the shipped rule packs out; use only --rules.")
]


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err.print(f"cleaner: {message}", markup=False)
    raise typer.Exit(code)


@contextmanager
def rule_errors() -> Iterator[None]:
    try:
        yield
    except RuleFileError as e:
        err.print(f"cleaner: {len(e.problems)} problem(s) in the rule files:", markup=False)
        for p in e.problems:
            err.print(f"  {p}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None


def build_cleaner(rules: Sequence[Path] | None, no_default_rules: bool) -> Cleaner:
    if no_default_rules and not rules:
        fail("--no-default-rules needs at least one --rules PATH")
    with rule_errors():
        return Cleaner(rule_paths=list(rules or ()), default_rules=not no_default_rules)


@app.command()
def clean(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files and directories to clean. Directories are "
            "searched recursively for *.txt and *.text files.",
            show_default=False,
        ),
    ],
    outdir: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Directory for the clean files. "
            "A directory argument's files keep their relative paths, with .txt.",
            show_default=False,
        ),
    ],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Where to write the JSONL report [default: OUTDIR/report.jsonl].",
            show_default=False,
        ),
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    url: Annotated[
        str | None, typer.Option("--url", help="The page URL of every input, for site rules.")
    ] = None,
) -> None:
    """Clean files and directories into OUTDIR, with one report record per input.

    Exit status: 0 all inputs processed, 2 usage or rule-file error (nothing written),
    3 some inputs failed (named in the report and the summary) while the rest were done.
    """
    cleaner = build_cleaner(rules, no_default_rules)
    try:
        batch.check_paths(paths, outdir)
    except UsageError as e:
        fail(str(e))
    jobs = batch.discover(paths, outdir)
    report_path = report if report is not None else outdir / "report.jsonl"
    if report_path.resolve() in {j.output.resolve() for j in jobs}:
        fail(f"{report_path}: the report would overwrite an output file")
    summary = batch.Summary()
    records = (
        batch.run(jobs, cleaner, report_path)
        if url is None
        else _run_with_url(jobs, cleaner, report_path, url)
    )
    try:
        if sys.stderr.isatty() and jobs:
            from rich.progress import Progress

            with Progress(console=err, transient=True) as progress:
                task = progress.add_task("cleaning", total=len(jobs))
                for rec in records:
                    summary.add(rec)
                    progress.advance(task)
        else:
            for rec in records:
                summary.add(rec)
    except OSError as e:
        fail(f"cannot write {e.filename or report_path}: {e.strerror or e}", 4)
    for problem in _errors(report_path) if summary.errors else ():
        err.print(f"cleaner: {problem}", markup=False)
    err.print(summary.line(), markup=False)
    raise typer.Exit(EXIT_FAILED if summary.errors else EXIT_OK)


def _run_with_url(
    jobs: Sequence[batch.Job], cleaner: Cleaner, report_path: Path, url: str
) -> Iterator[dict[str, Any]]:
    bound = _UrlCleaner(cleaner, url)
    return batch.run(jobs, bound, report_path)  # type: ignore[arg-type]


class _UrlCleaner:
    """A cleaner with the page URL fixed, for a batch whose inputs all come from one site."""

    def __init__(self, cleaner: Cleaner, url: str) -> None:
        self._cleaner, self._url = cleaner, url

    def clean(self, text: str, *, url: str | None = None) -> Any:
        return self._cleaner.clean(text, url=url or self._url)


def _errors(report_path: Path) -> Iterator[str]:
    import json

    with open(report_path, encoding="utf-8", newline="\n") as f:
        for line in f.read().split("\n"):
            if line:
                rec = json.loads(line)
                if rec["error"]:
                    yield f"{rec['input']}: {rec['error']}"


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="The text file to explain.", show_default=False)],
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    url: Annotated[str | None, typer.Option("--url", help="The page URL, for site rules.")] = None,
) -> None:
    """Show FILE with every removed span highlighted and labelled by the rule that removed it."""
    cleaner = build_cleaner(rules, no_default_rules)
    try:
        text = decode(file.read_bytes()).text
    except OSError as e:
        fail(f"{file}: cannot read: {e.strerror or e}")
    except DocumentError as e:
        fail(f"{file}: {e.kind}: {e}", EXIT_FAILED)
    result = cleaner.clean(text, url=url)
    if result.error:
        fail(f"{file}: {result.error}", EXIT_FAILED)
    out.print(explain_view(text, result), markup=False, highlight=False, soft_wrap=True)
    table = Table(
        title=f"{file}: {len(result.spans)} spans removed, {result.removed_chars} of {len(text)} characters"
    )
    for col in ("start", "end", "rule", "category", "also matched by"):
        table.add_column(col)
    for s in result.spans:
        table.add_row(str(s.start), str(s.end), s.rule, s.category.value, ", ".join(s.rules[1:]))
    out.print(table)


@rules_app.command("list")
def rules_list(rules: RulesOpt = None, no_default_rules: NoDefaultsOpt = False) -> None:
    """List every loaded rule: id, category, matcher, zone, file and description."""
    cleaner = build_cleaner(rules, no_default_rules)
    table = Table(title=f"{len(cleaner.rules)} rules")
    for col in ("id", "category", "matcher", "zone", "file", "description"):
        table.add_column(col, overflow="fold")
    for r in sorted(cleaner.rules, key=lambda r: r.id):
        matcher = r.kind.value + (f" {r.heuristic}" if r.heuristic else "")
        table.add_row(r.id, r.category.value, matcher, r.zone.value, r.file, r.description)
    out.print(table)


@rules_app.command("test")
def rules_test(rules: RulesOpt = None, no_default_rules: NoDefaultsOpt = False) -> None:
    """Run every rule's examples; exit 1 naming each rule and example that fails."""
    cleaner = build_cleaner(rules, no_default_rules)
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


def main() -> None:
    app()
