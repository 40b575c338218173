"""``cleaner eval``: scores on a benchmark dataset with gold article bodies."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UsageError, WriteError
from ..io import write_atomic
from ..pipeline import Cleaner
from . import common
from .common import EXIT_FAILED, EXIT_OK, EXIT_WRITE, NoDefaultsOpt, RepairOpt, RulesOpt, err, fail, out


@common.command("eval", short_help="Score the cleaner on a dataset with gold article bodies.")
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
            metavar="text|html|both",
            help="text (<id>.page.txt), html (<id>.html.gz) or both; "
            "by default both when the dataset has HTML, else text.",
            show_default=False,
        ),
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    worst: Annotated[
        int, typer.Option("--worst", min=0, metavar="N", help="How many of the weakest documents to list.")
    ] = 10,
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            metavar="DIR",
            help="Write every output to DIR/<id>.txt (DIR/text/ and DIR/html/ when both modes run), "
            "for cross-checking with another scorer.",
            show_default=False,
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="FILE",
            help="Write the full report, every document included, as JSON.",
            show_default=False,
        ),
    ] = None,
    repair_mojibake: RepairOpt = False,
    review: Annotated[
        Path | None,
        typer.Option(
            "--review",
            metavar="PAGE.html",
            help="Write a review page (as cleaner review makes) with the gold brought in: removed spans "
            "whose words are in the gold marked as harm, kept lines the gold lacks as missed noise, "
            "documents ordered by harm.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Score the cleaner on a benchmark dataset with gold article bodies.

    Prints per mode the precision, recall and F1 of the clean text and of the input as is
    (the article-extraction benchmark's 4-word shingles); word F1 and, where the dataset
    has them, WCXB's snippets kept and dropped; the pages whose recall fell more than 0.05
    and more than 0.20 below the input's own (harm), by id; the same per page type when the
    manifest gives types; the weakest documents; and what each category and rule removed.
    A dataset's files may lie in per-site folders (<site>/<id>.gold.txt). Exit status: 0 done,
    2 usage error (no such dataset, no gold files, a mode without inputs, bad rule files),
    3 some documents failed (named on stderr; scored as they came out), 4 an output could
    not be written.
    """
    import json

    from .. import evaluate as ev

    cleaner = common.build_cleaner(rules, no_default_rules, repair_mojibake=repair_mojibake)
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
    reports = []
    cases: list[Any] = []
    for m in modes:
        where = None if predictions is None else predictions / m if len(modes) > 1 else predictions
        prefix = f"{m}/" if len(modes) > 1 else ""

        def keep(
            doc_id: str, text: str, result: Any, gold: str, error: str | None, prefix: str = prefix
        ) -> None:
            cases.append((prefix + doc_id, text, result, gold, error))

        try:
            report = _eval_run(ds, cleaner, m, where, keep if review is not None else None)
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
    if review is not None:
        _write_review(review, ds.name, cases, rules, no_default_rules)
    failed = [(r.mode, d) for r in reports for d in r.errors]
    for m, d in failed:
        err.print(f"cleaner: {ds.path / d.id} ({m} mode): {d.error}", markup=False)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _write_review(
    path: Path, name: str, cases: list[Any], rules: list[Path] | None, no_default_rules: bool
) -> None:
    from .. import review as rv  # the page's code is loaded only by the commands that write one

    with common.rule_errors():
        descriptions = rv.rule_descriptions(rules or (), defaults=not no_default_rules)
    run = rv.with_gold((rv.GoldCase(*case) for case in cases), source=name)
    try:
        write_atomic(
            path, rv.page(run, title=f"cleaner eval: {name}", descriptions=descriptions).encode("utf-8")
        )
    except WriteError as e:
        fail(str(e), EXIT_WRITE)


