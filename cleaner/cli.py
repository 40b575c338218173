"""The command line: a thin door onto the batch module, the cleaner and the rule loader."""

from __future__ import annotations

import codecs
import gc
import inspect
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text  # table cells from files and rules: shown as they are, not as markup

from . import batch
from .compile import prefilter_of
from .errors import DocumentError, RuleFileError, UsageError, WriteError
from .pipeline import DEFAULT_DOC_TIMEOUT, DEFAULT_MAX_REMOVED_FRACTION, DEFAULT_MAX_SPANS, Cleaner
from .read import DEFAULT_MIN_CONFIDENCE, ENCODING_ERRORS, DecodePolicy, decode
from .report import explain_view
from .ruletest import run_examples, slow_patterns

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_FAILED, EXIT_WRITE = 0, 1, 2, 3, 4

F = TypeVar("F", bound=Callable[..., Any])


def reflowed(func: F) -> F:
    """``func`` with each paragraph of its docstring on one line: the help formatter keeps
    the line breaks of every paragraph but the first, which then break a second time at
    the terminal's width."""
    doc = inspect.cleandoc(func.__doc__ or "")
    func.__doc__ = "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))
    return func


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


def shown(text: str) -> str:
    """``text`` as it can be printed anywhere: lone surrogates (from file names that are not
    UTF-8) become ``\\udcXX``, as the report writes them."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err.print(f"cleaner: {shown(message)}", markup=False)
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


DocTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--doc-timeout",
        metavar="SECONDS",
        help="Time limit for all regexes on one document. A rule that runs past its share is skipped "
        "for that document (warning rule_timeout:<id>, exit 3); the other rules still clean it.",
    ),
]
MaxSpansOpt = Annotated[
    int,
    typer.Option(
        "--max-spans",
        metavar="N",
        help="More matches than this in one document leave it unchanged (too_many_matches).",
    ),
]
MaxRemovedOpt = Annotated[
    float,
    typer.Option(
        "--max-removed-fraction",
        metavar="F",
        help="The largest share of a document's characters one rule may remove, for rules that do "
        "not set their own; over it the document is left unchanged (guard: too_much_removed).",
    ),
]
CheckStableOpt = Annotated[
    bool, typer.Option("--check-stable", help="Clean each output once more and report unstable: true.")
]
UntilStableOpt = Annotated[
    bool,
    typer.Option(
        "--until-stable", help="Clean again until nothing more goes (at most 10 passes, one time limit)."
    ),
]
RepairOpt = Annotated[
    bool,
    typer.Option(
        "--repair-mojibake",
        help='Repair text whose UTF-8 was once read as Latin-1 or Windows-1252 ("isnâ€™t") with '
        "ftfy before cleaning. Its spans then index the repaired text: the record keeps ftfy's "
        'plan (repair), repaired_sha256, and format "repaired" for a text file.',
    ),
]


def build_cleaner(
    rules: Sequence[Path] | None,
    no_default_rules: bool,
    *,
    doc_timeout: float = DEFAULT_DOC_TIMEOUT,
    max_spans: int = DEFAULT_MAX_SPANS,
    max_removed_fraction: float = DEFAULT_MAX_REMOVED_FRACTION,
    check_stable: bool = False,
    until_stable: bool = False,
    repair_mojibake: bool = False,
) -> Cleaner:
    if no_default_rules and not rules:
        fail("--no-default-rules needs at least one --rules PATH")
    with rule_errors():
        try:
            cleaner = Cleaner(
                rule_paths=list(rules or ()),
                default_rules=not no_default_rules,
                doc_timeout=doc_timeout,
                max_spans=max_spans,
                max_removed_fraction=max_removed_fraction,
                check_stable=check_stable,
                until_stable=until_stable,
                repair_mojibake=repair_mojibake,
            )
        except ValueError as e:
            fail(str(e))
    # Compiling the rules leaves cycles of parse-tree objects (``regex`` frees them in a
    # __del__). Collected here, they cannot be collected in the middle of a document, where
    # a second Ctrl-C landing in that __del__ would be printed and ignored, not stop the run;
    # frozen, what start-up built is not scanned again by every collection (nor copied into
    # forked workers by it).
    gc.collect()
    gc.freeze()
    return cleaner


@app.command()
@reflowed
def clean(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files and directories to clean. Directories are "
            "searched recursively for *.txt and *.text files (and HTML files, see --format).",
            metavar="PATH",
            show_default=False,
        ),
    ],
    outdir: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Directory for the clean files; a directory argument's files keep their relative "
            "paths, with .txt. For a JSONL input, the output file (- for standard output). Not "
            "needed for standard input (PATH -), whose clean text goes to standard output.",
            metavar="OUTDIR",
            show_default=False,
        ),
    ] = None,
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
            metavar="auto|text|html|jsonl",
            help="What the inputs are. auto: JSONL for one .jsonl, .jsonl.gz or .ndjson file; HTML by "
            "extension (.html, .htm, .xhtml, also .gz) or by its first bytes; else text. HTML goes "
            "through trafilatura first.",
        ),
    ] = "auto",
    text_field: Annotated[
        str, typer.Option("--text-field", metavar="NAME", help="JSONL: the field to clean.")
    ] = "text",
    id_field: Annotated[
        str | None,
        typer.Option(
            "--id-field",
            metavar="NAME",
            help="JSONL: each record's id, copied into its report record and checked for duplicates "
            "(memory grows with the number of ids).",
        ),
    ] = None,
    url_field: Annotated[
        str | None,
        typer.Option(
            "--url-field", metavar="NAME", help="JSONL: the field with each record's page URL (else --url)."
        ),
    ] = None,
    spans_field: Annotated[
        str | None,
        typer.Option(
            "--spans-field", metavar="NAME", help="JSONL: add each record's removed spans under this field."
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace the outputs of an earlier run (each new file moved into place) and its report.",
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Finish an earlier run that stopped (interrupted, killed, disk full): documents its "
            "report already holds, with their outputs in place, are not done again.",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 3 when an entry was skipped or a page had no text, not only on errors."
        ),
    ] = False,
    max_bytes: Annotated[
        str,
        typer.Option(
            "--max-bytes",
            metavar="N",
            help="Fail inputs larger than N bytes (HTML: once decompressed) with too_large, unread. "
            "Suffixes K, M, G (powers of 1024).",
        ),
    ] = "64M",
    encoding_errors: Annotated[
        str,
        typer.Option(
            "--encoding-errors",
            metavar="strict|surrogateescape",
            help="strict: invalid UTF-8 fails with decode. surrogateescape: keep each invalid byte "
            "as a lone surrogate and write it back, so the bytes round-trip.",
        ),
    ] = "strict",
    fallback_encoding: Annotated[
        str | None,
        typer.Option(
            "--fallback-encoding",
            metavar="NAME",
            help="A codec (cp1252, latin-1, ...) to decode inputs that are not valid UTF-8; "
            "recorded as encoding_source fallback.",
            show_default=False,
        ),
    ] = None,
    detect_encoding: Annotated[
        bool,
        typer.Option(
            "--detect-encoding",
            help="Guess the encoding of inputs that are not valid UTF-8 (charset_normalizer); the guess "
            "and its confidence are recorded, and a guess below --min-confidence fails.",
        ),
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence", min=0.0, max=1.0, help="The lowest confidence --detect-encoding accepts."
        ),
    ] = DEFAULT_MIN_CONFIDENCE,
    allow_nul: Annotated[
        bool,
        typer.Option(
            "--allow-nul", help="Read text holding NUL bytes as text instead of failing it as binary."
        ),
    ] = False,
    html_fallback: Annotated[
        str,
        typer.Option(
            "--html-fallback",
            metavar="none|text",
            help="text: clean a page in which trafilatura finds no text as plain text (with a warning) "
            "instead of recording empty_extraction.",
        ),
    ] = "none",
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Follow symlinked directories (each directory once) and include symlinked files that "
            "point outside the input directory.",
        ),
    ] = False,
    doc_timeout: DocTimeoutOpt = DEFAULT_DOC_TIMEOUT,
    max_spans: MaxSpansOpt = DEFAULT_MAX_SPANS,
    max_removed_fraction: MaxRemovedOpt = DEFAULT_MAX_REMOVED_FRACTION,
    check_stable: CheckStableOpt = False,
    until_stable: UntilStableOpt = False,
    repair_mojibake: RepairOpt = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="Clean in N processes (0: one per core). Outputs and report are the same bytes "
            "whatever N is.",
        ),
    ] = 1,
) -> None:
    """Clean files and directories into OUTDIR, with one report record per input.

    Exit status: 0 done; 2 usage or rule-file error, or OUTDIR holds an earlier run's results
    (nothing written); 3 some inputs failed (or, with --strict, were skipped); 4 an output or
    the report could not be written (resumable); 130 interrupted (resumable).
    """
    cleaner = build_cleaner(
        rules,
        no_default_rules,
        doc_timeout=doc_timeout,
        max_spans=max_spans,
        max_removed_fraction=max_removed_fraction,
        check_stable=check_stable,
        until_stable=until_stable,
        repair_mojibake=repair_mojibake,
    )
    options = _batch_options(
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
    if overwrite and resume:
        fail("--overwrite and --resume exclude each other")
    if format == "jsonl" or (format == "auto" and len(paths) == 1 and is_jsonl_name(str(paths[0]))):
        _clean_jsonl(paths, outdir, report, cleaner, text_field, id_field, url_field, spans_field, url)
    if len(paths) == 1 and str(paths[0]) == "-":
        _clean_stdin(outdir, report, cleaner, options)
    if outdir is None:
        fail("-o/--output OUTDIR is needed (it may be left out only for standard input, PATH -)")
    report_path = report if report is not None else outdir / "report.jsonl"
    todo = _plan(paths, outdir, report_path, options.format, follow_symlinks)
    _prepare_outdir(todo, outdir, report_path, overwrite=overwrite, resume=resume)
    if jobs < 0:
        fail("--jobs must be 0 (one per core) or more")
    workers = jobs or os.cpu_count() or 1
    summary, problems = _run_batch(todo, cleaner, report_path, options, resume=resume, workers=workers)
    for problem in problems:
        err.print(f"cleaner: {shown(problem)}", markup=False)
    err.print(summary.line(), markup=False)
    raise typer.Exit(EXIT_FAILED if summary.failed or (strict and summary.not_ok) else EXIT_OK)


JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


def is_jsonl_name(name: str) -> bool:
    return name.lower().endswith(JSONL_SUFFIXES)


def _clean_jsonl(
    paths: list[Path],
    outdir: Path | None,
    report: Path | None,
    cleaner: Cleaner,
    text_field: str,
    id_field: str | None,
    url_field: str | None,
    spans_field: str | None,
    url: str | None,
) -> NoReturn:
    """``cleaner clean docs.jsonl -o cleaned.jsonl``: one output line per input line."""
    from . import jsonl

    if len(paths) != 1:
        fail("JSONL takes one input: a file, or - for standard input (with --format jsonl)")
    if outdir is None:
        fail("-o/--output is needed for JSONL: the output file, or - for standard output")
    dst = str(outdir)
    report_path = report
    if report_path is None and dst != "-":
        base = dst[: -len(".gz")] if dst.endswith(".gz") else dst
        report_path = Path(base.rsplit(".", 1)[0] + ".report.jsonl")
    try:
        summary = jsonl.clean_file(
            str(paths[0]),
            dst,
            cleaner,
            report=report_path,
            text_field=text_field,
            id_field=id_field,
            url_field=url_field,
            spans_field=spans_field,
            url=url,
        )
    except (UsageError, ValueError) as e:
        fail(str(e))
    except FileNotFoundError as e:
        fail(f"{paths[0]}: {e.strerror or e}")
    except jsonl.StreamReadError as e:
        fail(str(e), EXIT_FAILED)
    except WriteError as e:
        if isinstance(e.__cause__, BrokenPipeError) or "Broken pipe" in str(e):
            raise typer.Exit(141) from None
        fail(str(e), EXIT_WRITE)
    except KeyboardInterrupt:
        fail("interrupted; nothing written", 130)
    err.print(summary.line(), markup=False)
    raise typer.Exit(EXIT_FAILED if summary.failed else EXIT_OK)


def _clean_stdin(
    outdir: Path | None, report: Path | None, cleaner: Cleaner, options: batch.Options
) -> NoReturn:
    """``cleaner clean -``: the whole of standard input is one document; its clean text goes to
    standard output (or to -o FILE), the report only to --report, never to standard output."""
    from .report import dumps

    data = sys.stdin.buffer.read(options.max_bytes + 1)
    dest = str(outdir) if outdir is not None else "-"
    job = batch.Job(source=Path("-"), input="-", output=Path(dest))
    written: list[bytes] = []
    rec = batch.clean_data(job, cleaner, data, options, lambda _job, body: written.append(body))
    try:
        for body in written:
            if dest == "-":
                batch.write_all(sys.stdout.buffer, body)
                sys.stdout.buffer.flush()
            else:
                batch.write_atomic(Path(dest), body)
    except BrokenPipeError:
        # The reader went away (`cleaner clean - | head -1`): not an error of ours (exit 141).
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
    except OSError as e:
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        where = "stdout" if dest == "-" else dest
        fail(f"cannot write to {where}: {e.strerror or e}", EXIT_WRITE)
    if report is not None:
        try:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(dumps(rec), encoding="utf-8", newline="\n")
        except OSError as e:
            fail(f"cannot write {report}: {e.strerror or e}", EXIT_WRITE)
    if rec["error"]:
        err.print(f"cleaner: -: {rec['error']}", markup=False)
    for warning in rec.get("warnings", ()):
        err.print(f"cleaner: warning: -: {warning}", markup=False)
    summary = batch.Summary()
    summary.add(rec)
    raise typer.Exit(EXIT_FAILED if summary.failed else EXIT_OK)


def _parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(?:([KMG])i?B?)?\s*", text, re.I)
    if not m:
        fail(f"--max-bytes must be a number of bytes, optionally with K, M or G, not {text!r}")
    return int(m[1]) * 1024 ** " KMG".index((m[2] or " ").upper())


def _batch_options(
    *,
    format: str,
    url: str | None,
    max_bytes: str,
    encoding_errors: str,
    fallback_encoding: str | None,
    detect_encoding: bool,
    min_confidence: float,
    allow_nul: bool,
    html_fallback: str,
) -> batch.Options:
    """The options of ``clean`` that say how each document is read, checked (exit 2 if wrong)."""
    if format not in (*batch.FORMATS, "jsonl"):
        fail(f"--format must be one of {', '.join(batch.FORMATS)}, jsonl, not {format!r}")
    if encoding_errors not in ENCODING_ERRORS:
        fail(
            f"--encoding-errors must be strict or surrogateescape, not {encoding_errors!r}; "
            "bytes are never replaced"
        )
    if html_fallback not in batch.HTML_FALLBACKS:
        fail(f"--html-fallback must be none or text, not {html_fallback!r}")
    if fallback_encoding is not None:
        try:
            codecs.lookup(fallback_encoding)
            b"x".decode(fallback_encoding)  # LookupError for codecs that are not text encodings
        except LookupError:
            fail(f"--fallback-encoding: unknown text encoding {fallback_encoding!r}")
        except UnicodeDecodeError:
            pass
    size = _parse_size(max_bytes)
    if size < 1:
        fail("--max-bytes must be at least 1")
    policy = DecodePolicy(
        errors=encoding_errors,
        fallback=fallback_encoding,
        detect=detect_encoding,
        min_confidence=min_confidence,
        allow_nul=allow_nul,
    )
    return batch.Options(
        format="auto" if format == "jsonl" else format,  # JSONL does not go through the batch
        url=url,
        decoding=policy,
        max_bytes=size,
        html_fallback=html_fallback,
    )


def _plan(
    paths: list[Path], outdir: Path, report_path: Path, format: str, follow_symlinks: bool
) -> list[batch.Job]:
    """Check the paths, find the inputs, and check where their outputs go; exit 2 if wrong.

    Nothing is written yet; the input tree is only listed and ``lstat``-ed.
    """
    try:
        batch.check_paths(paths, outdir)
        jobs = batch.discover(paths, outdir, format=format, follow_symlinks=follow_symlinks)
        batch.check_outputs(paths, jobs, report_path)
    except UsageError as e:
        fail(str(e))
    if not jobs:
        err.print(
            f"cleaner: no input files found (looked for {', '.join(batch.INCLUDE[format])})", markup=False
        )
    return jobs


def _prepare_outdir(
    jobs: list[batch.Job], outdir: Path, report_path: Path, *, overwrite: bool, resume: bool
) -> None:
    """Refuse to mix with an earlier run's results (exit 2) unless told how; check that OUTDIR
    and the report's folder can be written (exit 4); clear a killed run's temporary files."""
    if not (overwrite or resume) and (found := batch.existing_result(jobs, report_path)) is not None:
        fail(
            f"{found} exists from an earlier run; use --resume to finish that run "
            "or --overwrite to replace its results"
        )
    try:
        batch.probe_writable(outdir)
        batch.probe_writable(report_path.parent)
        if overwrite or resume:
            batch.remove_stale_temps(outdir)
    except WriteError as e:
        fail(str(e), EXIT_WRITE)
    except OSError as e:
        fail(f"cannot clean up {outdir}: {e.strerror or e}", EXIT_WRITE)


@contextmanager
def _stop_on_signals() -> Iterator[list[int]]:
    """SIGINT or SIGTERM asks the batch to stop after the document in hand; a second one stops
    it at once (``KeyboardInterrupt``). Yields the signals caught so far."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def at_once(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    def first(signum: int, frame: Any) -> None:
        caught.append(signum)
        for s in handled:
            signal.signal(s, at_once)

    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, first) for s in handled}
    try:
        yield caught
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _run_batch(
    jobs: list[batch.Job],
    cleaner: Cleaner,
    report_path: Path,
    options: batch.Options,
    *,
    resume: bool,
    workers: int = 1,
) -> tuple[batch.Summary, list[str]]:
    """Run the batch with a progress bar when stderr is a terminal; exit 4 when an output or the
    report cannot be written and 130 (143 for SIGTERM) when interrupted, both resumable."""
    summary = batch.Summary()
    problems: list[str] = []
    interrupted = 0
    with _stop_on_signals() as caught:
        records = batch.run(
            jobs, cleaner, report_path, options, resume=resume, stop=lambda: bool(caught), workers=workers
        )
        try:
            for rec in _with_progress(records, len(jobs)):
                summary.add(rec)
                if rec["error"]:
                    problems.append(f"{rec['input']}: {rec['error']}")
                problems += (f"warning: {rec['input']}: {w}" for w in rec.get("warnings", ()))
        except WriteError as e:
            for problem in problems:
                err.print(f"cleaner: {shown(problem)}", markup=False)
            fail(
                f"{e}; stopped after {summary.documents} of {len(jobs)} documents "
                "(the report holds them); run again with --resume to finish",
                EXIT_WRITE,
            )
        except KeyboardInterrupt:
            interrupted = signal.SIGINT
        interrupted = interrupted or (caught[0] if caught else 0)
    if interrupted:
        for problem in problems:
            err.print(f"cleaner: {shown(problem)}", markup=False)
        fail(
            f"interrupted after {summary.documents} of {len(jobs)} documents (the report holds them); "
            "run again with --resume to finish",
            128 + interrupted,
        )
    return summary, problems


