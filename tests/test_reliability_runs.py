"""Faults around a run, rows 20-26 of the bad-input matrix in shared/RELIABILITY.md: where the
outputs go, earlier results, a full or read-only disk, and runs stopped by SIGINT or SIGKILL,
then finished with ``--resume`` into exactly what one uninterrupted run writes (I6).

Every run here is ``cleaner clean in -o out`` from a working directory holding a copy of the
same inputs, so the reports of different runs can be compared byte for byte.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import cleaner_exe
from typer.testing import CliRunner

from cleaner import io as io_module
from cleaner import report as report_module
from cleaner.cli import app
from cleaner.errors import WriteError

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("shared_cleaner")]

ONE = "The council met on Tuesday to discuss the budget for next year.\n"
TWO = "Officials said the vote would take place in the spring, after a public hearing.\n"
NOISE = "Sponsored message\n"


# -- helpers ------------------------------------------------------------------------------------


def clean_cli(*args: str) -> Any:
    """``cleaner clean ARGS`` in-process, in the current directory; never a traceback (I10)."""
    result = CliRunner().invoke(app, ["clean", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [cleaner_exe(), "clean", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in proc.stderr
    return proc


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` and its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def snapshot(root: Path) -> dict[str, tuple[int, int, str | None]]:
    """Size, mtime_ns and sha256 of everything under ``root`` (I4)."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode) else None
        out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns, digest)
    return out


