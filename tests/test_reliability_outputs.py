"""Where results go, and runs that end badly: rows 56-70 of the reliability matrix in
docs/guarantees.md.

- Outputs and reports that are devices, FIFOs or symlinks are written into or followed,
  never replaced (``sort -o``, ``tee``).
- One overwrite policy for every output: an earlier result is replaced only with
  ``--overwrite``.
- A worker that dies ends a run at once with exit 5; SIGTERM to the whole process group
  is SIGTERM to the run; a JSON Lines run stopped by a signal leaves nothing behind.
- Rule paths that are not regular files, a closed standard output, an empty rule set, a
  ``.html.gz`` that is not gzip, a JSONL byte-order mark, a large honest document.

The runs are real processes of the installed command.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import cleaner_exe

from cleaner import Cleaner
from cleaner.document import ReadOptions, Unreadable, read

pytestmark = pytest.mark.timeout(180)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = SEEDS / "004_3e424eb520665100.txt"
ROOT = os.geteuid() == 0


def run(
    cwd: Path, *args: str, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([cleaner_exe(), *args], cwd=cwd, input=stdin, capture_output=True, timeout=timeout)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def jsonl_of(path: Path, n: int) -> Path:
    text = SEED.read_text(encoding="utf-8")
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": i, "text": text}) + "\n")
    return path


def temps(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.name.endswith(".tmp"))


def null_device(path: Path) -> Path:
    if not ROOT:
        pytest.skip("making a device node needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    return path


def is_null_device(path: Path) -> bool:
    st = os.lstat(path)
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)


# -- row 56: outputs that are devices, FIFOs or symlinks ------------------------------------------


def test_row56_stdin_output_to_a_device_writes_into_it(tmp_path: Path) -> None:
    dev = null_device(tmp_path / "mynull")
    proc = run(tmp_path, "clean", "-", "-o", "mynull", stdin=SEED.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert is_null_device(dev)  # still the device, not a regular file put in its place


def test_row56_jsonl_output_and_report_to_devices(tmp_path: Path) -> None:
    jsonl_of(tmp_path / "docs.jsonl", 3)
    null_device(tmp_path / "out.jsonl")
    null_device(tmp_path / "rep")
    proc = run(tmp_path, "clean", "docs.jsonl", "-o", "out.jsonl", "--report", "rep")
    assert proc.returncode == 0, proc.stderr
    assert is_null_device(tmp_path / "out.jsonl") and is_null_device(tmp_path / "rep")
    assert not temps(tmp_path)


def test_row56_directory_report_to_a_device_with_overwrite(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in")
    null_device(tmp_path / "rep")
    for _ in range(2):  # the device is no earlier result: a second run needs no --overwrite
        proc = run(tmp_path, "clean", "in", "-o", "out", "--report", "rep", "--overwrite")
        assert proc.returncode == 0, proc.stderr
    assert is_null_device(tmp_path / "rep")
    assert (tmp_path / "out" / SEED.name).is_file()


def test_row56_a_symlink_to_standard_output_is_written_into(tmp_path: Path) -> None:
    (tmp_path / "so").symlink_to("/proc/self/fd/1")
    proc = run(tmp_path, "clean", "-", "-o", "so", stdin=SEED.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "so").is_symlink() and os.readlink(tmp_path / "so") == "/proc/self/fd/1"
    assert proc.stdout.startswith(b"ANCHORAGE, Alaska")  # the clean text reached standard output


def test_row56_a_fifo_output_is_written_into(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append((tmp_path / "pipe").read_bytes()))
    reader.start()
    proc = run(tmp_path, "clean", "-", "-o", "pipe", stdin=SEED.read_bytes())
    reader.join(30)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode)
    assert got and got[0].startswith(b"ANCHORAGE, Alaska")


def test_row56_a_symlink_to_a_file_is_followed_and_stays(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("an earlier output\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to("real.txt")
    proc = run(tmp_path, "clean", "-", "-o", "link.txt", "--overwrite", stdin=SEED.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "link.txt").is_symlink()  # the link stays; its target is replaced
    assert (tmp_path / "real.txt").read_bytes().startswith(b"ANCHORAGE, Alaska")
    assert not temps(tmp_path)


# -- row 57: one overwrite policy ----------------------------------------------------------------


def test_row57_an_earlier_jsonl_output_or_report_is_not_replaced_silently(tmp_path: Path) -> None:
    jsonl_of(tmp_path / "docs.jsonl", 2)
    assert run(tmp_path, "clean", "docs.jsonl", "-o", "out.jsonl").returncode == 0
    before = (tmp_path / "out.jsonl").read_bytes(), (tmp_path / "out.report.jsonl").read_bytes()
    jsonl_of(tmp_path / "other.jsonl", 5)
    proc = run(tmp_path, "clean", "other.jsonl", "-o", "out.jsonl")
    assert proc.returncode == 2 and b"--overwrite" in proc.stderr
    (tmp_path / "out.jsonl").unlink()  # the report alone is an earlier result too
    proc = run(tmp_path, "clean", "other.jsonl", "-o", "out.jsonl")
    assert proc.returncode == 2 and b"out.report.jsonl exists" in proc.stderr
    assert (tmp_path / "out.report.jsonl").read_bytes() == before[1]
    assert run(tmp_path, "clean", "other.jsonl", "-o", "out.jsonl", "--overwrite").returncode == 0
    assert (tmp_path / "out.jsonl").read_bytes().count(b"\n") == 5


def test_row57_resume_of_a_complete_jsonl_run_refuses_clearly(tmp_path: Path) -> None:
    jsonl_of(tmp_path / "docs.jsonl", 2)
    assert (
        run(tmp_path, "clean", "docs.jsonl", "-o", "out.jsonl", "--resume").returncode == 0
    )  # nothing to finish
    proc = run(tmp_path, "clean", "docs.jsonl", "-o", "out.jsonl", "--resume")
    assert proc.returncode == 2
    assert b"nothing to finish" in proc.stderr and b"--overwrite" in proc.stderr


def test_row57_an_earlier_stdin_output_or_report_is_not_replaced_silently(tmp_path: Path) -> None:
    (tmp_path / "clean.txt").write_text("earlier\n", encoding="utf-8")
    proc = run(tmp_path, "clean", "-", "-o", "clean.txt", stdin=SEED.read_bytes())
    assert proc.returncode == 2 and b"--overwrite" in proc.stderr
    assert (tmp_path / "clean.txt").read_text(encoding="utf-8") == "earlier\n"
    (tmp_path / "r.jsonl").write_text("{}\n", encoding="utf-8")
    proc = run(tmp_path, "clean", "-", "--report", "r.jsonl", stdin=SEED.read_bytes())
    assert proc.returncode == 2 and proc.stdout == b""
    proc = run(tmp_path, "clean", "-", "-o", "clean.txt", "--overwrite", stdin=SEED.read_bytes())
    assert proc.returncode == 0 and (tmp_path / "clean.txt").read_bytes().startswith(b"ANCHORAGE")


# -- rows 58-60: dying workers, SIGTERM to the group, JSON Lines and SIGTERM ---------------------------


def inputs(root: Path, n: int) -> Path:
    root.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(n):
        (root / f"doc{i:04d}.txt").write_text(f"Story {i}.\n\n{text}", encoding="utf-8")
    return root


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def start(cwd: Path, *args: str, outputs: int, **popen: Any) -> subprocess.Popen[bytes]:
    """Start ``cleaner ARGS``; return once ``outputs`` files exist in ``out/``."""
    proc = subprocess.Popen(
        [cleaner_exe(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the run ended too soon: {proc.communicate()[1].decode()}")
        out = cwd / "out"
        if out.is_dir() and sum(n.startswith("doc") for n in os.listdir(out)) >= outputs:
            return proc
        time.sleep(0.002)
    proc.kill()
    pytest.fail("no outputs appeared")


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """300 inputs and what one uninterrupted run writes for them."""
    base = tmp_path_factory.mktemp("whole")
    inputs(base / "in", 300)
    assert run(base, "clean", "in", "-o", "out").returncode == 0
    return base / "in", {p.name: p.read_bytes() for p in sorted((base / "out").iterdir())}


def test_row58_a_dead_worker_ends_the_run_naming_its_documents(tmp_path: Path, whole: Any) -> None:
    shutil.copytree(whole[0], tmp_path / "in")
    proc = start(tmp_path, "clean", "in", "-o", "out", "-j", "2", outputs=10)
    workers = children(proc.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)  # what the OOM killer does
    _, stderr = proc.communicate(timeout=60)  # promptly: the parent does not wait forever
    assert proc.returncode == 5, stderr.decode()
    assert f"worker process {workers[0]} died (killed by signal 9) while cleaning in/doc".encode() in stderr
    assert b"--resume" in stderr
    out = tmp_path / "out"
    assert not temps(out)
    assert run(tmp_path, "clean", "in", "-o", "out", "--resume", "-j", "2").returncode == 0
    assert {p.name: p.read_bytes() for p in sorted(out.iterdir())} == whole[1]


def test_row59_sigterm_to_the_process_group_is_sigterm_to_the_run(tmp_path: Path, whole: Any) -> None:
    shutil.copytree(whole[0], tmp_path / "in")
    proc = start(tmp_path, "clean", "in", "-o", "out", "-j", "2", outputs=10, start_new_session=True)
    os.killpg(proc.pid, signal.SIGTERM)  # as systemd and shell job control send it
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr.decode()
    assert b"interrupted after" in stderr and b"--resume" in stderr
    out = tmp_path / "out"
    records = (out / "report.jsonl").read_bytes()
    assert records.endswith(b"\n") and 0 < records.count(b"\n") < 300
    assert not temps(out)
    assert run(tmp_path, "clean", "in", "-o", "out", "--resume", "-j", "2").returncode == 0
    assert {p.name: p.read_bytes() for p in sorted(out.iterdir())} == whole[1]


def test_row60_jsonl_stopped_by_sigterm_leaves_nothing(tmp_path: Path) -> None:
    jsonl_of(tmp_path / "docs.jsonl", 4000)
    proc = subprocess.Popen(
        [cleaner_exe(), "clean", "docs.jsonl", "-o", "out.jsonl"], cwd=tmp_path, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not temps(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr.decode()
    assert b"interrupted; nothing written" in stderr and b"Traceback" not in stderr
    assert not temps(tmp_path) and not (tmp_path / "out.jsonl").exists()


def test_row60_a_later_jsonl_run_removes_what_a_killed_one_left(tmp_path: Path) -> None:
    jsonl_of(tmp_path / "docs.jsonl", 2)
    stale = [tmp_path / ".out.jsonl.cleaner-999999.tmp", tmp_path / ".out.report.jsonl.cleaner-999999.tmp"]
    for path in stale:
        path.write_text("torn", encoding="utf-8")
    assert run(tmp_path, "clean", "docs.jsonl", "-o", "out.jsonl").returncode == 0
    assert not temps(tmp_path)


# -- rows 61-70: smaller defects -----------------------------------------------------------------------


def test_row61_a_rule_path_that_is_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "rules.toml")
    proc = run(tmp_path, "rules", "test", "--rules", "rules.toml", timeout=30)
    assert proc.returncode == 2
    assert b"rules.toml: -: -: not a regular file (a FIFO (named pipe))" in proc.stderr
    (tmp_path / "pack").mkdir()
    os.mkfifo(tmp_path / "pack" / "more.toml")
    proc = run(tmp_path, "rules", "list", "--rules", "pack", timeout=30)
    assert proc.returncode == 2 and b"more.toml: -: -: not a regular file" in proc.stderr


def test_row62_closed_standard_output_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        ["sh", "-c", f'"{cleaner_exe()}" clean - < "{SEED}" >&-'], capture_output=True, timeout=60
    )
    assert b"Traceback" not in proc.stderr and b"AttributeError" not in proc.stderr
    assert proc.returncode == 4 and b"closed" in proc.stderr


def test_row63_an_empty_rule_folder_alone_warns_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = run(tmp_path, "clean", "-", "--rules", "empty", "--no-default-rules", stdin=SEED.read_bytes())
    assert proc.returncode == 0
    assert b"warning: no rules loaded" in proc.stderr
    assert proc.stdout == SEED.read_bytes()  # I8


def test_row64_a_html_gz_that_is_not_gzip_is_a_decode_error(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(
        b"<html><body><article><p>" + b"A story of some words. " * 40 + b"</p></article></body></html>"
    )
    with pytest.raises(Unreadable) as e:
        read(page, ReadOptions())
    assert e.value.kind == "decode" and "not gzip" in str(e.value)
    (tmp_path / "in").mkdir()
    page.rename(tmp_path / "in" / "page.html.gz")
    proc = run(tmp_path, "clean", "in", "-o", "out")
    assert proc.returncode == 3
    rec = json.loads((tmp_path / "out" / "report.jsonl").read_text(encoding="utf-8"))
    assert rec["status"] == "error" and rec["error"].startswith("decode: not gzip")


def test_row65_a_second_sigint_with_workers_stops_at_once(tmp_path: Path) -> None:
    inputs(tmp_path / "in", 6)
    line = b"The council met on Tuesday to discuss the budget, and the mayor said it would pass.\n"
    for name in ("zz1_slow.txt", "zz2_slow.txt"):
        (tmp_path / "in" / name).write_bytes(line * (16 * 2**20 // len(line)))  # many seconds each
    proc = start(tmp_path, "clean", "in", "-o", "out", "-j", "2", outputs=6)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.1)
    stopped = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    # At once: well before the large documents in hand could have been cleaned.
    assert time.monotonic() - stopped < 5 and proc.returncode == 130, stderr.decode()
    assert not temps(tmp_path / "out") and not (tmp_path / "out" / "zz1_slow.txt").exists()


def test_row66_sigkill_of_the_parent_leaves_the_workers_quiet(tmp_path: Path) -> None:
    inputs(tmp_path / "in", 300)
    proc = start(tmp_path, "clean", "in", "-o", "out", "-j", "2", outputs=10)
    assert len(children(proc.pid)) == 2
    proc.kill()
    # The workers hold the same stderr: it ends only once they have gone too.
    _, stderr = proc.communicate(timeout=60)
    assert b"Traceback" not in stderr and b"BrokenPipeError" not in stderr, stderr.decode()


def test_row67_a_jsonl_byte_order_mark_comes_back(tmp_path: Path) -> None:
    body = json.dumps({"id": 1, "text": SEED.read_text(encoding="utf-8")}).encode() + b"\n"
    body += json.dumps({"id": 2, "text": "Nothing to remove here at all."}).encode() + b"\n"
    (tmp_path / "docs.jsonl").write_bytes(b"\xef\xbb\xbf" + body)
    assert run(tmp_path, "clean", "docs.jsonl", "-o", "out.jsonl").returncode == 0
    out = (tmp_path / "out.jsonl").read_bytes()
    assert out.startswith(b"\xef\xbb\xbf{") and out.count(b"\xef\xbb\xbf") == 1
    assert out.split(b"\n")[1] == body.split(b"\n")[1]  # untouched outside the cleaned field
    records = [
        json.loads(line) for line in (tmp_path / "out.report.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [r["bom"] for r in records] == [True, False]


# -- row 69: a page nested deeper than the second extractor can take -----------------------------


def test_row69_a_page_nested_deep_is_read_without_the_second_extractor(tmp_path: Path) -> None:
    # A menu and a short opening, then text 100,000 <div>s deep: trafilatura's text is a small
    # part of the page's, which is when the second extractor is asked. Its time grows with the
    # square of the nesting (minutes here), so it is not given the page.
    menu = b"".join(b'<li><a href="/s%d">Section number %d of the site</a></li>' % (i, i) for i in range(200))
    story = b"<p>" + b"A short opening paragraph of a page about the harbour. " * 3 + b"</p>"
    deep = b"<div>" * 100_000 + b"<p>" + b"Words deep inside the nesting of this page. " * 500 + b"</p>"
    (tmp_path / "in").mkdir()
    page = b"<html><body><nav><ul>" + menu + b"</ul></nav>" + story + deep + b"</body></html>"
    (tmp_path / "in" / "page.html").write_bytes(page)
    proc = run(tmp_path, "clean", "in", "-o", "out")
    assert proc.returncode == 0, proc.stderr.decode()
    rec = json.loads((tmp_path / "out" / "report.jsonl").read_text(encoding="utf-8"))
    assert rec["status"] == "ok"
    assert "A short opening paragraph" in (tmp_path / "out" / "page.txt").read_text(encoding="utf-8")


SLOWISH = """
[[rule]]
id = "t.shout"
category = "boilerplate"
description = "A line of lower-case words that ends in '!': linear, but slow on long lines."
line = '^(?:[a-z]+ )+[a-z]+!$'
examples.remove = ["stop right there!"]
examples.keep = ["Stop right there."]
"""


def test_row68_the_time_limit_grows_with_an_honest_document(tmp_path: Path) -> None:
    """An honest document three times the size the limit was set for is cleaned, not failed
    with rule_timeout: the limit grows with it. Under the old fixed limit the rule's one
    matching step had half of it, less than the document needs."""
    rules = tmp_path / "shout.toml"
    rules.write_text(SLOWISH, encoding="utf-8")
    line = "the council met on tuesday to discuss the budget for next year and the one after\n"
    million = line * (1_000_000 // len(line))
    probe = Cleaner(rule_paths=[rules], default_rules=False, doc_timeout=1000)
    start = time.process_time()
    probe.clean(million)
    per_million = time.process_time() - start
    cleaner = Cleaner(rule_paths=[rules], default_rules=False, doc_timeout=3 * per_million)
    result = cleaner.clean(million * 3)
    assert result.error is None and not result.warnings, (result.error, result.warnings)
    assert cleaner.clean(million * 3 + "no more budget talk!\n").spans  # the rule still runs
