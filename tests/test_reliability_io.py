"""Hostile inputs, one test (at least) per row of the bad-input matrix in shared/RELIABILITY.md.

Rows 1-19: what `cleaner clean` does with each kind of bad input file (decoding, sizes, HTML
without text, files that vanish, cannot be read, are not regular files or are symlinks).
Each test names its row. The last test is the issue's "done when": one directory holding
every one of these inputs at once, plus good files.

Most tests run the command in-process (typer's runner), so that faults can be injected with
monkeypatch; those that could hang run it in a subprocess with a timeout, and the
``timeout`` marks (pytest-timeout) stop any test that would.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import cleaner_exe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner import Cleaner, Result, Span, restore
from cleaner import discover as discover_module
from cleaner.batch import clean_job
from cleaner.cli import app
from cleaner.discover import Job
from cleaner.document import read_file
from cleaner.model import Category
from cleaner.read import DecodePolicy, decode, detect_encoding, extract_html
from cleaner.report import dumps

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("shared_cleaner")]

ONE = "The council met on Tuesday to discuss the budget for next year.\n"
TWO = "Officials said the vote would take place in the spring, after a public hearing.\n"
NOISE = "Sponsored message\n"  # a line the default rules remove (sponsored.label)
GERMAN = (
    "Die Bürgerinnen und Bürger der Stadt können sich über die neuen Öffnungszeiten der Bibliothek "
    "freuen. Außerdem wird die Straße vor dem Rathaus ab nächster Woche für den Verkehr gesperrt, "
    "weil die Bauarbeiten länger dauern als geplant.\n"
)
# Short German that cp775 (Baltic) also reads without a blemish: "ü" becomes "Ř" there.
GERMAN_SHORT = "Die Bürger sind grün.\n"


# -- helpers ------------------------------------------------------------------------------------


def clean_cli(*args: str | Path) -> Any:
    """``cleaner clean ARGS`` in-process; never a traceback (I10)."""
    # Paths under the current directory are given relative to it, as a user would type them.
    here = Path.cwd()
    shown = [os.path.relpath(a) if isinstance(a, Path) and a.is_relative_to(here) else str(a) for a in args]
    result = CliRunner().invoke(app, ["clean", *shown])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def read_report(path: Path) -> list[dict[str, Any]]:
    """The report's records; it must be valid JSONL that ends with a newline (I5)."""
    data = path.read_bytes().decode("utf-8")
    assert data == "" or data.endswith("\n")
    return [json.loads(line) for line in data.split("\n")[:-1]]