def read_report(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes().decode("utf-8")
    assert data == "" or data.endswith("\n")  # I5
    return [json.loads(line) for line in data.split("\n")[:-1]]


def temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def make_inputs(root: Path, n: int) -> None:
    """``n`` stories, each losing a line or more, and one that fails (so that the report has an
    error record to carry over too)."""
    root.mkdir(parents=True)
    for i in range(n):
        text = ONE + NOISE + TWO + f"Story number {i} goes on here.\n" * (1 + i % 5)
        (root / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")
    (root / "doc0003.txt").write_bytes(b"caf\xc3 x \xff")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory (the current one) with ``in/`` holding 12 inputs."""
    make_inputs(tmp_path / "in", 12)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What one uninterrupted run over the inputs of ``work`` writes (its ``out/`` tree)."""
    base = tmp_path_factory.mktemp("reference")
    make_inputs(base / "in", 12)
    proc = run_cli(base, "in", "-o", "out")
    assert proc.returncode == 3, proc.stderr  # doc0003 fails to decode
    return tree(base / "out")


# -- rows 20-22: where outputs go, and earlier results ----------------------------------------------


def test_row20_output_dir_equal_to_the_input_dir(work: Path) -> None:
    before = snapshot(work)
    result = clean_cli("in", "-o", "in")
    assert result.exit_code == 2
    assert "in: the output directory is inside the input in" in result.stderr
    assert snapshot(work) == before  # exit 2 before any I/O


def test_row20_output_that_would_overwrite_an_input_file(work: Path) -> None:
    before = snapshot(work)
    result = clean_cli("in/doc0001.txt", "-o", "in")
    assert result.exit_code == 2
    assert "in/doc0001.txt: would overwrite the input in/doc0001.txt" in result.stderr
    assert snapshot(work) == before


def test_row21_output_dir_inside_the_input_dir(work: Path) -> None:
    before = snapshot(work)
    result = clean_cli("in", "-o", "in/clean")
    assert result.exit_code == 2
    assert "in/clean: the output directory is inside the input in" in result.stderr
    assert snapshot(work) == before and not (work / "in" / "clean").exists()


def test_row21_report_inside_the_input_dir(work: Path) -> None:
    before = snapshot(work)
    result = clean_cli("in", "-o", "out", "--report", "in/report.jsonl")
    assert result.exit_code == 2
    assert "in/report.jsonl: would be written inside the input directory" in result.stderr
    assert snapshot(work) == before and not (work / "out").exists()


def test_row21_a_second_run_never_ingests_its_own_outputs(work: Path) -> None:
    """Even when a symlink in the input tree leads to OUTDIR and symlinks are followed."""
    (work / "out").mkdir()
    (work / "in" / "results").symlink_to(work / "out")
    first = clean_cli("in", "-o", "out", "--follow-symlinks")
    second = clean_cli("in", "-o", "out", "--follow-symlinks", "--overwrite")
    assert first.exit_code == second.exit_code == 3
    records = read_report(work / "out" / "report.jsonl")
    assert len(records) == 13  # 12 inputs and the link, nothing from out/
    (link,) = [r for r in records if r["input"] == "in/results"]
    assert link["status"] == "skipped" and link["warnings"][0].startswith("output_dir: ")


def test_row21_outdir_that_is_a_file_or_a_report_that_is_a_directory(work: Path) -> None:
    (work / "afile").write_text("x", encoding="utf-8")
    before = snapshot(work)
    result = clean_cli("in", "-o", "afile")
    assert (
        result.exit_code == 2 and "afile: the output directory exists and is not a directory" in result.stderr
    )
    (work / "adir").mkdir()
    result = clean_cli("in", "-o", "out", "--report", "adir")
    assert result.exit_code == 2 and "adir: the report path is a directory" in result.stderr
    assert snapshot(work) == {**before, "adir": snapshot(work)["adir"]} and not (work / "out").exists()


def test_row22_an_existing_empty_outdir_is_used(work: Path, reference: dict[str, bytes]) -> None:
    (work / "out").mkdir()
    assert clean_cli("in", "-o", "out").exit_code == 3
    assert tree(work / "out") == reference


def test_row22_unrelated_files_in_outdir_are_left_alone(work: Path, reference: dict[str, bytes]) -> None:
    (work / "out").mkdir()
    (work / "out" / "notes.md").write_text("mine\n", encoding="utf-8")
    assert clean_cli("in", "-o", "out").exit_code == 3
    assert tree(work / "out") == {**reference, "notes.md": b"mine\n"}


def test_row22_a_second_run_over_earlier_results_is_refused(work: Path, reference: dict[str, bytes]) -> None:
    assert clean_cli("in", "-o", "out").exit_code == 3
    before = snapshot(work)
    result = clean_cli("in", "-o", "out")
    assert result.exit_code == 2
    assert "out/report.jsonl exists from an earlier run; use --resume" in result.stderr
    assert "--overwrite" in result.stderr
    assert snapshot(work) == before
    # The report alone is not the only sign: an output of this run is one too.
    (work / "out" / "report.jsonl").unlink()
    result = clean_cli("in", "-o", "out")
    assert result.exit_code == 2 and "out/doc0000.txt exists from an earlier run" in result.stderr
    assert clean_cli("in", "-o", "out", "--overwrite", "--resume").exit_code == 2


def test_row22_overwrite_replaces_atomically(work: Path, reference: dict[str, bytes]) -> None:
    assert clean_cli("in", "-o", "out").exit_code == 3
    # Hard links keep the first run's files (and their inodes) alive.
    (work / "first").mkdir()
    for p in (work / "out").iterdir():
        os.link(p, work / "first" / p.name)
    # An input that now fails must not keep its earlier output.
    (work / "in" / "doc0005.txt").write_bytes(b"\xff\xfe\xfd not text any more")
    (work / "out" / ".doc0007.txt.cleaner-4242.tmp").write_bytes(b"half of some")  # a killed run's
    result = clean_cli("in", "-o", "out", "--overwrite")
    assert result.exit_code == 3
    after = tree(work / "out")
    assert "doc0005.txt" not in after
    assert {k: v for k, v in reference.items() if k not in ("doc0005.txt", "report.jsonl")} == {
        k: v for k, v in after.items() if k != "report.jsonl"
    }
    assert by_input(work)["in/doc0005.txt"]["error"].startswith("decode: ")
    # Replaced by moving a new file into place, never rewritten in place: the first run's files
    # are still whole, and no longer the ones in OUTDIR.
    for p in (work / "first").iterdir():
        if p.name in after:
            assert not os.path.samefile(p, work / "out" / p.name)
            assert p.read_bytes() == reference[p.name]
    assert not temps(work)


def by_input(work: Path) -> dict[str, dict[str, Any]]:
    return {r["input"]: r for r in read_report(work / "out" / "report.jsonl")}


def test_row22_resume_of_a_finished_run_does_nothing(work: Path, reference: dict[str, bytes]) -> None:
    assert clean_cli("in", "-o", "out").exit_code == 3
    before = snapshot(work / "out")
    result = clean_cli("in", "-o", "out", "--resume")
    assert result.exit_code == 3  # the failed document is still failed: its record stands
    assert "in/doc0003.txt: decode" in result.stderr
    assert snapshot(work / "out") == before  # not even rewritten


def test_row22_resume_redoes_a_document_whose_output_is_gone(work: Path, reference: dict[str, bytes]) -> None:
    assert clean_cli("in", "-o", "out").exit_code == 3
    (work / "out" / "doc0007.txt").unlink()
    assert clean_cli("in", "-o", "out", "--resume").exit_code == 3
    assert tree(work / "out") == reference


# -- rows 23-24: a full disk, a read-only one -------------------------------------------------------


@pytest.mark.parametrize(
    ("fail_at", "victim"),
    [(5, "out/doc0002.txt"), (6, "out/report.jsonl")],
    ids=["output", "report"],
)
def test_row23_disk_full_then_resume(
    work: Path, reference: dict[str, bytes], monkeypatch: pytest.MonkeyPatch, fail_at: int, victim: str
) -> None:
    """``os.write`` fills the disk halfway through the 5th write (document 2's output, or its
    report line): the run stops with exit 4, leaving a valid report, no temporary file and no
    partial output; ``--resume`` later finishes it as if nothing had happened."""
    calls = 0
    real_write = os.write

    def full_disk(fd: int, data: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            return real_write(fd, bytes(data[: max(1, len(data) // 2)]))  # what still fits
        if calls > fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    result = clean_cli("in", "-o", "out")
    assert result.exit_code == 4, result.output
    assert f"cannot write {victim}: No space left on device" in result.stderr
    assert "--resume" in result.stderr
    records = read_report(work / "out" / "report.jsonl")
    assert [r["input"] for r in records] == ["in/doc0000.txt", "in/doc0001.txt"]  # valid to the last
    assert not temps(work)
    for name, data in tree(work / "out").items():  # whatever output exists is complete
        assert name == "report.jsonl" or data == reference[name]
    assert (work / "out" / "doc0002.txt").exists() == (victim == "out/report.jsonl")

    monkeypatch.setattr(os, "write", real_write)
    assert clean_cli("in", "-o", "out", "--resume").exit_code == 3
    assert tree(work / "out") == reference


def test_row24_read_only_output_dir_is_refused_before_any_input_is_read(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    result = clean_cli("in", "-o", "out")
    assert result.exit_code == 4
    assert "cannot write out: Read-only file system" in result.stderr
    assert not any("doc" in p for p in opened)  # preflight: no input was opened
    assert not (work / "out" / "report.jsonl").exists()


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at ``where`` (root only; skips where mounting is not allowed)."""
    where.mkdir(exist_ok=True)
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_row23_a_real_full_disk_then_resume(tmp_path: Path) -> None:
    """A 64 KiB tmpfs as OUTDIR: it fills up after a dozen outputs."""
    make_inputs(tmp_path / "in", 40)
    ref = tmp_path / "ref"
    ref.mkdir()
    shutil.copytree(tmp_path / "in", ref / "in")
    assert run_cli(ref, "in", "-o", "out").returncode == 3
    with tmpfs(tmp_path / "out", "size=64k") as out:
        proc = run_cli(tmp_path, "in", "-o", "out")
        assert proc.returncode == 4, proc.stderr
        assert "No space left on device" in proc.stderr and "cannot write out/" in proc.stderr
        records = read_report(out / "report.jsonl")
        assert 0 < len(records) < 41
        assert not temps(out)
        reference = tree(ref / "out")
        for name, data in tree(out).items():
            assert name == "report.jsonl" or data == reference[name]
        subprocess.run(["mount", "-o", "remount,size=4m", str(out)], check=True)
        proc = run_cli(tmp_path, "in", "-o", "out", "--resume")
        assert proc.returncode == 3, proc.stderr
        assert tree(out) == reference


def test_row24_a_real_read_only_output_dir(tmp_path: Path) -> None:
    make_inputs(tmp_path / "in", 3)
    with tmpfs(tmp_path / "out", "ro,size=64k"):
        proc = run_cli(tmp_path, "in", "-o", "out")
        assert proc.returncode == 4, proc.stderr
        assert "cannot write out: Read-only file system" in proc.stderr


# -- rows 25-26: interrupted runs --------------------------------------------------------------------

MANY = 400  # enough documents that the run is still going when the signal comes


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """``MANY`` inputs, and what one uninterrupted run writes for them."""
    base = tmp_path_factory.mktemp("many")
    make_inputs(base / "in", MANY)
    proc = run_cli(base, "in", "-o", "out")
    assert proc.returncode == 3, proc.stderr
    return base / "in", tree(base / "out")


def start_and_wait(cwd: Path, outputs: int) -> subprocess.Popen[str]:
    """Start ``cleaner clean in -o out`` and return once ``outputs`` outputs exist."""
    proc = subprocess.Popen(
        [cleaner_exe(), "clean", "in", "-o", "out"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out = cwd / "out"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be stopped: {proc.communicate()[1]}")
        if out.is_dir() and sum(n.startswith("doc") for n in os.listdir(out)) >= outputs:
            return proc
        time.sleep(0.002)
    proc.kill()
    pytest.fail("no outputs appeared")


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"]
)
def test_row25_sigint_flushes_exits_130_and_resume_finishes(
    tmp_path: Path, many: tuple[Path, dict[str, bytes]], signum: int, code: int
) -> None:
    inputs, reference = many
    shutil.copytree(inputs, tmp_path / "in")
    proc = start_and_wait(tmp_path, 10)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert "interrupted after" in stderr and "--resume" in stderr
    out = tmp_path / "out"
    records = read_report(out / "report.jsonl")  # valid JSONL ending with a newline
    assert 10 <= len(records) < MANY
    assert not temps(out)  # I7
    outputs = {n for n in tree(out) if n != "report.jsonl"}
    assert outputs == {Path(r["output"]).name for r in records if r["output"]}
    assert all(tree(out)[n] == reference[n] for n in outputs)

    proc2 = run_cli(tmp_path, "in", "-o", "out", "--resume")
    assert proc2.returncode == 3, proc2.stderr
    assert tree(out) == reference  # I6: outputs and report byte-identical to one whole run
    assert proc2.stderr.splitlines()[-1] == summary_of(reference)  # the summary covers the whole run


def test_row25_a_second_sigint_stops_at_once(tmp_path: Path) -> None:
    """The first Ctrl-C lets the document in hand finish; a second one does not wait for it."""
    make_inputs(tmp_path / "in", 5)
    # 4 MiB of prose lines: every line is classed and tried by the rules, a second or more
    line = b"The council met on Tuesday to discuss the budget, and the mayor said it would pass.\n"
    (tmp_path / "in" / "zz_slow.txt").write_bytes(line * (4 * 2**20 // len(line)))
    proc = start_and_wait(tmp_path, 4)  # the 5 small ones (one fails) are done: the slow one is next
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted after 5 of 6 documents" in stderr
    out = tmp_path / "out"
    assert [r["input"] for r in read_report(out / "report.jsonl")][-1] == "in/doc0004.txt"
    assert not temps(out) and not (out / "zz_slow.txt").exists()


def summary_of(reference: dict[str, bytes]) -> str:
    """The summary line of the run that wrote ``reference``."""
    summary = report_module.Summary()
    for line in reference["report.jsonl"].decode("utf-8").split("\n")[:-1]:
        summary.add(json.loads(line))
    return summary.line()


def test_row26_sigkill_mid_write_then_resume(tmp_path: Path, many: tuple[Path, dict[str, bytes]]) -> None:
    inputs, reference = many
    shutil.copytree(inputs, tmp_path / "in")
    proc = start_and_wait(tmp_path, 10)
    proc.kill()
    proc.communicate(timeout=60)
    out = tmp_path / "out"
    # Make sure of the worst a kill can leave, whether or not this one did: a torn last report
    # line and a stale temporary file.
    with open(out / "report.jsonl", "ab") as f:
        f.write(b'{"schema":1,"input":"in/doc05')
    (out / ".doc0599.txt.cleaner-99999.tmp").write_bytes(b"The council met on")
    proc2 = run_cli(tmp_path, "in", "-o", "out", "--resume")
    assert proc2.returncode == 3, proc2.stderr
    assert not temps(out)
    assert tree(out) == reference


def test_row26_resume_keeps_the_whole_records_before_a_torn_line(
    work: Path, reference: dict[str, bytes]
) -> None:
    """The first records of the report stay in place; the torn line and what follows are redone."""
    assert clean_cli("in", "-o", "out").exit_code == 3
    report = work / "out" / "report.jsonl"
    lines = report.read_bytes().split(b"\n")
    report.write_bytes(b"\n".join(lines[:4]) + b"\n" + lines[4][:20])
    (work / "out" / "doc0009.txt").unlink()
    before = {n: (work / "out" / n).stat().st_mtime_ns for n in ("doc0000.txt", "doc0001.txt")}
    result = clean_cli("in", "-o", "out", "--resume")
    assert result.exit_code == 3
    assert tree(work / "out") == reference
    assert before == {n: (work / "out" / n).stat().st_mtime_ns for n in before}  # not redone


def test_row26_report_writer_cuts_a_failed_line_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = io_module.Report(tmp_path / "r.jsonl")
    report.write(b'{"a":1}\n')
    real_write = os.write
    state = {"n": 0}

    def half_then_full(fd: int, data: Any) -> int:
        state["n"] += 1
        if state["n"] == 1:
            return real_write(fd, bytes(data[:3]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(WriteError):
        report.write(b'{"b":2}\n')
    report.close()
    assert (tmp_path / "r.jsonl").read_bytes() == b'{"a":1}\n'
