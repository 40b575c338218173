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
        metavar="PATH",
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
            metavar="PATH",
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
            metavar="OUTDIR",
            show_default=False,
        ),
    ],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Where to write the JSONL report (default: OUTDIR/report.jsonl).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="The page URL of every input, for site rules (for HTML, in place of the page's "
            "canonical link).",
        ),
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="auto|text|html",
            help="What the inputs are. auto: HTML by extension (.html, .htm, .xhtml, also .gz) or by "
            "its first bytes, else text. HTML goes through trafilatura first.",
        ),
    ] = "auto",
) -> None:
    """Clean files and directories into OUTDIR, with one report record per input.

    Exit status: 0 done; 2 usage or rule-file error (nothing written); 3 some inputs failed.
    """
    cleaner = build_cleaner(rules, no_default_rules)
    try:
        batch.check_paths(paths, outdir)
    except UsageError as e:
        fail(str(e))
    if format not in batch.FORMATS:
        fail(f"--format must be one of {', '.join(batch.FORMATS)}, not {format!r}")
    jobs = batch.discover(paths, outdir, format=format)
    if not jobs:
        err.print(
            f"cleaner: no input files found (looked for {', '.join(batch.INCLUDE[format])})", markup=False
        )
    report_path = report if report is not None else outdir / "report.jsonl"
    if report_path.resolve() in {j.output.resolve() for j in jobs}:
        fail(f"{report_path}: the report would overwrite an output file")
    summary = batch.Summary()
    records = batch.run(jobs, cleaner, report_path, format=format, url=url)
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


