"""The installed ``cleaner`` command, run in a subprocess: exit codes, outputs, the report,
and that inputs are never touched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import load_rules

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CLEAN_SEEDS = ("000_d6ab147d38374456", "001_559ee118a6d98f42", "003_fe369d693a17cf56")
CHECK_REPORT = Path("/work/shared/tools/check_report.py")
RECORD_KEYS = {"schema", "input", "output", "status", "format", "encoding", "removed", "error"}
PROBLEM_LINE = re.compile(r"^\s*(?P<file>\S[^:]*): (?P<rule>[^:\s]+): (?P<field>[^:\s]+): (?P<message>.+)$")


def cleaner_exe() -> str:
    found = shutil.which("cleaner")
    if found:
        return found
    beside = Path(sys.executable).parent / "cleaner"
    if beside.exists():
        return str(beside)
    pytest.skip("the cleaner command is not installed")


def run(
    *args: str | Path, cwd: Path | None = None, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # A wide, plain terminal so that rich does not fold rule ids or add colour codes.
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb", **(env_extra or {})}
    return subprocess.run(
        [cleaner_exe(), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root``: its bytes and mtime (I4)."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def read_report(path: Path) -> list[dict]:
    data = path.read_text(encoding="utf-8")
    assert data.endswith("\n")
    return [json.loads(line) for line in data.split("\n")[:-1]]


ONE = "The council met on Tuesday to discuss the budget for next year.\n"
TWO = "Officials said the vote would take place in the spring, after a public hearing.\n"

RULE_X = """
[[rule]]
id = "user.marker"
category = "boilerplate"
description = "Lines that are only the test marker."
phrases = ["ZZZ-MARKER"]
examples.remove = ["ZZZ-MARKER"]
examples.keep = ["A line that mentions ZZZ-MARKER in passing."]
"""


# -- the seeds ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    """``cleaner clean seeds/ -o OUT`` once, with the seeds snapshotted before and after."""
    out = tmp_path_factory.mktemp("seeds-run") / "out"
    before = snapshot(SEEDS)
    proc = run("clean", SEEDS, "-o", out)
    after = snapshot(SEEDS)
    return proc, out, before, after


def test_clean_seeds_exits_0_and_writes_everything(seeds_run) -> None:
    proc, out, _, _ = seeds_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    inputs = sorted(SEEDS.glob("*.txt"))
    assert len(inputs) == 5
    assert sorted(p.name for p in out.iterdir()) == sorted([*(p.name for p in inputs), "report.jsonl"])


def test_seeds_report_has_one_record_per_input_in_order(seeds_run) -> None:
    _, out, _, _ = seeds_run
    records = read_report(out / "report.jsonl")
    assert [Path(r["input"]).name for r in records] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for rec in records:
        assert set(rec) >= RECORD_KEYS, rec.keys()
        assert rec["status"] == "ok" and rec["error"] is None
        assert rec["format"] == "text" and rec["encoding"] == "utf-8"
        assert Path(rec["output"]).resolve() == (out / Path(rec["input"]).name).resolve()
        # The report replays against the files on disk (I1, I3), checked here too.
        original = Path(rec["input"]).read_text(encoding="utf-8")
        clean = Path(rec["output"]).read_text(encoding="utf-8")
        spans = rec["removed"]
        assert len(clean) == len(original) - sum(s["end"] - s["start"] for s in spans)
        for s in spans:
            assert original[s["start"] : s["end"]] == s["text"]


def test_clean_seeds_come_out_byte_identical(seeds_run) -> None:
    _, out, _, _ = seeds_run
    for stem in CLEAN_SEEDS:
        assert (out / f"{stem}.txt").read_bytes() == (SEEDS / f"{stem}.txt").read_bytes()
    records = {Path(r["input"]).stem: r for r in read_report(out / "report.jsonl")}
    assert all(records[stem]["removed"] == [] for stem in CLEAN_SEEDS)
    # The two noisy seeds do lose something.
    assert records["004_3e424eb520665100"]["removed"] and records["002_9628709f8aff7fc1"]["removed"]


def test_seeds_are_untouched(seeds_run) -> None:
    _, _, before, after = seeds_run
    assert before == after


def test_independent_report_checker_accepts_the_report(seeds_run) -> None:
    if not CHECK_REPORT.exists():
        pytest.skip(f"{CHECK_REPORT} not found")
    _, out, _, _ = seeds_run
    proc = subprocess.run(
        [sys.executable, str(CHECK_REPORT), str(out / "report.jsonl"), "--cwd", str(out.parent)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "records=5 restored_ok=5 span_errors=0" in proc.stdout


# -- refusing to start -----------------------------------------------------------------------


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy2(p, root / p.name)
    return root


def test_output_dir_equal_to_input_dir_is_refused(inputs: Path) -> None:
    before = snapshot(inputs)
    proc = run("clean", inputs, "-o", inputs)
    assert proc.returncode == 2
    assert str(inputs) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(inputs) == before


def test_output_dir_inside_input_dir_is_refused(inputs: Path) -> None:
    before = snapshot(inputs)
    out = inputs / "clean"
    proc = run("clean", inputs, "-o", out)
    assert proc.returncode == 2
    assert str(out) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert snapshot(inputs) == before


def test_missing_input_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    out = tmp_path / "out"
    proc = run("clean", missing, "-o", out)
    assert proc.returncode == 2
    assert str(missing) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_bad_rule_file_is_refused_with_located_problems(inputs: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        RULE_X.replace("phrases", "phrasse")
        + RULE_X.replace("user.marker", "user.regex").replace(
            'phrases = ["ZZZ-MARKER"]', "line = '(unclosed'"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    proc = run("clean", inputs, "-o", out, "--rules", bad)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    located = [m for m in map(PROBLEM_LINE.match, proc.stderr.splitlines()) if m]
    got = {(Path(m["file"]).name, m["rule"], m["field"]) for m in located}
    assert ("bad.toml", "user.marker", "phrasse") in got
    assert ("bad.toml", "user.regex", "line") in got
    assert not out.exists()


def test_syntax_error_in_rule_file_is_refused(inputs: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text('[[rule]]\nid = "user.x\n', encoding="utf-8")
    proc = run("clean", inputs, "-o", tmp_path / "out", "--rules", bad)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "broken.toml" in proc.stderr
    assert re.search(r"line 2, column \d+", proc.stderr), proc.stderr


def test_no_default_rules_uses_only_the_given_rules(tmp_path: Path) -> None:
    rules = tmp_path / "x.toml"
    rules.write_text(RULE_X, encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Sponsored message\nZZZ-MARKER\n" + ONE, encoding="utf-8")
    out = tmp_path / "out"
    proc = run("clean", src, "-o", out, "--no-default-rules", "--rules", rules)
    assert proc.returncode == 0, proc.stderr
    assert (out / "a.txt").read_text(encoding="utf-8") == "Sponsored message\n" + ONE
    (rec,) = read_report(out / "report.jsonl")
    assert [s["rule"] for s in rec["removed"]] == ["user.marker"]
    # With the defaults as well, the sponsored label goes too.
    out2 = tmp_path / "out2"
    proc = run("clean", src, "-o", out2, "--rules", rules)
    assert proc.returncode == 0, proc.stderr
    assert (out2 / "a.txt").read_text(encoding="utf-8") == ONE


def test_no_default_rules_without_rules_is_a_usage_error(inputs: Path, tmp_path: Path) -> None:
    proc = run("clean", inputs, "-o", tmp_path / "out", "--no-default-rules")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


# -- bad documents among good ones -----------------------------------------------------------


def test_bad_documents_fail_alone(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    good_a = ONE + "Sponsored message\n" + TWO
    good_d = "Another clean story, which stays as it is.\n"
    (src / "a.txt").write_text(good_a, encoding="utf-8")
    (src / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (src / "c.txt").write_bytes(b"caf\xc3 x \xff")
    (src / "d.txt").write_text(good_d, encoding="utf-8")
    before = snapshot(src)
    out = tmp_path / "out"
    proc = run("clean", src, "-o", out)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "b.txt" in proc.stderr and "c.txt" in proc.stderr
    assert (out / "a.txt").read_text(encoding="utf-8") == ONE + TWO
    assert (out / "d.txt").read_bytes() == good_d.encode("utf-8")
    assert not (out / "b.txt").exists() and not (out / "c.txt").exists()
    records = read_report(out / "report.jsonl")
    assert [Path(r["input"]).name for r in records] == ["a.txt", "b.txt", "c.txt", "d.txt"]
    by_name = {Path(r["input"]).name: r for r in records}
    assert by_name["a.txt"]["error"] is None and by_name["d.txt"]["error"] is None
    assert by_name["a.txt"]["status"] == "ok"
    assert by_name["b.txt"]["error"].startswith("binary")
    assert by_name["c.txt"]["error"].startswith("decode")
    assert "byte 3" in by_name["c.txt"]["error"]
    for name in ("b.txt", "c.txt"):
        assert by_name[name]["status"] == "error"
        assert by_name[name]["output"] is None
        assert by_name[name]["removed"] == []
    assert snapshot(src) == before
    assert not list(out.rglob("*.tmp"))


# -- paths -----------------------------------------------------------------------------------


def test_file_argument_maps_to_its_name_with_txt(tmp_path: Path) -> None:
    story = tmp_path / "story.text"
    story.write_text(ONE + "Subscribe\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run("clean", story, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert (out / "story.txt").read_text(encoding="utf-8") == ONE
    assert sorted(p.name for p in out.iterdir()) == ["report.jsonl", "story.txt"]


def test_nested_directories_are_mirrored(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "a" / "c").mkdir(parents=True)
    (src / "a" / "b.text").write_text(ONE, encoding="utf-8")
    (src / "a" / "c" / "d.txt").write_text(TWO, encoding="utf-8")
    (src / "top.txt").write_text(ONE + TWO, encoding="utf-8")
    (src / "notes.md").write_text("Not a text input.\n", encoding="utf-8")
    before = snapshot(src)
    out = tmp_path / "out"
    proc = run("clean", src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(["a/b.txt", "a/c/d.txt", "top.txt", "report.jsonl"])
    assert (out / "a" / "b.txt").read_text(encoding="utf-8") == ONE
    assert (out / "a" / "c" / "d.txt").read_text(encoding="utf-8") == TWO
    assert len(read_report(out / "report.jsonl")) == 3
    assert snapshot(src) == before


def test_report_option_puts_the_report_elsewhere(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(ONE, encoding="utf-8")
    out = tmp_path / "out"
    report = tmp_path / "elsewhere" / "r.jsonl"
    proc = run("clean", story, "-o", out, "--report", report)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "report.jsonl").exists()
    (rec,) = read_report(report)
    assert Path(rec["input"]).name == "story.txt"


# -- the other commands ----------------------------------------------------------------------


def test_explain_shows_rule_ids() -> None:
    proc = run("explain", SEEDS / "004_3e424eb520665100.txt")
    assert proc.returncode == 0, proc.stderr
    for rid in ("credits.split-credit", "donation.appeal"):
        assert rid in proc.stdout
    # The kept story is shown too.
    assert "ANCHORAGE, Alaska" in proc.stdout


def test_explain_missing_file() -> None:
    proc = run("explain", SEEDS / "nope.txt")
    assert proc.returncode == 2
    assert "nope.txt" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rules_list_lists_every_rule_id() -> None:
    proc = run("rules", "list")
    assert proc.returncode == 0, proc.stderr
    ids = [r.id for r in load_rules()]
    assert ids
    for rid in ids:
        assert rid in proc.stdout


def test_rules_list_and_explain_show_brackets_as_written(tmp_path: Path) -> None:
    # Rule text is shown as it is: a '[/button]' in a description is no console markup.
    rules = tmp_path / "[x].toml"
    rules.write_text(
        RULE_X.replace("the test marker.", "the test marker, as in '[button]x[/button]' or [bold]."),
        encoding="utf-8",
    )
    proc = run("rules", "list", "--no-default-rules", "--rules", rules)
    assert proc.returncode == 0, proc.stderr
    assert "'[button]x[/button]' or [bold]." in proc.stdout
    assert "[x].toml" in proc.stdout
    doc = tmp_path / "[doc].txt"
    doc.write_text("Story.\nZZZ-MARKER\n", encoding="utf-8")
    proc = run("explain", doc, "--no-default-rules", "--rules", rules)
    assert proc.returncode == 0, proc.stderr
    assert "[doc].txt" in proc.stdout


def test_rules_list_with_user_rules_only(tmp_path: Path) -> None:
    rules = tmp_path / "x.toml"
    rules.write_text(RULE_X, encoding="utf-8")
    proc = run("rules", "list", "--no-default-rules", "--rules", rules)
    assert proc.returncode == 0, proc.stderr
    assert "user.marker" in proc.stdout
    assert "donation.appeal" not in proc.stdout


def test_rules_list_prefilter_shows_what_each_rule_needs_on_a_line(tmp_path: Path) -> None:
    rules = tmp_path / "p.toml"
    rules.write_text(
        """