def _with_progress(records: Iterator[dict[str, Any]], total: int) -> Iterator[dict[str, Any]]:
    if not (sys.stderr.isatty() and total):
        yield from records
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("cleaning", total=total)
        for rec in records:
            yield rec
            progress.advance(task)


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="The text file to explain.", show_default=False)],
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    url: Annotated[str | None, typer.Option("--url", help="The page URL, for site rules.")] = None,
    repair_mojibake: RepairOpt = False,
) -> None:
    """Show FILE with every removed span highlighted and labelled by the rule that removed it."""
    cleaner = build_cleaner(rules, no_default_rules, repair_mojibake=repair_mojibake)
    try:
        text = decode(file.read_bytes()).text
    except OSError as e:
        fail(f"{file}: cannot read: {e.strerror or e}")
    except DocumentError as e:
        fail(f"{file}: {e.kind}: {e}", EXIT_FAILED)
    result = cleaner.clean(text, url=url)
    if result.error:
        fail(f"{file}: {result.error}", EXIT_FAILED)
    if result.repair:
        plan = ", ".join(f"{action} {param}" for action, param in result.repair)
        err.print(f"{file}: mojibake repaired ({plan}); offsets are into the repaired text", markup=False)
        text = result.source or text
    out.print(explain_view(text, result), markup=False, highlight=False, soft_wrap=True)
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


