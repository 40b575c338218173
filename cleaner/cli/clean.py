"""``cleaner clean``: directories and files, standard input, or a JSON Lines stream."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from .. import batch, discover, io
from ..document import ReadOptions, Unreadable, read
from ..document import clean as clean_document
from ..errors import UsageError, WorkerDied, WriteError
from ..pipeline import DEFAULT_DOC_TIMEOUT, DEFAULT_MAX_REMOVED_FRACTION, DEFAULT_MAX_SPANS, Cleaner
from ..read import DEFAULT_MIN_CONFIDENCE, INCLUDE, is_jsonl_name
from ..report import Summary, report_line
from . import common
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_WORKER,
    EXIT_WRITE,
    INPUTS,
    JSONL,
    OUTPUTS,
    RUN,
    AllowNulOpt,
    CheckStableOpt,
    DetectEncodingOpt,
    DocTimeoutOpt,
    EncodingErrorsOpt,
    FallbackEncodingOpt,
    HtmlFallbackOpt,
    MaxBytesOpt,
    MaxRemovedOpt,
    MaxSpansOpt,
    MinConfidenceOpt,
    NoDefaultsOpt,
    RepairOpt,
    RulesOpt,
    UntilStableOpt,
    UrlOpt,
    err,
    fail,
    shown,
    warn,
)

STDIO = "-"


@common.command(short_help="Clean files, directories, standard input or a JSONL stream.")
def clean(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files and directories to clean (- for standard input). Directories are searched "
            "recursively for *.txt and *.text files (and HTML files, see --format).",
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
            "paths, with .txt. For a JSONL input, the output file (- for standard output). For "
            "standard input (PATH -), a file for the clean text instead of standard output.",
            metavar="OUTDIR",
            show_default=False,
            rich_help_panel=OUTPUTS,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Where to write the JSONL report (default: OUTDIR/report.jsonl; for JSONL, "
            "OUT.report.jsonl; for standard input, none).",
            metavar="FILE",
            show_default=False,
            rich_help_panel=OUTPUTS,
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace the outputs of an earlier run (each new file moved into place) and its report.",
            rich_help_panel=OUTPUTS,
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Finish an earlier run that stopped (interrupted, killed, disk full): documents its "
            "report already holds, with their outputs in place, are not done again.",
            rich_help_panel=OUTPUTS,
        ),
    ] = False,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="auto|text|html|jsonl",
            help="What the inputs are. auto: JSONL for one .jsonl, .jsonl.gz or .ndjson file; HTML by "
            "extension (.html, .htm, .xhtml, also .gz) or by its first bytes; else text. HTML goes "
            "through trafilatura first.",
            rich_help_panel=INPUTS,
        ),
    ] = "auto",
    url: UrlOpt = None,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Follow symlinked directories (each directory once) and include symlinked files that "
            "point outside the input directory.",
            rich_help_panel=INPUTS,
        ),
    ] = False,
    max_bytes: MaxBytesOpt = "64M",
    encoding_errors: EncodingErrorsOpt = "strict",
    fallback_encoding: FallbackEncodingOpt = None,
    detect_encoding: DetectEncodingOpt = False,
    min_confidence: MinConfidenceOpt = DEFAULT_MIN_CONFIDENCE,
    allow_nul: AllowNulOpt = False,
    html_fallback: HtmlFallbackOpt = "none",
    repair_mojibake: RepairOpt = False,
    text_field: Annotated[
        str, typer.Option("--text-field", metavar="NAME", help="The field to clean.", rich_help_panel=JSONL)
    ] = "text",
    id_field: Annotated[
        str | None,
        typer.Option(
            "--id-field",
            metavar="NAME",
            help="Each record's id, copied into its report record and checked for duplicates "
            "(memory grows with the number of ids).",
            rich_help_panel=JSONL,
        ),
    ] = None,
    url_field: Annotated[
        str | None,
        typer.Option(
            "--url-field",
            metavar="NAME",
            help="The field with each record's page URL (else --url).",
            rich_help_panel=JSONL,
        ),
    ] = None,
    spans_field: Annotated[
        str | None,
        typer.Option(
            "--spans-field",
            metavar="NAME",
            help="Add each record's removed spans under this field.",
            rich_help_panel=JSONL,
        ),
    ] = None,
    doc_timeout: DocTimeoutOpt = DEFAULT_DOC_TIMEOUT,
    max_spans: MaxSpansOpt = DEFAULT_MAX_SPANS,
    max_removed_fraction: MaxRemovedOpt = DEFAULT_MAX_REMOVED_FRACTION,
    check_stable: CheckStableOpt = False,
    until_stable: UntilStableOpt = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="Clean in N processes (0: one per core). Outputs and report are the same bytes "
            "whatever N is.",
            rich_help_panel=RUN,
        ),
    ] = 1,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 3 when an entry was skipped or a page had no text, not only on errors.",
            rich_help_panel=RUN,
        ),
    ] = False,
) -> None:
    """Clean files and directories into OUTDIR, with one report record per input.

    cleaner clean DIR... -o OUTDIR cleans every text and HTML file under each DIR into OUTDIR,
    keeping relative paths; cleaner clean - reads standard input and writes standard output;
    cleaner clean DOCS.jsonl -o OUT.jsonl cleans one field of every record.

    Exit status: 0 done; 2 usage or rule-file error, or an earlier run's results are in the
    way (nothing written); 3 some inputs failed (or, with --strict, were skipped); 4 an
    output or the report could not be written (resumable); 5 a worker process died
    (resumable); 130 interrupted, 143 terminated (resumable); 141 standard output closed
    early.
    """
    # Every option is checked before anything is read or written.
    if overwrite and resume:
        fail("--overwrite and --resume exclude each other")
    if jobs < 0:
        fail("--jobs must be 0 (one per core) or more")
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
        formats=("auto", "text", "html", "jsonl"),
    )
    stream = format == "jsonl" or (format == "auto" and len(paths) == 1 and is_jsonl_name(str(paths[0])))
    if stream:
        if len(paths) != 1:
            fail("JSONL takes one input: a file, or - for standard input (with --format jsonl)")
        if outdir is None:
            fail("-o/--output is needed for JSONL: the output file, or - for standard output")
        if spans_field is not None and spans_field == text_field:
            fail("--spans-field must not be the --text-field")
    elif str(paths[0]) != STDIO or len(paths) != 1:
        if any(str(p) == STDIO for p in paths):
            fail("- (standard input) must be the only PATH")
        if outdir is None:
            fail("-o/--output OUTDIR is needed (it may be left out only for standard input, PATH -)")
    cleaner = common.build_cleaner(
        rules,
        no_default_rules,
        doc_timeout=doc_timeout,
        max_spans=max_spans,
        max_removed_fraction=max_removed_fraction,
        check_stable=check_stable,
        until_stable=until_stable,
        repair_mojibake=repair_mojibake,
    )
    if stream:
        assert outdir is not None
        report = report if report is not None or str(outdir) == STDIO else _jsonl_report(outdir)
        _check_earlier([outdir, report], overwrite=overwrite, resume=resume)
        _clean_jsonl(paths[0], outdir, report, cleaner, text_field, id_field, url_field, spans_field, url)
    if str(paths[0]) == STDIO:
        _check_earlier([outdir, report], overwrite=overwrite, resume=resume)
        _clean_stdin(outdir, report, cleaner, options)
    assert outdir is not None
    report_path = report if report is not None else outdir / "report.jsonl"
    todo = _plan(paths, outdir, report_path, options.format, follow_symlinks)
    _prepare_outdir(todo, outdir, report_path, overwrite=overwrite, resume=resume)
    workers = jobs or os.cpu_count() or 1
    summary, problems = _run_batch(todo, cleaner, report_path, options, resume=resume, workers=workers)
    for problem in problems:
        warn(problem)
    err.print(summary.line(), markup=False)
    raise typer.Exit(EXIT_FAILED if summary.failed or (strict and summary.not_ok) else EXIT_OK)


def _clean_jsonl(
    src: Path,
    outdir: Path,
    report: Path | None,
    cleaner: Cleaner,
    text_field: str,
    id_field: str | None,
    url_field: str | None,
    spans_field: str | None,
    url: str | None,
) -> NoReturn:
    """``cleaner clean docs.jsonl -o cleaned.jsonl``: one output line per input line, written
    whole or not at all."""
    from .. import jsonl

    dst = str(outdir)
    if str(src) == STDIO and sys.stdin is None or dst == STDIO and sys.stdout is None:
        fail("standard input or output is closed", EXIT_WRITE)
    try:
        with _abort_on_signals():
            summary = jsonl.clean_file(
                str(src),
                dst,
                cleaner,
                report=report,
                text_field=text_field,
                id_field=id_field,
                url_field=url_field,
                spans_field=spans_field,
                url=url,
            )
    except (UsageError, ValueError) as e:
        fail(str(e))
    except FileNotFoundError as e:
        fail(f"{src}: {e.strerror or e}")
    except jsonl.StreamReadError as e:
        fail(str(e), EXIT_FAILED)
    except WriteError as e:
        if isinstance(e.__cause__, BrokenPipeError) or "Broken pipe" in str(e):
            raise typer.Exit(EXIT_PIPE) from None
        fail(str(e), EXIT_WRITE)
    except KeyboardInterrupt as e:
        fail("interrupted; nothing written", 128 + getattr(e, "signum", signal.SIGINT))
    err.print(summary.line(), markup=False)
    raise typer.Exit(EXIT_FAILED if summary.failed else EXIT_OK)


def _clean_stdin(
    outdir: Path | None, report: Path | None, cleaner: Cleaner, options: ReadOptions
) -> NoReturn:
    """``cleaner clean -``: the whole of standard input is one document; its clean text goes to
    standard output (or to -o FILE), the report only to --report, never to standard output."""
    dest = str(outdir) if outdir is not None else STDIO
    if sys.stdin is None or dest == STDIO and sys.stdout is None:
        fail("cannot use standard input and output: one of them is closed", EXIT_WRITE)
    body: bytes | None = None
    try:
        with _abort_on_signals():
            try:
                doc = read(sys.stdin.buffer, options)
            except Unreadable as e:
                rec = e.record(input=STDIO)
            else:
                result, rec = clean_document(doc, cleaner, input=STDIO, output=str(Path(dest)))
                body = doc.encode(result.text)
    except KeyboardInterrupt as e:
        fail("interrupted; nothing written", 128 + getattr(e, "signum", signal.SIGINT))
    try:
        if body is not None and dest == STDIO:
            io.write_all(sys.stdout.buffer, body)
            sys.stdout.buffer.flush()
        elif body is not None:
            io.write_atomic(Path(dest), body)
    except BrokenPipeError:
        # The reader went away (`cleaner clean - | head -1`): not an error of ours (exit 141).
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_PIPE) from None
    except WriteError as e:
        fail(str(e), EXIT_WRITE)
    except OSError as e:
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        fail(f"cannot write to stdout: {e.strerror or e}", EXIT_WRITE)
    if report is not None:
        try:
            io.write_atomic(report, report_line(rec))
        except WriteError as e:
            fail(str(e), EXIT_WRITE)
    if rec["error"]:
        warn(f"-: {rec['error']}")
    for warning in rec.get("warnings", ()):
        warn(f"warning: -: {warning}")
    summary = Summary()
    summary.add(rec)
    raise typer.Exit(EXIT_FAILED if summary.failed else EXIT_OK)


def _jsonl_report(output: Path) -> Path:
    """A JSONL output's default report: ``OUT.report.jsonl`` beside ``OUT.jsonl[.gz]``."""
    base = str(output).removesuffix(".gz")
    return Path(base.rsplit(".", 1)[0] + ".report.jsonl")


