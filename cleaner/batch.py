"""Directory runs: clean every discovered input, write its output, and report it.

The CLI is a door onto this module; the module itself knows nothing about typer.

What a run promises (the *Guarantees* in ``docs/guarantees.md``): one report record per
discovered entry, in discovery order, each written whole; inputs opened read-only and only
when they are regular files; outputs written to a temporary file and moved into place; a
run that stops (interrupt, full disk) can be finished with ``resume=True`` into the same
bytes an uninterrupted run writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import suppress
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from .discover import Job
from .document import ReadOptions, Unreadable, clean, read
from .errors import UsageError, WriteError
from .io import Report, remove_output, write_atomic
from .pipeline import Cleaner
from .read import detect_format
from .report import brief as make_brief
from .report import record, report_line


def clean_job(job: Job, cleaner: Cleaner, options: ReadOptions | None = None) -> dict[str, Any]:
    """Clean one file and write its output; return its report record.

    Raises only ``WriteError`` (an output could not be written); everything wrong with the
    input itself is in the record.
    """
    opts = options or ReadOptions()
    if job.error or job.skip:
        # Not read: "auto" goes by the extension alone.
        fmt = opts.format if opts.format != "auto" else detect_format(job.source, b"")
        return record(
            input=job.input,
            realpath=job.realpath,
            output=None,
            format=None if job.directory else fmt,
            status="skipped",
            error=job.error,
            warnings=[job.skip] if job.skip else [],
        )
    try:
        doc = read(job.source, opts, follow_symlinks=job.realpath is not None)
    except Unreadable as e:
        return e.record(input=job.input, realpath=job.realpath)
    write = partial(write_atomic, job.output)
    _, rec = clean(doc, cleaner, input=job.input, output=str(job.output), realpath=job.realpath, write=write)
    return rec


# -- resuming ---------------------------------------------------------------------------------


def read_previous(report_path: Path) -> list[tuple[bytes, dict[str, Any]]]:
    """The whole records of an earlier report, as (line, record), up to the first line that is
    torn (a run killed while writing it) or not a record; that line and the rest are dropped."""
    try:
        data = report_path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as e:
        raise UsageError(f"{report_path}: cannot read the report to resume: {e.strerror or e}") from None
    records = []
    for line in data.split(b"\n")[:-1]:  # split on "\n" only; the piece after the last is torn
        try:
            rec = json.loads(line)
        except ValueError:
            break
        if not isinstance(rec, dict) or not isinstance(rec.get("input"), str) or "status" not in rec:
            break
        records.append((line + b"\n", rec))
    return records


def _complete(job: Job, rec: dict[str, Any]) -> bool:
    """Whether an earlier run's record finished ``job``: it names the job, and an "ok" record's
    output is there (outputs are moved into place before their record is written)."""
    if rec.get("input") != job.input or (rec.get("status") == "skipped") != (job.skip is not None):
        return False
    if rec.get("status") == "ok":
        return rec.get("output") == str(job.output) and job.output.is_file()
    return rec.get("output") is None


def run(
    jobs: Sequence[Job],
    cleaner: Cleaner,
    report_path: Path,
    options: ReadOptions | None = None,
    *,
    format: str | None = None,
    url: str | None = None,
    resume: bool = False,
    stop: Callable[[], bool] | None = None,
    workers: int = 1,
    brief: bool = False,
) -> Iterator[dict[str, Any]]:
    """Clean every job in order, writing one record per job to the report; yield each record.

    ``workers`` above 1 cleans documents in that many processes (forked, so the compiled
    rule plan is shared, not rebuilt); this process alone writes the report, in job order, so
    outputs and report are the same bytes whatever the number of workers.

    ``format`` and ``url`` override those of ``options``. With ``resume``, a job that an
    earlier run over the same jobs finished (its record is in the report, and its output is
    in place) is not done again: its record is copied, so the report ends up byte for byte
    what one uninterrupted run writes. ``stop`` is asked before each job; when it says so the
    run ends there, with a valid report.

    With ``brief``, what is yielded is each record without its spans (``report.brief``:
    how many each category removed in their place), which is all a summary needs; the
    report is the same. Workers then send back no spans but those in the report line.

    Raises ``WriteError`` when an output or the report cannot be written; the report then
    holds every record up to the last whole one.
    """
    opts = options or ReadOptions()
    if format is not None:
        opts = replace(opts, format=format)
    if url is not None:
        opts = replace(opts, url=url)
    previous = read_previous(report_path) if resume else []
    # Records already in place at the head of the report stay; the rest is rewritten.
    kept = keep = 0
    for job, (line, rec) in zip(jobs, previous, strict=False):
        if not _complete(job, rec):
            break
        kept, keep = kept + 1, keep + len(line)
    earlier = {rec["input"]: (line, rec) for line, rec in previous}
    # Which jobs collide depends on the job list alone, so a resumed run agrees with a whole one.
    claimed: dict[Path, str] = {}
    collisions: dict[int, str] = {}
    for i, job in enumerate(jobs):
        if job.live:
            key = job.output.resolve()
            if key in claimed:
                collisions[i] = claimed[key]
            else:
                claimed[key] = job.input
    done = {
        i for i, job in enumerate(jobs) if (p := earlier.get(job.input)) is not None and _complete(job, p[1])
    }
    todo = [job for i, job in enumerate(jobs) if i not in done and i not in collisions]
    report = Report(report_path, keep)
    cleaned = _cleaned(todo, cleaner, opts, workers, brief)
    try:
        for i, job in enumerate(jobs):
            if stop is not None and stop():
                return
            if i in done:
                line, rec = earlier[job.input]
                if i >= kept:
                    report.write(line)
                yield make_brief(rec) if brief else rec
                continue
            if i in collisions:
                rec = record(
                    input=job.input,
                    output=None,
                    error=f"collision: the output {job.output} is already written for {collisions[i]}",
                )
                line = report_line(rec)
                rec = make_brief(rec) if brief else rec
            else:
                rec, line = next(cleaned)
                if rec["output"] is None and job.live:
                    remove_output(job.output)
            report.write(line)
            yield rec
    except KeyboardInterrupt:
        # At once (a second Ctrl-C): the workers are killed, and what they held removed.
        with suppress(KeyboardInterrupt, StopIteration):
            cleaned.throw(KeyboardInterrupt())
        raise
    finally:
        cleaned.close()
        report.close()


# What a forked worker cleans with: set in the parent just before the workers fork, so the
# compiled plan is inherited rather than pickled or rebuilt.
_WORKER: tuple[Cleaner, ReadOptions, bool] | None = None


def _worker_clean(job: Job) -> tuple[tuple[dict[str, Any], bytes] | None, tuple[str, int, str] | None]:
    assert _WORKER is not None
    cleaner, opts, brief = _WORKER
    try:
        return _with_line(clean_job(job, cleaner, opts), brief), None
    except WriteError as e:  # sent back as plain values: the exception itself need not pickle
        return None, (str(e.path), e.cause.errno or 0, e.cause.strerror or str(e.cause))


def _with_line(rec: dict[str, Any], brief: bool) -> tuple[dict[str, Any], bytes]:
    """A record (or its brief) with its report line, made where it was cleaned: with
    workers, the parent only writes the line, and receives the spans once, in it."""
    return (make_brief(rec) if brief else rec), report_line(rec)


def _abandon(job: Job, pid: int) -> None:
    """What a killed worker left of ``job``: its temporary output file."""
    with suppress(OSError):
        (job.output.parent / f".{job.output.name}.cleaner-{pid}.tmp").unlink()


def _cleaned(
    todo: list[Job], cleaner: Cleaner, opts: ReadOptions, workers: int, brief: bool
) -> Generator[tuple[dict[str, Any], bytes], None, None]:
    """The records of ``todo`` with their report lines, in order: cleaned here, or by
    ``workers`` forked processes, each holding a bounded number of documents."""
    if workers <= 1 or len(todo) <= 1:
        for job in todo:
            yield _with_line(clean_job(job, cleaner, opts), brief)
        return
    from .workers import ordered_map  # multiprocessing, only when processes are asked for

    global _WORKER
    cleaner.load()
    _WORKER = (cleaner, opts, brief)
    results = ordered_map(_worker_clean, todo, workers, name=lambda job: job.input, abandon=_abandon)
    try:
        for done, failure in results:
            if failure is not None:
                path, code, message = failure
                raise WriteError(path, OSError(code, message))
            assert done is not None
            yield done
    except KeyboardInterrupt:
        with suppress(KeyboardInterrupt, StopIteration):
            results.throw(KeyboardInterrupt())
        raise
    finally:
        results.close()
        _WORKER = None