def by_name(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {Path(r["input"]).name: r for r in records}


def spans_of(rec: dict[str, Any]) -> list[Span]:
    return [
        Span(s["start"], s["end"], s["rule"], Category(s["category"]), s["text"], tuple(s["rules"]))
        for s in rec["removed"]
    ]


def snapshot(root: Path) -> dict[str, tuple[int, int, int, str | None]]:
    """Every entry under ``root`` (symlinks not followed, FIFOs not opened): mode, size,
    mtime_ns and, for regular files, sha256 (I4)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st_ = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if stat.S_ISREG(st_.st_mode) else None
            out[str(p.relative_to(root))] = (st_.st_mode, st_.st_size, st_.st_mtime_ns, digest)
    return out


@pytest.fixture
def src(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty input directory; the current directory is its parent."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "in"
    root.mkdir()
    return root


def one_file(src: Path, name: str, data: bytes, *args: str) -> tuple[Any, dict[str, Any], Path]:
    """Clean a directory holding ``name`` and a good file; return the run, the record of
    ``name`` and the output directory. The good file always comes through."""
    (src / name).write_bytes(data)
    (src / "good.txt").write_text(ONE + NOISE + TWO, encoding="utf-8")
    before = snapshot(src)
    out = src.parent / "out"
    result = clean_cli(src, "-o", out, *args)
    assert snapshot(src) == before  # I4
    records = by_name(read_report(out / "report.jsonl"))
    assert set(records) == {name, "good.txt"}
    assert records["good.txt"]["status"] == "ok"
    assert (out / "good.txt").read_text(encoding="utf-8") == ONE + TWO
    assert not list(out.rglob("*.tmp"))  # I7
    return result, records[name], out


# -- decoding: rows 1-11 ------------------------------------------------------------------------


def test_row01_empty_file_is_ok_with_an_empty_output(src: Path) -> None:
    result, rec, out = one_file(src, "empty.txt", b"")
    assert result.exit_code == 0, result.output
    assert rec["status"] == "ok" and rec["error"] is None
    assert rec["chars_in"] == rec["chars_out"] == 0 and rec["removed"] == []
    assert (out / "empty.txt").read_bytes() == b""  # I8


def test_row02_binary_file_with_a_text_extension(src: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4096)
    result, rec, out = one_file(src, "x.txt", png)
    assert result.exit_code == 3
    assert rec["status"] == "error" and rec["output"] is None
    assert rec["error"] == "binary: binary content (NUL byte at byte 8)"
    assert not (out / "x.txt").exists()
    assert "x.txt: binary" in result.stderr


def test_row03_nul_bytes_are_binary_unless_allowed(src: Path) -> None:
    text = ONE + NOISE + "a\x00b " + TWO
    result, rec, out = one_file(src, "nul.txt", text.encode("utf-8"))
    assert result.exit_code == 3
    assert rec["error"].startswith("binary: ") and f"byte {len(ONE + NOISE) + 1}" in rec["error"]

    result = clean_cli(src, "-o", src.parent / "out2", "--allow-nul")
    assert result.exit_code == 0, result.output
    rec = by_name(read_report(src.parent / "out2" / "report.jsonl"))["nul.txt"]
    assert rec["status"] == "ok"
    clean = (src.parent / "out2" / "nul.txt").read_bytes()
    assert clean == (ONE + "a\x00b " + TWO).encode("utf-8")
    assert restore(clean.decode("utf-8"), spans_of(rec)) == text  # I1


def test_row04_invalid_utf8_fails_with_the_byte_offset(src: Path) -> None:
    result, rec, out = one_file(src, "bad.txt", b"caf\xc3 x \xff")
    assert result.exit_code == 3
    assert rec["error"] == "decode: invalid UTF-8 at byte 3"
    assert rec["output"] is None and not (out / "bad.txt").exists()
    assert "bad.txt: decode: invalid UTF-8 at byte 3" in result.stderr


def test_row04_surrogateescape_round_trips_the_bytes(src: Path) -> None:
    data = ONE.encode() + b"caf\xc3 x \xff\n" + NOISE.encode() + b"\xfe\xed " + TWO.encode()
    result, rec, out = one_file(src, "bad.txt", data, "--encoding-errors", "surrogateescape")
    assert result.exit_code == 0, result.output
    assert rec["status"] == "ok" and rec["encoding"] == "utf-8"
    assert rec["encoding_errors"] == "surrogateescape"  # the report says so
    # Output bytes are the input bytes minus the removed line: the odd bytes are written back.
    assert (out / "bad.txt").read_bytes() == data.replace(NOISE.encode(), b"")
    original = data.decode("utf-8", "surrogateescape")
    clean = (out / "bad.txt").read_bytes().decode("utf-8", "surrogateescape")
    assert restore(clean, spans_of(rec)) == original  # I1 in the decoded space
    # The report stays valid UTF-8 JSON: lone surrogates are escaped in it.
    (out / "report.jsonl").read_bytes().decode("utf-8")


def test_row04_nothing_is_ever_replaced(src: Path) -> None:
    (src / "a.txt").write_bytes(b"caf\xc3 x \xff")
    result = clean_cli(src, "-o", src.parent / "out", "--encoding-errors", "replace")
    assert result.exit_code == 2
    assert "never replaced" in result.stderr
    assert not (src.parent / "out").exists()


def test_row05_utf8_bom_is_stripped_recorded_and_written_back(src: Path) -> None:
    text = ONE + NOISE + TWO
    result, rec, out = one_file(src, "bom.txt", codecs.BOM_UTF8 + text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert rec["bom"] is True and rec["encoding"] == "utf-8"
    (span,) = rec["removed"]
    assert (span["start"], span["end"]) == (len(ONE), len(ONE + NOISE))  # offsets exclude the BOM
    assert (out / "bom.txt").read_bytes() == codecs.BOM_UTF8 + (ONE + TWO).encode("utf-8")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_row06_utf16_and_utf32_with_a_bom(src: Path, codec: str) -> None:
    text = ONE + NOISE + "Grüße aus Köln — “quoted”.\n" + TWO
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(
        codec, codecs.BOM_UTF32_LE if codec == "utf-32-le" else codecs.BOM_UTF32_BE
    )
    result, rec, out = one_file(src, "wide.txt", bom + text.encode(codec))
    assert result.exit_code == 0, result.output
    assert rec["encoding"] == codec[:6] and rec["bom"] is True  # "utf-16" / "utf-32": from the BOM
    # Outputs are UTF-8 (documented); the text round-trips (I1 on text).
    clean = (out / "wide.txt").read_bytes().decode("utf-8")
    assert clean == ONE + "Grüße aus Köln — “quoted”.\n" + TWO
    assert restore(clean, spans_of(rec)) == text


def test_row07_latin1_fails_by_default(src: Path) -> None:
    result, rec, _ = one_file(src, "de.txt", GERMAN.encode("latin-1"))
    assert result.exit_code == 3
    first_umlaut = GERMAN.encode("latin-1").index("ü".encode("latin-1"))
    assert rec["error"] == f"decode: invalid UTF-8 at byte {first_umlaut}"


def test_row07_fallback_encoding_is_used_and_recorded(src: Path) -> None:
    result, rec, out = one_file(src, "de.txt", GERMAN.encode("latin-1"), "--fallback-encoding", "cp1252")
    assert result.exit_code == 0, result.output
    assert rec["status"] == "ok"
    assert rec["encoding"] == "cp1252" and rec["encoding_source"] == "fallback"
    assert (out / "de.txt").read_text(encoding="utf-8") == GERMAN
    # Only when strict UTF-8 fails: the good file's record says nothing of it.
    good = by_name(read_report(out / "report.jsonl"))["good.txt"]
    assert good["encoding"] == "utf-8" and "encoding_source" not in good


def test_row07_unknown_fallback_encoding_is_a_usage_error(src: Path) -> None:
    (src / "a.txt").write_text(ONE, encoding="utf-8")
    result = clean_cli(src, "-o", src.parent / "out", "--fallback-encoding", "no-such-codec")
    assert result.exit_code == 2 and "no-such-codec" in result.stderr
    assert not (src.parent / "out").exists()


def test_row07_detect_encoding_records_the_guess_and_its_confidence(src: Path) -> None:
    result, rec, out = one_file(src, "de.txt", GERMAN.encode("latin-1"), "--detect-encoding")
    assert result.exit_code == 0, result.output
    assert rec["encoding_source"] == "detected"
    assert 0.5 <= rec["encoding_confidence"] <= 1.0
    assert (out / "de.txt").read_text(encoding="utf-8") == GERMAN  # read right, whatever the label


def test_row07_regression_detect_encoding_never_silently_accepts_cp775(src: Path) -> None:
    """A short German latin-1 text decodes cleanly in cp775 too (``grün`` → ``grŘn``): the guess is
    ambiguous, so it fails with the confidence in the message instead of being accepted."""
    data = GERMAN_SHORT.encode("latin-1")
    found = detect_encoding(data)
    assert found is not None and found.confidence < 0.5
    assert "cp775" in (found.encoding, found.rival)
    result, rec, out = one_file(src, "de.txt", data, "--detect-encoding")
    assert result.exit_code == 3
    assert rec["status"] == "error" and rec["output"] is None
    assert rec["error"].startswith("decode: invalid UTF-8 at byte 5; detected ")
    assert "cp775" in rec["error"] and "confidence 0.00" in rec["error"] and "below 0.5" in rec["error"]
    # Lowering the bar is an explicit decision, and the record then says how sure it was.
    result = clean_cli(src, "-o", src.parent / "out2", "--detect-encoding", "--min-confidence", "0")
    rec = by_name(read_report(src.parent / "out2" / "report.jsonl"))["de.txt"]
    assert rec["encoding_source"] == "detected" and rec["encoding_confidence"] == 0.0


def test_row07_detection_is_ambiguous_when_a_rival_reads_differently() -> None:
    policy = DecodePolicy(detect=True)
    with pytest.raises(Exception) as e:
        decode(GERMAN_SHORT.encode("latin-1"), policy)
    assert "reads it differently" in str(e.value)
    assert decode(GERMAN.encode("latin-1"), policy).text == GERMAN


def test_row08_crlf_bytes_are_kept_and_a_removed_line_takes_its_crlf(src: Path) -> None:
    text = (ONE + "Photo: AP\n" + TWO).replace("\n", "\r\n")
    result, rec, out = one_file(src, "crlf.txt", text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert [s["text"] for s in rec["removed"]] == ["Photo: AP\r\n"]
    assert rec["newline"] == "\r\n"
    clean = (out / "crlf.txt").read_bytes()
    assert clean == (ONE + TWO).replace("\n", "\r\n").encode("utf-8")
    assert clean.count(b"\r") == clean.count(b"\r\n")  # no stray CR


def test_row09_lone_cr_and_mixed_newlines_are_kept_exactly(src: Path) -> None:
    data = b"a\rb\r\nc\n" + (ONE + NOISE + TWO).replace("\n", "\r").encode()
    result, rec, out = one_file(src, "mixed.txt", data)
    assert result.exit_code == 0, result.output
    assert rec["newline"] == "mixed"
    assert [s["text"] for s in rec["removed"]] == [NOISE.replace("\n", "\r")]  # \r ends a line
    assert (out / "mixed.txt").read_bytes() == data.replace(NOISE.replace("\n", "\r").encode(), b"")


PIECES = ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\r", "\n", "\r\n", "word ", "é", NOISE, ONE, "\ufeff"]
CLEANER = Cleaner()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_row10_unicode_separators_never_split_lines_and_bytes_round_trip(text: str) -> None:
    """U+2028, U+2029, U+0085 and form feeds are text: only removed spans change the bytes, and
    the report line of the document is one line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "doc.txt")
        path.write_bytes(text.encode("utf-8"))
        rec = clean_job(Job(path, str(path), Path(tmp, "out", "doc.txt")), CLEANER)
        line = dumps(rec)
        assert line.count("\n") == 1 and line.endswith("\n")
        assert json.loads(line) == rec
        assert rec["status"] == "ok", rec
        clean = Path(tmp, "out", "doc.txt").read_bytes()
    bom = "\ufeff" if rec["bom"] else ""
    body = text.removeprefix(bom)
    assert clean.startswith(bom.encode())
    assert restore(clean.decode("utf-8").removeprefix(bom), spans_of(rec)) == body
    # Only \r, \n and \r\n are line breaks.
    crlf = body.count("\r\n")
    kinds = {
        k for k, n in (("\n", body.count("\n") - crlf), ("\r\n", crlf), ("\r", body.count("\r") - crlf)) if n
    }
    assert rec["newline"] == (None if not kinds else kinds.pop() if len(kinds) == 1 else "mixed")


