"""Mojibake repair (``--repair-mojibake``): what is repaired, what is left alone, and how the
report keeps the repair auditable."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import ftfy
import pytest

from cleaner import Cleaner
from cleaner.evaluate import evaluate
from cleaner.model import restore
from cleaner.repair import repair_mojibake, suspect


class Removed(NamedTuple):
    start: int
    end: int
    text: str


CHECK_REPORT = Path("/work/shared/tools/check_report.py")
STORY = (
    "Sponsored message\n"
    "The mayor’s plan isn’t new, officials said on Tuesday after a long public hearing.\n"
    "“We will vote in the spring,” the council’s chair said — and nobody disagreed.\n"
)

BODY = STORY.removeprefix("Sponsored message\n")


def mojibake(text: str, codec: str = "latin-1") -> str:
    """``text`` as it reads when its UTF-8 bytes are decoded as ``codec``."""
    return text.encode("utf-8").decode(codec)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("cleaner") or str(Path(sys.executable).parent / "cleaner")
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        [exe, *map(str, args)], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60
    )


# -- the repair itself ------------------------------------------------------------------------


# Windows-1252 has no character for byte 0x9D, the last byte of ” in UTF-8: a page misread
# that way has no ” to repair.
@pytest.mark.parametrize(
    ("codec", "text"),
    [("latin-1", STORY), ("cp1252", "The mayor’s plan isn’t new — it’s 5 € cheaper, señor.\n")],
)
def test_utf8_read_as_latin1_or_cp1252_is_repaired_and_the_plan_replays(codec: str, text: str) -> None:
    damaged = mojibake(text, codec)
    assert "isn’t" not in damaged and suspect(damaged)
    fixed, plan, _ = repair_mojibake(damaged)
    assert fixed == text
    assert plan and plan[-1] == ("decode", "utf-8")
    assert ftfy.apply_plan(damaged, [list(step) for step in plan]) == text


@pytest.mark.parametrize(
    "text",
    [
        STORY,
        "Le café’s terrace opened; à bientôt, señora — größer.\n",  # é’ looks suspect, is fine
        "Plain ASCII with no accents at all.\n",
        "",
    ],
)
def test_sound_text_is_left_alone(text: str) -> None:
    assert repair_mojibake(text) == (text, (), None)


def test_a_repair_that_would_move_line_breaks_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    damaged = mojibake(STORY)
    monkeypatch.setattr(
        ftfy, "fix_encoding_and_explain", lambda text: (STORY.replace(" new,", "\nnew,"), [("x", "y")])
    )
    assert repair_mojibake(damaged) == (damaged, (), None)


# -- the core -----------------------------------------------------------------------------------


def test_the_default_cleaner_does_not_repair() -> None:
    damaged = mojibake(STORY)
    result = Cleaner().clean(damaged)
    assert result.repair == () and result.source is None
    assert "isnâ" in result.text and result.restore() == damaged


def test_a_repairing_cleaner_cleans_the_repaired_text_and_its_spans_index_it() -> None:
    damaged = mojibake(STORY)
    result = Cleaner(repair_mojibake=True).clean(damaged)
    assert result.repair and result.source == STORY
    assert result.text == BODY
    assert [s.rule for s in result.spans] == ["sponsored.label"]
    assert restore(result.text, result.spans) == STORY


def test_a_failed_repair_is_a_warning_and_the_text_is_cleaned_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(text: str) -> None:
        raise UnicodeEncodeError("latin-1", text, 0, 1, "cannot encode")

    monkeypatch.setattr(ftfy, "fix_encoding_and_explain", broken)
    damaged = mojibake(STORY)
    result = Cleaner(repair_mojibake=True).clean(damaged)
    assert result.repair == () and result.restore() == damaged
    assert [w.split(":")[0] for w in result.warnings] == ["repair_failed"]
    assert [s.rule for s in result.spans] == ["sponsored.label"]


def test_a_repairing_cleaner_leaves_sound_text_as_the_default_does() -> None:
    assert Cleaner(repair_mojibake=True).clean(STORY) == Cleaner().clean(STORY)


# -- the command line: records, replay, eval --------------------------------------------------


def test_clean_records_the_repair_and_the_report_checker_still_passes(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "damaged.txt").write_text(mojibake(STORY), encoding="utf-8")
    (src / "sound.txt").write_text(STORY, encoding="utf-8")
    out = tmp_path / "out"
    proc = run("clean", src, "-o", out, "--repair-mojibake")
    assert proc.returncode == 0, proc.stderr
    recs = {
        Path(r["input"]).name: r for r in map(json.loads, (out / "report.jsonl").read_text().splitlines())
    }
    damaged, sound = recs["damaged.txt"], recs["sound.txt"]
    assert (sound["format"], "repair" in sound) == ("text", False)
    assert damaged["format"] == "repaired"
    repaired = ftfy.apply_plan((src / "damaged.txt").read_text(encoding="utf-8"), damaged["repair"])
    assert repaired == STORY
    assert damaged["repaired_sha256"] == hashlib.sha256(repaired.encode()).hexdigest()
    assert damaged["chars_in"] == len(STORY)
    output = (out / "damaged.txt").read_text(encoding="utf-8")
    assert output == (out / "sound.txt").read_text(encoding="utf-8") == BODY
    spans = [
        type("S", (), {"start": s["start"], "text": s["text"], "end": s["end"]}) for s in damaged["removed"]
    ]
    assert restore(output, spans) == repaired
    assert (src / "damaged.txt").read_text(encoding="utf-8") == mojibake(STORY)  # inputs untouched
    if CHECK_REPORT.exists():  # the repaired record is not a replay of the file; the other is
        check = subprocess.run(
            [sys.executable, str(CHECK_REPORT), str(out / "report.jsonl")], capture_output=True, text=True
        )
        assert check.returncode == 0 and "records=1 restored_ok=1" in check.stdout, check.stdout


def test_clean_without_the_flag_keeps_the_bytes(tmp_path: Path) -> None:
    (tmp_path / "damaged.txt").write_text(mojibake(STORY), encoding="utf-8")
    proc = run("clean", tmp_path / "damaged.txt", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    rec = json.loads((tmp_path / "out" / "report.jsonl").read_text())
    assert rec["format"] == "text" and "repair" not in rec
    assert "isnâ" in (tmp_path / "out" / "damaged.txt").read_text(encoding="utf-8")


def test_jsonl_records_are_repaired_with_the_flag(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": 1, "text": mojibake(STORY)}) + "\n", encoding="utf-8")
    proc = run(
        "clean", docs, "-o", tmp_path / "out.jsonl", "--report", tmp_path / "r.jsonl", "--repair-mojibake"
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text())["text"] == STORY.removeprefix(
        "Sponsored message\n"
    )
    rec = json.loads((tmp_path / "r.jsonl").read_text())
    assert rec["repair"] and rec["chars_in"] == len(STORY)


def _dataset(root: Path) -> Path:
    root.mkdir()
    (root / "d1.page.txt").write_text(mojibake(STORY), encoding="utf-8")
    (root / "d1.gold.txt").write_text(BODY, encoding="utf-8")
    return root


def test_eval_names_damaged_inputs_and_scores_the_repair(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "ds")
    plain = evaluate(ds, Cleaner(), "text")
    assert (plain.damaged, plain.repaired) == (1, 0) and plain.scores.f1 < 0.5
    fixed = evaluate(ds, Cleaner(repair_mojibake=True), "text")
    assert (fixed.damaged, fixed.repaired) == (0, 1) and fixed.scores.f1 == 1.0
    assert fixed.baseline == plain.baseline  # the input as is stays the file's text
    proc = run("eval", ds, "--worst", "0")
    assert (
        proc.returncode == 0
        and "1 input holds mojibake" in proc.stdout
        and "--repair-mojibake" in proc.stdout
    )
    proc = run("eval", ds, "--worst", "0", "--repair-mojibake")
    assert proc.returncode == 0 and "mojibake repaired in 1 input before" in proc.stdout