def _eval_run(ds: Any, cleaner: Cleaner, mode: Any, where: Path | None, on_case: Any = None) -> Any:
    """One mode's ``evaluate.evaluate``, with a progress bar on stderr when it is a terminal."""
    from ..evaluate import evaluate

    if not sys.stderr.isatty():
        return evaluate(ds, cleaner, mode, predictions=where, on_case=on_case)
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"{mode} mode", total=len(ds.ids))
        return evaluate(
            ds,
            cleaner,
            mode,
            predictions=where,
            on_document=lambda _: progress.advance(task),
            on_case=on_case,
        )


def _print_harm_and_words(report: Any) -> None:
    """Word F1 and snippets (WCXB's metrics), the pages cleaning harmed, and the same per
    page type when the manifest gives types."""
    from rich.table import Table
    from rich.text import Text  # cells from files and rules: shown as they are, not as markup

    from ..evaluate import HARM_MUCH, HARM_SOME

    overall = report.overall
    groups = [overall, *report.page_types]
    table = Table(
        title=Text(f"word F1, snippets and harm ({report.mode} mode)"),
        caption="word F1: WCXB's, of the output and of the input as is; with, without: snippets kept and "
        f"dropped; >{HARM_SOME:g}, >{HARM_MUCH:g}: pages whose recall fell more than that below the input's",
    )
    for col in (
        "pages",
        "n",
        "word F1",
        "as is",
        "AEB F1",
        "with",
        "without",
        f">{HARM_SOME:g}",
        f">{HARM_MUCH:g}",
    ):
        table.add_column(col, justify="left" if col == "pages" else "right")
    for g in groups:
        kept, dropped = g.snippets.kept_share, g.snippets.dropped_share
        table.add_row(
            Text(g.name),
            str(g.scores.n),
            f"{g.words.f1:.4f}",
            f"{g.words_baseline.f1:.4f}",
            f"{g.scores.f1:.4f}",
            "-" if kept is None else f"{kept:.3f}",
            "-" if dropped is None else f"{dropped:.3f}",
            str(len(g.harmed)),
            str(len(g.badly_harmed)),
        )
    out.print(table)
    for over, ids in ((HARM_MUCH, overall.badly_harmed), (HARM_SOME, overall.harmed)):
        if ids:
            shown = ", ".join(ids[:20]) + (
                f", … ({len(ids) - 20} more; --json has them all)" if len(ids) > 20 else ""
            )
            out.print(
                f"{len(ids)} page{'s' * (len(ids) != 1)} lost more than {over:g} of recall against the "
                f"input's own: {shown}",
                markup=False,
                soft_wrap=True,
            )


def _eval_print(report: Any, worst: int) -> None:
    """The tables of one mode's evaluation (an ``evaluate.EvalReport``)."""
    from rich.table import Table
    from rich.text import Text  # cells from files and rules: shown as they are, not as markup

    from ..match import host_of

    s, b = report.scores, report.baseline
    table = Table(title=Text(f"{report.dataset}, {report.mode} mode: {s.n} documents"))
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
    _print_harm_and_words(report)
    share = report.chars_removed / report.chars_in if report.chars_in else 0.0
    spans = sum(h.spans for h in report.categories)
    out.print(
        f"removed {report.chars_removed:,} of {report.chars_in:,} characters ({share:.1%}) "
        f"in {spans:,} spans; {len(report.errors)} failed",
        markup=False,
    )
    if report.repaired:
        n = report.repaired
        out.print(f"mojibake repaired in {n:,} input{'s' * (n != 1)} before cleaning", markup=False)
    if report.damaged:
        n = report.damaged
        out.print(
            f"{n:,} input{'s hold' if n != 1 else ' holds'} mojibake (UTF-8 read as Latin-1 or "
            "Windows-1252); --repair-mojibake repairs it before cleaning",
            markup=False,
            soft_wrap=True,
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
                Text(host_of(d.url) or d.site or ""),
                Text((d.id[:12] + "…" if len(d.id) > 13 else d.id) + note),
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
                Text(h.name),
                *([h.category or ""] if first else []),
                f"{h.spans:,}",
                f"{h.docs:,}",
                f"{h.chars:,}",
                f"{h.in_gold:,}",
            )
        out.print(table)