def write_single_line(path: Path, size: int) -> None:
    """``size`` bytes of words and no line break, written in 1 MiB pieces."""
    piece = (b"word " * (2**20 // 5 + 1))[: 2**20]
    with open(path, "wb") as f:
        for _ in range(size // len(piece)):
            f.write(piece)
        f.write(piece[: size % len(piece)])


def test_row11_a_100_mb_line_is_too_large_by_default_and_never_read(
    src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_single_line(src / "huge.txt", 100 * 10**6)
    (src / "good.txt").write_text(ONE + NOISE + TWO, encoding="utf-8")
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    result = clean_cli(src, "-o", src.parent / "out")
    assert result.exit_code == 3
    records = by_name(read_report(src.parent / "out" / "report.jsonl"))
    assert records["huge.txt"]["error"] == (
        "too_large: 100000000 bytes, larger than the limit of 67108864 bytes (--max-bytes)"
    )
    assert records["good.txt"]["status"] == "ok"
    assert max(reads) < 2**20  # the huge file was refused by its size, not read


def test_row11_single_line_under_and_over_max_bytes(src: Path) -> None:
    write_single_line(src / "big.txt", 3 * 2**20)
    write_single_line(src / "small.txt", 2**18)
    (src / "good.txt").write_text(ONE + NOISE + TWO, encoding="utf-8")
    result = clean_cli(src, "-o", src.parent / "out", "--max-bytes", "1M")
    assert result.exit_code == 3
    records = by_name(read_report(src.parent / "out" / "report.jsonl"))
    assert records["big.txt"]["error"].startswith(
        "too_large: 3145728 bytes, larger than the limit of 1048576"
    )
    assert records["small.txt"]["status"] == "ok" and records["small.txt"]["chars_in"] == 2**18
    assert records["good.txt"]["status"] == "ok"
    assert not (src.parent / "out" / "big.txt").exists()


def test_row11_a_file_that_grows_past_the_limit_while_read(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"a" * 100)
    with pytest.raises(Exception) as e:
        read_file(path, 99)
    assert getattr(e.value, "kind", None) == "too_large"
    assert read_file(path, 100) == b"a" * 100


# -- HTML: rows 12-14 ------------------------------------------------------------------------------

ARTICLE = (Path(__file__).resolve().parent.parent / "fixtures" / "html" / "article.html").read_bytes()


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"<div>" * 5000,
        b"<html><body>" + bytes(range(1, 32)) * 10 + b"</body></html>",  # control characters only
    ],
    ids=["empty", "nested-divs", "control-bytes"],
)
def test_row12_html_without_content_is_empty_extraction(src: Path, page: bytes) -> None:
    result, rec, out = one_file(src, "page.html", page)
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert rec["status"] == "empty_extraction" and rec["error"] is None and rec["output"] is None
    assert rec["warnings"] == ["empty_extraction: trafilatura found no article text"]
    assert rec["removed"] == [] and rec["extracted_sha256"] is None
    assert not (out / "page.txt").exists()
    assert "warning: in/page.html: empty_extraction" in result.stderr
    assert "1 empty extraction" in result.stderr
    # --strict makes it count
    result = clean_cli(src, "-o", src.parent / "strict", "--strict")
    assert result.exit_code == 3


def test_row12_binary_html_is_binary_not_empty(src: Path) -> None:
    """Decision: bytes with NULs are not a page at all; they fail as ``binary`` (an error)."""
    result, rec, _ = one_file(src, "page.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert result.exit_code == 3
    assert rec["status"] == "error" and rec["error"].startswith("binary: ")


def test_row13_html_holding_plain_text(src: Path) -> None:
    text = "Just text\n" * 50
    result, rec, out = one_file(src, "plain.html", text.encode())
    assert result.exit_code == 0
    assert rec["status"] == "empty_extraction" and rec["format"] == "html"

    result = clean_cli(src, "-o", src.parent / "fallback", "--html-fallback", "text")
    assert result.exit_code == 0, result.output
    rec = by_name(read_report(src.parent / "fallback" / "report.jsonl"))["plain.html"]
    assert rec["status"] == "ok" and rec["format"] == "text" and rec["output"]
    assert rec["warnings"] == ["html_fallback: trafilatura found no article text; cleaned as text"]
    clean = (src.parent / "fallback" / "plain.txt").read_text(encoding="utf-8")
    assert restore(clean, spans_of(rec)) == text


def test_row14_extraction_that_changes_characters(src: Path) -> None:
    """trafilatura composes ``A\\u0308`` to ``Ä`` and drops ``\\x1d``: the spans index its text, whose
    hash the record keeps, not the page."""
    odd = "Paragraph {i}: the A\u0308ffin case and a \x1d control, with enough words to be kept here."
    body = "".join(f"<p>{odd.format(i=i)}</p>" for i in range(2))
    anchor = b"<p>Engineers replaced"
    page = ARTICLE.replace(anchor, b"<p>Sponsored message</p>" + body.encode() + anchor)
    result, rec, out = one_file(src, "page.html", page)
    assert result.exit_code == 0, result.output
    extracted = extract_html(page).text
    assert "A\u0308" not in extracted and "\x1d" not in extracted and "Äffin" in extracted
    assert rec["extracted_sha256"] == hashlib.sha256(extracted.encode("utf-8")).hexdigest()
    assert rec["chars_in"] == len(extracted)
    clean = (out / "page.txt").read_text(encoding="utf-8")
    assert restore(clean, spans_of(rec)) == extracted  # I1 on the extracted text
    prev = 0
    for s in rec["removed"]:  # I2
        assert prev <= s["start"] < s["end"] <= len(extracted)
        assert extracted[s["start"] : s["end"]] == s["text"]
        prev = s["end"]
    assert any(s["text"].startswith("Sponsored message") for s in rec["removed"])


# -- the file system: rows 15-19 -------------------------------------------------------------------


def test_row15_file_vanishing_after_listing(src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.txt", "gone.txt", "z.txt"):
        (src / name).write_text(ONE, encoding="utf-8")
    real_discover = discover_module.discover

    def discover_then_delete(*args: Any, **kwargs: Any) -> list[Job]:
        jobs = real_discover(*args, **kwargs)
        (src / "gone.txt").unlink()
        return jobs

    monkeypatch.setattr(discover_module, "discover", discover_then_delete)
    result = clean_cli(src, "-o", src.parent / "out")
    assert result.exit_code == 3
    records = by_name(read_report(src.parent / "out" / "report.jsonl"))
    assert list(records) == ["a.txt", "gone.txt", "z.txt"]
    assert records["gone.txt"]["error"] == "vanished: file vanished before it could be read"
    assert records["a.txt"]["status"] == records["z.txt"]["status"] == "ok"
    assert "in/gone.txt: vanished" in result.stderr


def test_row16_unreadable_file(src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``chmod 000`` means nothing to root, so ``open`` is made to refuse."""
    for name in ("a.txt", "locked.txt"):
        (src / name).write_text(ONE, encoding="utf-8")
    real_open = os.open

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path).endswith("locked.txt"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    result = clean_cli(src, "-o", src.parent / "out")
    assert result.exit_code == 3
    records = by_name(read_report(src.parent / "out" / "report.jsonl"))
    assert records["locked.txt"]["error"] == "permission: permission denied"
    assert records["a.txt"]["status"] == "ok"
    assert "in/locked.txt: permission: permission denied" in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to drop to nobody")
def test_row16_unreadable_file_for_real_as_an_unprivileged_user() -> None:
    """Root reads anything, so a subprocess drops to ``nobody`` and meets a ``chmod 000`` file."""
    top = Path(tempfile.mkdtemp(prefix="cleaner-eacces-"))
    try:
        top.chmod(0o777)
        (top / "in").mkdir(mode=0o755)
        (top / "in" / "locked.txt").write_text(ONE, encoding="utf-8")
        (top / "in" / "locked.txt").chmod(0)
        (top / "in" / "open.txt").write_text(ONE, encoding="utf-8")
        code = (
            "import os, sys; os.setgid(65534); os.setuid(65534); "
            "from cleaner.cli import main; sys.argv = ['cleaner', 'clean', 'in', '-o', 'out']; main()"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=top, capture_output=True, text=True, timeout=60
        )
        if not (top / "out" / "report.jsonl").exists():
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            pytest.skip(f"the unprivileged user cannot run cleaner here ({last})")
        assert proc.returncode == 3, proc.stderr
        assert "Traceback" not in proc.stderr
        records = by_name(read_report(top / "out" / "report.jsonl"))
        assert records["locked.txt"]["error"] == "permission: permission denied"
        assert records["open.txt"]["status"] == "ok"
    finally:
        shutil.rmtree(top)


def make_special_files(root: Path) -> list[str]:
    """A FIFO, a socket and (as root) a character device, each named like a text input."""
    names = ["fifo.txt"]
    os.mkfifo(root / "fifo.txt")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(root / "sock.txt"))
        names.append("sock.txt")
    except OSError:  # a path too long for AF_UNIX
        pass
    finally:
        sock.close()
    try:
        os.mknod(root / "dev.txt", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
        names.append("dev.txt")
    except (PermissionError, OSError):
        pass
    return names


def test_row17_fifo_socket_device_are_skipped_and_never_opened(
    src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    special = make_special_files(src)
    (src / "good.txt").write_text(ONE + NOISE + TWO, encoding="utf-8")
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(os.fspath(p)) or real_open(p, *a, **k))
    before = snapshot(src)
    result = clean_cli(src, "-o", src.parent / "out")
    assert result.exit_code == 0, result.output  # skipping is a warning; --strict makes it 3
    assert snapshot(src) == before
    records = by_name(read_report(src.parent / "out" / "report.jsonl"))
    assert set(records) == {*special, "good.txt"}
    for name in special:
        rec = records[name]
        assert rec["status"] == "skipped" and rec["output"] is None and rec["error"] is None
        (warning,) = rec["warnings"]
        assert warning.startswith("not_regular: a ") and warning.endswith("; not opened")
        assert not any(p.endswith(name) for p in opened)
    assert records["fifo.txt"]["warnings"] == ["not_regular: a FIFO (named pipe); not opened"]
    assert "warning: in/fifo.txt: not_regular" in result.stderr
    assert f"{len(special)} skipped" in result.stderr
    assert clean_cli(src, "-o", src.parent / "strict", "--strict").exit_code == 3


def test_row17_fifo_in_a_subprocess_does_not_hang(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    os.mkfifo(src / "fifo.txt")
    os.mkfifo(src / "fifo2.html")
    (src / "good.txt").write_text(ONE, encoding="utf-8")
    proc = subprocess.run(
        [cleaner_exe(), "clean", "in", "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,  # a FIFO opened for reading would block here for ever
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert [r["status"] for r in read_report(tmp_path / "out" / "report.jsonl")] == [
        "skipped",
        "skipped",
        "ok",
    ]


def test_row17_a_file_swapped_for_a_fifo_after_listing_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    os.mkfifo(path)
    with pytest.raises(Exception) as e:
        read_file(path, 1000)  # opened non-blocking, then refused by fstat
    assert getattr(e.value, "kind", None) == "not_regular"


@pytest.fixture
def loop_tree(src: Path) -> Path:
    (src / "sub").mkdir()
    (src / "sub" / "a.txt").write_text(ONE, encoding="utf-8")
    (src / "top.txt").write_text(TWO, encoding="utf-8")
    (src / "sub" / "loop").symlink_to("..")
    return src


def test_row18_symlink_loop_is_not_followed_by_default(loop_tree: Path) -> None:
    result = clean_cli(loop_tree, "-o", loop_tree.parent / "out")
    assert result.exit_code == 0, result.output
    records = read_report(loop_tree.parent / "out" / "report.jsonl")
    assert [(r["input"], r["status"]) for r in records] == [
        ("in/sub/a.txt", "ok"),
        ("in/sub/loop", "skipped"),
        ("in/top.txt", "ok"),
    ]
    loop = records[1]
    assert loop["format"] is None and loop["realpath"] == str(loop_tree.resolve())
    assert loop["warnings"][0].startswith("symlink_dir: a symlink to the directory ")
    assert "--follow-symlinks" in loop["warnings"][0]


def test_row18_follow_symlinks_breaks_the_loop_with_a_warning(loop_tree: Path) -> None:
    (loop_tree.parent / "elsewhere").mkdir()
    (loop_tree.parent / "elsewhere" / "far.txt").write_text(ONE, encoding="utf-8")
    (loop_tree / "link").symlink_to(loop_tree.parent / "elsewhere")
    result = clean_cli(loop_tree, "-o", loop_tree.parent / "out", "--follow-symlinks")
    assert result.exit_code == 0, result.output
    records = read_report(loop_tree.parent / "out" / "report.jsonl")
    assert [(r["input"], r["status"]) for r in records] == [
        ("in/link/far.txt", "ok"),  # a symlinked directory outside the tree is followed
        ("in/sub/a.txt", "ok"),
        ("in/sub/loop", "skipped"),
        ("in/top.txt", "ok"),
    ]
    assert records[2]["warnings"][0].startswith("symlink_loop: leads to ")
    assert "warning: in/sub/loop: symlink_loop" in result.stderr
    assert (loop_tree.parent / "out" / "link" / "far.txt").read_text(encoding="utf-8") == ONE


def test_row19_symlinked_file_outside_the_tree(src: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(TWO, encoding="utf-8")
    (src / "x.txt").symlink_to(outside)
    (src / "alias.txt").symlink_to("good.txt")  # inside the tree: read, target recorded
    (src / "good.txt").write_text(ONE, encoding="utf-8")
    before = snapshot(tmp_path)
    result = clean_cli(src, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    records = by_name(read_report(tmp_path / "out" / "report.jsonl"))
    assert records["x.txt"]["status"] == "skipped" and records["x.txt"]["realpath"] == str(outside)
    assert records["x.txt"]["warnings"][0].startswith("symlink_outside: points outside the input directory")
    assert "warning: in/x.txt: symlink_outside" in result.stderr
    assert not (tmp_path / "out" / "x.txt").exists()
    assert records["alias.txt"]["status"] == "ok"
    assert records["alias.txt"]["realpath"] == str((src / "good.txt").resolve())

    result = clean_cli(src, "-o", tmp_path / "out2", "--follow-symlinks")
    assert result.exit_code == 0, result.output
    rec = by_name(read_report(tmp_path / "out2" / "report.jsonl"))["x.txt"]
    assert rec["status"] == "ok" and rec["realpath"] == str(outside)
    assert (tmp_path / "out2" / "x.txt").read_text(encoding="utf-8") == TWO
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("out")} == {
        k: v for k, v in before.items() if not k.startswith("out")
    }  # I4: the target outside the tree is untouched too


def test_row19_broken_symlink_is_skipped(src: Path) -> None:
    (src / "dead.txt").symlink_to(src / "nowhere.txt")
    (src / "good.txt").write_text(ONE, encoding="utf-8")
    result = clean_cli(src, "-o", src.parent / "out")
    assert result.exit_code == 0, result.output
    records = by_name(read_report(src.parent / "out" / "report.jsonl"))
    assert records["dead.txt"]["status"] == "skipped"
    assert records["dead.txt"]["warnings"][0].startswith("broken_symlink: ")
    assert records["good.txt"]["status"] == "ok"


# -- done when: every bad input at once ------------------------------------------------------------


def build_bad_tree(root: Path) -> dict[str, str]:
    """Every bad input of rows 1-19 in one directory, plus good files; name → expected status
    (or error kind)."""
    text = ONE + NOISE + TWO
    files: dict[str, bytes] = {
        "good1.txt": text.encode(),
        "good2.text": (ONE + TWO).encode(),
        "good3.html": ARTICLE,
        "r01_empty.txt": b"",
        "r02_binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2048),
        "r03_nul.txt": ("a\x00b " + text).encode(),
        "r04_invalid.txt": b"caf\xc3 x \xff",
        "r05_bom.txt": codecs.BOM_UTF8 + text.encode(),
        "r06_utf16.txt": text.encode("utf-16"),
        "r07_latin1.txt": GERMAN.encode("latin-1"),
        "r08_crlf.txt": (ONE + "Photo: AP\n" + TWO).replace("\n", "\r\n").encode(),
        "r09_mixed.txt": b"a\rb\r\nc\n",
        "r10_separators.txt": (ONE + "x\u2028y\x85z\x0c\n" + text).encode(),
        "r12_empty.html": b"<html><body></body></html>",
        "r13_plain.html": b"Just text\n" * 50,
        "r14_odd.html": ARTICLE.replace(b"<p>Engineers", "<p>A\u0308ffin \x1d</p><p>Engineers".encode()),
        "r15_vanishing.txt": text.encode(),
        "r16_locked.txt": text.encode(),
        "sub/deeper/good4.txt": text.encode(),
        "non-utf8-name-\udcff.txt": text.encode("utf-8"),
        "non-utf8-name-\udcfe-bad.txt": b"caf\xc3 x",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    write_single_line(root / "r11_huge.txt", 3 * 2**20)
    special = make_special_files(root)  # row 17
    (root / "sub" / "loop").symlink_to("..")  # row 18
    outside = root.parent / "outside.txt"
    outside.write_text(ONE, encoding="utf-8")
    (root / "r19_outside.txt").symlink_to(outside)  # row 19
    expected = {name: "ok" for name in files}
    expected.update(
        {
            "r02_binary.txt": "binary",
            "r03_nul.txt": "binary",
            "r04_invalid.txt": "decode",
            "non-utf8-name-\udcfe-bad.txt": "decode",
            "r07_latin1.txt": "decode",
            "r11_huge.txt": "too_large",
            "r12_empty.html": "empty_extraction",
            "r13_plain.html": "empty_extraction",
            "r15_vanishing.txt": "vanished",
            "r16_locked.txt": "permission",
            "sub/loop": "skipped",
            "r19_outside.txt": "skipped",
            **{name: "skipped" for name in special},
        }
    )
    return expected


def test_done_when_one_directory_holding_every_bad_input(src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's "done when": every good file processed, one record per input, exit 3."""
    expected = build_bad_tree(src)
    real_discover, real_open = discover_module.discover, os.open

    def discover_then_delete(*args: Any, **kwargs: Any) -> list[Job]:
        jobs = real_discover(*args, **kwargs)
        (src / "r15_vanishing.txt").unlink()  # row 15
        return jobs

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path).endswith("r16_locked.txt"):  # row 16
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    before = snapshot(src)
    monkeypatch.setattr(discover_module, "discover", discover_then_delete)
    monkeypatch.setattr(os, "open", refuse)
    out = src.parent / "out"
    result = clean_cli(src, "-o", out, "--max-bytes", "1M")
    del before["r15_vanishing.txt"]
    assert snapshot(src) == before  # I4: every other entry untouched, nothing new
    assert result.exit_code == 3, result.output
    records = read_report(out / "report.jsonl")
    got = {str(Path(r["input"]).relative_to("in")): r for r in records}
    assert len(records) == len(got) == len(expected)  # one record per input, no more
    assert set(got) == set(expected)
    for name, want in expected.items():
        rec = got[name]
        if want in ("ok", "skipped", "empty_extraction"):
            assert rec["status"] == want, rec
        else:
            assert rec["status"] == "error" and rec["error"].startswith(want + ": "), rec
        if rec["status"] == "ok":  # every good file processed and replays (I1)
            output = Path(rec["output"])
            assert output.is_file() and rec["chars_out"] is not None
        else:
            assert rec["output"] is None
    # The summary counts match the records (I3), and every problem is named with its path.
    errors = sum(r["status"] == "error" for r in records)
    assert f", {errors} errors" in result.stderr
    for rec in records:
        if rec["error"]:
            shown = rec["input"].encode("utf-8", "backslashreplace").decode()  # \udcXX, as in the report
            assert f"{shown}: {rec['error']}" in result.stderr
    assert not list(out.rglob("*.tmp"))
    assert "\udcff" in "".join(r["input"] for r in records)  # an undecodable file name survives


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", "\u2028", "\u2029", "\udc80", "😀", '"', "\\", "\n"]), max_size=8))
def test_a_record_with_many_spans_is_encoded_piece_by_piece_to_the_same_bytes(pieces: list[str]) -> None:
    """A record with more spans than are encoded at once gives the bytes ``dumps`` gives:
    separators and lone surrogates escaped, one line."""
    from cleaner import report

    noise = "".join(pieces) + "x\n"
    n = report._SPANS_AT_ONCE + 7
    text = noise * n
    spans = tuple(
        Span(k * len(noise), (k + 1) * len(noise), "t.rule", Category.BOILERPLATE, noise) for k in range(n)
    )
    result = Result("", spans)
    rec = report.record(input="in.txt", output="out.txt", original=text, result=result)
    assert len(rec["removed"]) > report._SPANS_AT_ONCE
    line = report.report_line(rec)
    assert line == dumps(rec).encode("utf-8")
    assert line.count(b"\n") == 1 and json.loads(line) == rec