[[rule]]
id = "user.photo"
category = "credit"
description = "Photo lines."
line = '^Photo\\s+by\\s+\\w+$'
examples.remove = ["Photo by Jane"]
examples.keep = ["A photo of Jane"]

[[rule]]
id = "user.dashes"
category = "boilerplate"
description = "Rows of dashes."
line = '^\\W+$'
examples.remove = ["-----"]
examples.keep = ["Text"]
""",
        encoding="utf-8",
    )
    proc = run("rules", "list", "--prefilter", "--no-default-rules", "--rules", rules)
    assert proc.returncode == 0, proc.stderr
    rows = {ln.split()[1]: ln for ln in proc.stdout.splitlines() if "user." in ln}
    assert "'photo'" in rows["user.photo"]
    assert "every line" in rows["user.dashes"]
    assert "Photo lines." not in proc.stdout  # the column replaces the description


def test_rules_test_passes_on_the_defaults() -> None:
    proc = run("rules", "test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout + proc.stderr


def test_rules_test_fails_naming_the_rule_with_a_wrong_example(tmp_path: Path) -> None:
    rules = tmp_path / "wrong.toml"
    rules.write_text(
        RULE_X.replace('examples.remove = ["ZZZ-MARKER"]', 'examples.remove = ["ZZZ-MARKER", "YYY-OTHER"]'),
        encoding="utf-8",
    )
    proc = run("rules", "test", "--rules", rules)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    # Only the user's rule is judged here; the shipped packs have their own test.
    fails = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "FAIL" in ln and "user.marker" in ln]
    assert len(fails) == 1, proc.stdout + proc.stderr
    assert "YYY-OTHER" in fails[0] and "wrong.toml" in fails[0]
    assert "ZZZ-MARKER" not in fails[0]


@pytest.mark.parametrize(
    "args", [("--help",), ("clean", "--help"), ("explain", "--help"), ("rules", "--help")], ids=" ".join
)
def test_help(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout


def test_clean_help_documents_the_output_option() -> None:
    proc = run("clean", "--help")
    assert "--output" in proc.stdout and "--rules" in proc.stdout


def test_help_paragraphs_flow_at_any_width() -> None:
    """A paragraph of a command's help is one line of text that the terminal wraps: at 60
    columns it must not break where the source file happened to break it."""
    proc = run("eval", "--help", env_extra={"COLUMNS": "60"})
    assert proc.returncode == 0, proc.stderr
    lines = [ln.strip() for ln in proc.stdout.splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Prints per mode"))
    paragraph = []
    for ln in lines[start:]:
        if not ln:
            break
        paragraph.append(ln)
    # every line but the last is filled close to the width (no break left from the source)
    assert all(len(ln) >= 45 for ln in paragraph[:-1]), paragraph


SLOW_RULE = """
[[rule]]
id = "user.slow"
category = "boilerplate"
description = "A pattern that backtracks exponentially on a long run of a's."
line = '(a|aa)+$'
examples.remove = ["aaaa"]
examples.keep = ["b"]
"""


def test_a_rule_past_its_time_limit_is_skipped_and_the_run_exits_3(tmp_path: Path) -> None:
    """RELIABILITY row 29 through the command: the document is still cleaned by the other rules."""
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "doc.txt").write_text("Sponsored message\n" + "a" * 5000 + "!\n", encoding="utf-8")
    rules = tmp_path / "slow.toml"
    rules.write_text(SLOW_RULE, encoding="utf-8")
    out = tmp_path / "out"
    proc = run("clean", inp, "-o", out, "--rules", rules, "--doc-timeout", "1")
    assert proc.returncode == 3, proc.stderr
    assert "rule_timeout:user.slow" in proc.stderr
    rec = json.loads((out / "report.jsonl").read_text(encoding="utf-8"))
    assert rec["status"] == "ok" and rec["error"] is None
    assert any(w.startswith("rule_timeout:user.slow") for w in rec["warnings"])
    assert (out / "doc.txt").read_text(encoding="utf-8") == "a" * 5000 + "!\n"


def test_limit_options_are_checked(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("text\n", encoding="utf-8")
    for flag, value in (("--doc-timeout", "0"), ("--max-spans", "0"), ("--max-removed-fraction", "2")):
        proc = run("clean", tmp_path / "x.txt", "-o", tmp_path / f"out{flag}", flag, value)
        assert proc.returncode == 2, (flag, proc.stderr)
        assert "Traceback" not in proc.stderr


def run_stdin(args: list[str], data: bytes, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([cleaner_exe(), *args], input=data, capture_output=True, timeout=120, **kw)


def test_stdin_is_cleaned_to_stdout_and_the_report_goes_only_to_report(tmp_path: Path) -> None:
    data = b"Sponsored message\nThe story goes on here with a full sentence.\n"
    proc = run_stdin(["clean", "-", "--report", str(tmp_path / "r.jsonl")], data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"The story goes on here with a full sentence.\n"
    rec = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8"))
    assert rec["input"] == "-" and [s["rule"] for s in rec["removed"]] == ["sponsored.label"]


def test_row55_empty_stdin_is_ok_and_binary_stdin_fails() -> None:
    empty = run_stdin(["clean", "-"], b"")
    assert (empty.returncode, empty.stdout) == (0, b"")
    binary = run_stdin(["clean", "-"], b"\x89PNG\x00\x01")
    assert binary.returncode == 3 and binary.stdout == b""
    assert b"binary" in binary.stderr and b"Traceback" not in binary.stderr


def test_row28_stdout_on_a_full_device_exits_4() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [cleaner_exe(), "clean", "-"], input=b"text\n", stdout=full, stderr=subprocess.PIPE, timeout=60
        )
    assert proc.returncode == 4
    assert b"cannot write to stdout: No space left on device" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_row27_stdout_closed_early_exits_141_without_a_traceback() -> None:
    line = ("A sentence of the story that is long enough to fill a buffer quickly. " * 14).strip()
    data = ("\n".join([line] * 3000) + "\n").encode()
    proc = subprocess.Popen(
        [cleaner_exe(), "clean", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(data)
    proc.stdin.close()
    proc.stdout.read(1)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert b"Traceback" not in err


def test_jsonl_file_in_and_out(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(
        '{"id": "a", "text": "Sponsored message\\nThe story.\\n", "lang": "en"}\n{"id": "b"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "cleaned.jsonl"
    proc = run("clean", src, "-o", out, "--id-field", "id")
    assert proc.returncode == 3, proc.stderr  # the second line has no text field
    lines = out.read_text(encoding="utf-8").split("\n")
    assert json.loads(lines[0]) == {"id": "a", "text": "The story.\n", "lang": "en"}
    assert lines[1] == '{"id": "b"}' and lines[2] == ""
    report = [json.loads(x) for x in (tmp_path / "cleaned.report.jsonl").read_text().split("\n") if x]
    assert [r["status"] for r in report] == ["ok", "error"]
    assert report[1]["error"].startswith("missing_field")


def test_jsonl_to_stdout(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text('{"text": "Subscribe\\nThe story.\\n"}\n', encoding="utf-8")
    proc = run("clean", src, "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"text": "The story.\n"}


def test_row48_jobs_and_argument_order_do_not_change_a_byte(tmp_path: Path) -> None:
    """Outputs and report are the same bytes for --jobs 1 and --jobs 2, and for the inputs
    given in another order (run from two copies of one tree, so the paths match)."""
    runs = []
    for name, jobs, order in (("a", "1", ["in/x", "in/top.txt"]), ("b", "2", ["in/top.txt", "in/x"])):
        base = tmp_path / name
        (base / "in" / "x" / "y").mkdir(parents=True)
        for i, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
            (base / "in" / "x" / ("y" if i % 2 else "") / f"s{i}.txt").write_bytes(seed.read_bytes())
        (base / "in" / "top.txt").write_text("Subscribe\nA short story, told in full.\n", encoding="utf-8")
        proc = run("clean", *order, "-o", "out", "--jobs", jobs, cwd=base)
        assert proc.returncode == 0, proc.stderr
        runs.append(
            {p.relative_to(base / "out"): p.read_bytes() for p in (base / "out").rglob("*") if p.is_file()}
        )
    assert runs[0] == runs[1]
    assert len(runs[0]) == 7  # six documents and the report


def test_row52_ids_never_name_files(tmp_path: Path) -> None:
    """Decision: JSONL ids are data, never paths. Every record goes into the one output file,
    whatever its id says (path traversal, an absolute path, NUL, 10k characters, CON)."""
    ids = ["../../etc/x", "/tmp/abs", "a\u0000b", "x" * 10_000, "CON"]
    src = tmp_path / "in" / "docs.jsonl"
    src.parent.mkdir()
    src.write_text(
        "".join(json.dumps({"id": i, "text": "Subscribe\nThe story.\n"}) + "\n" for i in ids),
        encoding="utf-8",
    )
    out = tmp_path / "out" / "cleaned.jsonl"
    out.parent.mkdir()
    before = {p for p in tmp_path.rglob("*")}
    proc = run("clean", src, "-o", out, "--id-field", "id")
    assert proc.returncode == 0, proc.stderr
    after = {p for p in tmp_path.rglob("*")}
    assert after - before == {out, out.with_name("cleaned.report.jsonl")}
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ids


@pytest.mark.parametrize("workers", [1, 2])
def test_brief_records_count_the_spans_and_leave_the_report_whole(tmp_path: Path, workers: int) -> None:
    """A run with ``brief`` yields each record without its spans but with how many each
    category removed, and writes the same report and outputs as a run of whole records."""
    from collections import Counter

    from cleaner import Cleaner
    from cleaner.batch import run as run_batch
    from cleaner.discover import discover

    src = tmp_path / "in"
    src.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (src / seed.name).write_bytes(seed.read_bytes())
    (src / "bad.txt").write_bytes(b"\xff\xfe\x00not text")
    got = {}
    for brief in (False, True):
        out = tmp_path / f"out-{brief}"
        report = tmp_path / f"report-{brief}.jsonl"
        jobs = discover([src], out)
        got[brief] = list(run_batch(jobs, Cleaner(), report, workers=workers, brief=brief))
        assert [p.read_bytes() for p in sorted(out.iterdir())] == [
            p.read_bytes() for p in sorted((tmp_path / "out-False").iterdir())
        ]
    whole = (tmp_path / "report-False.jsonl").read_bytes()
    assert (tmp_path / "report-True.jsonl").read_bytes().replace(b"out-True", b"out-False") == whole
    assert len(got[True]) == len(got[False]) == 6
    assert sum(bool(rec["removed"]) for rec in got[False]) >= 2
    for rec, short in zip(got[False], got[True], strict=True):
        assert "removed" not in short
        counts = Counter(span["category"] for span in rec["removed"])
        assert short.pop("removed_by_category") == dict(counts)
        rest = {k: v for k, v in rec.items() if k != "removed"}
        assert {k: str(v).replace("out-True", "out-False") for k, v in short.items()} == {
            k: str(v) for k, v in rest.items()
        }


def test_a_one_document_run_loads_only_what_it_needs() -> None:
    """Start-up is a cost of every run: cleaning one text on standard input imports neither
    the worker processes' machinery (only ``--jobs`` does) nor trafilatura (only HTML does),
    nor pydantic (typer from 0.29 on builds a validator per option with it)."""
    code = (
        "import sys\n"
        "from cleaner.cli import main\n"
        "sys.argv = ['cleaner', 'clean', '-']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = ('multiprocessing', 'trafilatura', 'pydantic')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    seed = sorted(SEEDS.glob("*.txt"))[4].read_bytes()
    out = subprocess.run([sys.executable, "-c", code], input=seed, capture_output=True, check=True)
    assert out.stdout  # it cleaned the text
    assert out.stderr.decode().strip().splitlines()[-1] == "[]"