@app.command("eval")
def eval_(
    dataset: Annotated[
        Path,
        typer.Argument(
            help="A benchmark directory: <id>.gold.txt with <id>.page.txt and/or <id>.html.gz, "
            "and manifest.jsonl giving each id's url.",
            show_default=False,
        ),
    ],
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="text (<id>.page.txt), html (<id>.html.gz) or both; "
            "by default both when the dataset has HTML, else text.",
            show_default=False,
        ),
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    worst: Annotated[
        int, typer.Option("--worst", min=0, help="How many of the weakest documents to list.")
    ] = 10,
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="Write every output to DIR/<id>.txt (DIR/text/ and DIR/html/ when both modes run), "
            "for cross-checking with another scorer.",
            show_default=False,
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option(
            "--json", help="Write the full report, every document included, as JSON.", show_default=False
        ),
    ] = None,
) -> None:
    """Score the cleaner on a benchmark dataset with the article-extraction-benchmark metric.

    Prints per mode the precision, recall and F1 of the clean text and of the input as is,
    the weakest documents, and what each category and rule removed. Exit status: 0 done,
    2 usage error (no such dataset, no gold files, a mode without inputs, bad rule files),
    3 some documents failed (named on stderr; scored as they came out), 4 an output could
    not be written.
    """
    import json

    from . import evaluate as ev

    cleaner = build_cleaner(rules, no_default_rules)
    try:
        ds = ev.load_dataset(dataset)
    except UsageError as e:
        fail(str(e))
    have = ds.modes()
    if mode not in (None, "both", *ev.MODES):
        fail(f"--mode must be text, html or both, not {mode!r}")
    modes = have if mode is None else list(ev.MODES) if mode == "both" else [m for m in ev.MODES if m == mode]
    if not have:
        fail(f"{dataset}: no <id>.page.txt or <id>.html.gz inputs next to the gold files")
    for m in modes:
        if m not in have:
            fail(f"{dataset}: no {'<id>.page.txt' if m == 'text' else '<id>.html.gz'} files for {m} mode")
    try:
        extract = ev.html_extractor() if "html" in modes else None
    except UsageError as e:
        if mode is not None or modes == ["html"]:
            fail(str(e))
        err.print(f"cleaner: {e}; scoring text mode only", markup=False)
        modes, extract = ["text"], None
    reports = []
    for m in modes:
        where = None if predictions is None else predictions / m if len(modes) > 1 else predictions
        try:
            report = _eval_run(ds, cleaner, m, where, extract)
        except UsageError as e:
            fail(str(e))
        except OSError as e:
            fail(f"cannot write {e.filename or where}: {e.strerror or e}", 4)
        reports.append(report)
        _eval_print(report, worst)
    if json_path is not None:
        try:
            json_path.write_text(
                json.dumps(ev.reports_json(ds, reports), indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
        except OSError as e:
            fail(f"cannot write {json_path}: {e.strerror or e}", 4)
    failed = [(r.mode, d) for r in reports for d in r.errors]
    for m, d in failed:
        err.print(f"cleaner: {ds.path / d.id} ({m} mode): {d.error}", markup=False)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _eval_run(ds: Any, cleaner: Cleaner, mode: Any, where: Path | None, extract: Any) -> Any:
    """One mode's ``evaluate.evaluate``, with a progress bar on stderr when it is a terminal."""
    from .evaluate import evaluate

    if not sys.stderr.isatty():
        return evaluate(ds, cleaner, mode, predictions=where, extract=extract)
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"{mode} mode", total=len(ds.ids))
        return evaluate(
            ds,
            cleaner,
            mode,
            predictions=where,
            extract=extract,
            on_document=lambda _: progress.advance(task),
        )


def _eval_print(report: Any, worst: int) -> None:
    """The tables of one mode's evaluation (an ``evaluate.EvalReport``)."""
    from .pipeline import host_of

    s, b = report.scores, report.baseline
    table = Table(title=f"{report.dataset}, {report.mode} mode: {s.n} documents")
    for col in ("", "precision", "recall", "F1", "empty outputs"):
        table.add_column(col, justify="right" if col else "left")
    for name, x in (("cleaner", s), ("input as is", b)):
        table.add_row(name, f"{x.precision:.4f}", f"{x.recall:.4f}", f"{x.f1:.4f}", str(x.empty))
    table.add_row(
        "change",
        f"{s.precision - b.precision:+.4f}",
        f"{s.recall - b.recall:+.4f}",
        f"{s.f1 - b.f1:+.4f}",
        "",
    )
    out.print(table)
    share = report.chars_removed / report.chars_in if report.chars_in else 0.0
    spans = sum(h.spans for h in report.categories)
    out.print(
        f"removed {report.chars_removed:,} of {report.chars_in:,} characters ({share:.1%}) "
        f"in {spans:,} spans; {len(report.errors)} failed",
        markup=False,
    )
    rows = report.worst(worst)
    cut = any(len(d.id) > 13 for d in rows)
    if rows:
        table = Table(
            title=f"{len(rows)} weakest documents ({report.mode} mode)",
            caption="long ids are cut to 12 characters; --json has them whole" if cut else None,
        )
        for col in ("P", "R", "F1", "input F1", "site", "id"):
            table.add_column(col, justify="left" if col in ("site", "id") else "right", overflow="fold")
        for d in rows:
            p, r = d.score.precision, d.score.recall
            note = f" ({d.error})" if d.error else ""
            table.add_row(
                "-" if p is None else f"{p:.3f}",
                "-" if r is None else f"{r:.3f}",
                f"{d.score.f1:.3f}",
                f"{d.baseline.f1:.3f}",
                host_of(d.url) or "",
                (d.id[:12] + "…" if len(d.id) > 13 else d.id) + note,
            )
        out.print(table)
    for title, hits, first in (("category", report.categories, ()), ("rule", report.rules, ("category",))):
        table = Table(
            title=f"removed per {title} ({report.mode} mode)",
            caption="in gold: removed spans of 4+ words found word for word in the gold",
        )
        for col in (title, *first, "spans", "docs", "chars", "in gold"):
            table.add_column(
                col, justify="left" if col in (title, "category") else "right", no_wrap=col == title
            )
        for h in hits:
            table.add_row(
                h.name,
                *([h.category or ""] if first else []),
                f"{h.spans:,}",
                f"{h.docs:,}",
                f"{h.chars:,}",
                f"{h.in_gold:,}",
            )
        out.print(table)


def main() -> None:
    app()