def _check_earlier(paths: list[Path | None], *, overwrite: bool, resume: bool) -> None:
    """One output policy for a single output file and its report (standard input, JSONL),
    as for a directory run's: an earlier result is replaced only with --overwrite. Such an
    output is written whole or not at all, so a stopped run leaves nothing to finish:
    --resume starts over when there is no earlier result, and refuses when there is one.
    Temporary files a killed run left beside them are removed. A device or FIFO (-o
    /dev/null) holds no result: it is written into."""
    for path in paths:
        if path is None or str(path) == STDIO:
            continue
        if path.is_dir() and not io.is_stream(path):
            fail(f"{path}: is a directory; a file is needed here")
        io.remove_stale_temps_of(path)
        if io.existing(path) and not overwrite:
            if resume:
                fail(
                    f"{path} is complete from an earlier run: an output of one file is written whole or "
                    "not at all, so --resume has nothing to finish; use --overwrite to redo it"
                )
            fail(f"{path} exists from an earlier run; use --overwrite to replace it")


class Interrupted(KeyboardInterrupt):
    """A signal that ends a run at once; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _abort_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM stop at once, unwinding through every temporary file's clean-up:
    for an output written whole or not at all, there is nothing to finish first."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise Interrupted(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _plan(
    paths: list[Path], outdir: Path, report_path: Path, format: str, follow_symlinks: bool
) -> list[discover.Job]:
    """Check the paths, find the inputs, and check where their outputs go; exit 2 if wrong.

    Nothing is written yet; the input tree is only listed and ``lstat``-ed.
    """
    try:
        discover.check_paths(paths, outdir)
        jobs = discover.discover(paths, outdir, format=format, follow_symlinks=follow_symlinks)
        discover.check_outputs(paths, jobs, report_path)
    except UsageError as e:
        fail(str(e))
    if not jobs:
        warn(f"no input files found (looked for {', '.join(INCLUDE[format])})")
    return jobs


def _prepare_outdir(
    jobs: list[discover.Job], outdir: Path, report_path: Path, *, overwrite: bool, resume: bool
) -> None:
    """Refuse to mix with an earlier run's results (exit 2) unless told how; check that OUTDIR
    and the report's folder can be written (exit 4); clear a killed run's temporary files."""
    if not (overwrite or resume) and (found := discover.existing_result(jobs, report_path)) is not None:
        fail(
            f"{found} exists from an earlier run; use --resume to finish that run "
            "or --overwrite to replace its results"
        )
    try:
        io.probe_writable(outdir)
        io.probe_writable(report_path.parent)
        if overwrite or resume:
            io.remove_stale_temps(outdir)
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
    jobs: list[discover.Job],
    cleaner: Cleaner,
    report_path: Path,
    options: ReadOptions,
    *,
    resume: bool,
    workers: int = 1,
) -> tuple[Summary, list[str]]:
    """Run the batch with a progress bar when stderr is a terminal; exit 4 when an output or the
    report cannot be written and 130 (143 for SIGTERM) when interrupted, both resumable."""
    summary = Summary()
    problems: list[str] = []
    interrupted = 0
    with _stop_on_signals() as caught:
        records = batch.run(
            jobs,
            cleaner,
            report_path,
            options,
            resume=resume,
            stop=lambda: bool(caught),
            workers=workers,
            brief=True,
        )
        try:
            for rec in _with_progress(records, len(jobs)):
                summary.add(rec)
                if rec["error"]:
                    problems.append(f"{rec['input']}: {rec['error']}")
                problems += (f"warning: {rec['input']}: {w}" for w in rec.get("warnings", ()))
        except WriteError as e:
            for problem in problems:
                warn(problem)
            fail(
                f"{e}; stopped after {summary.documents} of {len(jobs)} documents "
                "(the report holds them); run again with --resume to finish",
                EXIT_WRITE,
            )
        except WorkerDied as e:
            for problem in problems:
                warn(problem)
            fail(
                f"{e}; stopped after {summary.documents} of {len(jobs)} documents (the report holds "
                "them); run again with --resume to finish",
                EXIT_WORKER,
            )
        except KeyboardInterrupt:
            interrupted = signal.SIGINT
        interrupted = interrupted or (caught[0] if caught else 0)
    if interrupted:
        for problem in problems:
            warn(problem)
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


__all__ = ["clean", "shown"]