@rules_app.command("list")
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
    """List every loaded rule: id, category, matcher, zone, file and description."""
    cleaner = build_cleaner(rules, no_default_rules)
    table = Table(title=f"{len(cleaner.rules)} rules")
    last = "prefilter" if prefilter else "description"
    for col in ("id", "category", "matcher", "zone", "file", last):
        table.add_column(col, overflow="fold")
    for r in sorted(cleaner.rules, key=lambda r: r.id):
        matcher = r.kind.value + (f" {r.heuristic}" if r.heuristic else "")
        table.add_row(
            Text(r.id),
            r.category.value,
            matcher,
            r.zone.value,
            Text(r.file),
            Text(prefilter_of(r) if prefilter else r.description),
        )
    out.print(table)


@rules_app.command("test")
@reflowed
def rules_test(rules: RulesOpt = None, no_default_rules: NoDefaultsOpt = False) -> None:
    """Run every rule's examples; exit 1 naming each rule and example that fails.

    Patterns that backtrack badly on some input are named as warnings: valid, but on a
    matching document they run past their time limit and are skipped there.
    """
    cleaner = build_cleaner(rules, no_default_rules)
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


@app.command("eval")
@reflowed
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
    repair_mojibake: RepairOpt = False,
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

    cleaner = build_cleaner(rules, no_default_rules, repair_mojibake=repair_mojibake)
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
                Text(host_of(d.url) or ""),
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


def main() -> None:
    app()
