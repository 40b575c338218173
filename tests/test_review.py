"""The review page's Python side: reading a run back from its report and outputs, marking
bad reports, harm and missed noise against a gold, the embedded data, and escaping.

The page in a real browser is tested in ``test_review_browser.py``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner import Category, Cleaner, Span, UsageError, load_rules
from cleaner.cli import app
from cleaner.report import dumps
from cleaner.review import (
    GoldCase,
    ReviewDoc,
    ReviewRun,
    gold_marks,
    load_run,
    page,
    page_for_result,
    rule_descriptions,
    with_gold,
)
from cleaner.review.run import CONTEXT, EXCERPT, FULL, LISTED

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DATA = re.compile(r'<script type="application/json" id="review-data">(.*?)</script>', re.S)
NOISE_RULE = """
[[rule]]
id = "test.noise"
category = "boilerplate"
description = "A line holding NOISE."
line = 'NOISE'
examples.remove = ["NOISE"]
examples.keep = ["calm"]
"""


def cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def data_of(html: str) -> dict[str, Any]:
    """The JSON the page embeds (its escapes are JSON escapes, so it parses back as it is)."""
    found = DATA.search(html)
    assert found is not None
    return json.loads(found[1])


def shown_text(doc: dict[str, Any]) -> str:
    """A whole embedded document's text, put back together from its pieces."""
    out = []
    for p in doc["p"]:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, list):
            out.append(p[0])
        else:
            assert p >= 0, "an excerpt, not a whole text"
            out.append(doc["s"][p][4])
    return "".join(out)


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cleaner clean seeds -o OUT`` run from the folder above OUT, as a user would."""
    root = tmp_path_factory.mktemp("seeds-run")
    here = Path.cwd()
    os.chdir(root)
    try:
        result = cli("clean", SEEDS, "-o", "out")
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return root / "out"


def records(report: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in report.read_bytes().split(b"\n") if line]


# -- reading a run ------------------------------------------------------------------------------


def test_seeds_run_replays_into_every_input(seeds_run: Path) -> None:
    run = load_run(seeds_run)  # relative outputs, read from another folder: found beside the report
    recs = records(seeds_run / "report.jsonl")
    assert [d.name for d in run.docs] == [r["input"] for r in recs]
    assert run.unshown == ()
    for doc, rec in zip(run.docs, recs, strict=True):
        assert doc.text == (SEEDS / Path(rec["input"]).name).read_text(encoding="utf-8")
        assert [s.to_dict() for s in doc.spans] == rec["removed"]
    assert sum(len(d.spans) for d in run.docs) == sum(len(r["removed"]) for r in recs) > 0


def test_review_command_writes_one_page_holding_every_span(seeds_run: Path, tmp_path: Path) -> None:
    result = cli("review", seeds_run, "-o", tmp_path / "page.html")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    data = data_of(html)
    recs = records(seeds_run / "report.jsonl")
    assert sum(len(d["s"]) for d in data["docs"]) == sum(len(r["removed"]) for r in recs)
    for doc, rec in zip(data["docs"], recs, strict=True):
        assert doc["k"] == FULL
        assert shown_text(doc) == (SEEDS / Path(rec["input"]).name).read_text(encoding="utf-8")
    # Rule descriptions come from the loaded rules; nothing is fetched from elsewhere.
    described = {r.id: r.description for r in load_rules()}
    assert all(desc == described[rid] for rid, _, desc in data["rules"] if rid in described)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "default-src 'none'" in html


def test_missing_changed_and_torn_are_marked_documents_and_exit_3(seeds_run: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "out"
    shutil.copytree(seeds_run, run_dir)
    outputs = sorted(run_dir.glob("*.txt"))
    outputs[0].unlink()
    outputs[1].write_text("edited since the run\n", encoding="utf-8")
    report = run_dir / "report.jsonl"
    lines = report.read_bytes().split(b"\n")
    lines.insert(2, b"this line is not JSON")
    report.write_bytes(b"\n".join(lines) + b'{"schema":1,"input":"torn')

    run = load_run(run_dir)
    problems = {Path(d.name).name: d.problem for d in run.docs if d.problem}
    assert len(problems) == 4
    assert "not found" in problems[outputs[0].name]
    assert "changed since the run" in problems[outputs[1].name]
    assert any("not JSON" in p for p in problems.values())
    assert any(p.startswith("torn last line") for p in problems.values())
    assert sum(1 for d in run.docs if d.text is not None) == 3

    result = cli("review", run_dir, "-o", tmp_path / "page.html")
    assert result.exit_code == 3
    assert "torn last line" in result.stderr and "not found" in result.stderr
    data = data_of((tmp_path / "page.html").read_text(encoding="utf-8"))
    marked = [d for d in data["docs"] if d["pb"]]
    assert len(marked) == 4
    # A document whose output is gone still shows its spans, from the report.
    recs = {Path(r["input"]).name: r for r in records(seeds_run / "report.jsonl")}
    for doc in marked:
        name = Path(doc["n"]).name
        if name in recs:
            assert [s[4] for s in doc["s"]] == [s["text"] for s in recs[name]["removed"]]


def test_wrong_schema_is_a_clear_error_or_a_marked_document(seeds_run: Path, tmp_path: Path) -> None:
    shutil.copytree(seeds_run, tmp_path / "out")
    report = tmp_path / "out" / "report.jsonl"
    recs = records(seeds_run / "report.jsonl")
    report.write_text("".join(dumps({**r, "schema": 2}) for r in recs), encoding="utf-8")
    with pytest.raises(UsageError, match="schema 2"):
        load_run(report)
    result = cli("review", report, "-o", tmp_path / "page.html")
    assert result.exit_code == 2 and "schema" in result.stderr
    assert not (tmp_path / "page.html").exists()

    report.write_text(dumps({**recs[0], "schema": 2}) + dumps(recs[1]), encoding="utf-8")
    run = load_run(report)
    assert run.docs[0].problem is not None and "schema 2" in run.docs[0].problem
    assert run.docs[1].problem is None


def test_a_last_record_without_its_newline_is_read_when_whole(seeds_run: Path, tmp_path: Path) -> None:
    shutil.copytree(seeds_run, tmp_path / "out")
    report = tmp_path / "out" / "report.jsonl"
    report.write_bytes(report.read_bytes().rstrip(b"\n"))
    run = load_run(report)
    assert run.unshown == () and len(run.docs) == len(records(seeds_run / "report.jsonl"))


def test_usage_errors_and_unwritable_page(tmp_path: Path, seeds_run: Path) -> None:
    assert cli("review", tmp_path / "nothing", "-o", tmp_path / "p.html").exit_code == 2
    (tmp_path / "empty").mkdir()
    result = cli("review", tmp_path / "empty", "-o", tmp_path / "p.html")
    assert result.exit_code == 2 and "no report.jsonl" in result.stderr
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = cli("review", seeds_run, "-o", tmp_path / "a-file" / "p.html")
    assert result.exit_code == 4 and "cannot write" in result.stderr
    (tmp_path / "notes.txt").write_text("just some text\n", encoding="utf-8")
    result = cli("review", tmp_path / "notes.txt", "-o", tmp_path / "p.html")
    assert result.exit_code == 2 and "not JSON" in result.stderr


def test_report_lines_are_split_on_newline_only(tmp_path: Path) -> None:
    # NEL and the separators splitlines() breaks on are written raw inside report strings.
    odd = "NOISE \x85 \x1c \x1d \x0b \x0c end"
    text = f"Story line one.\n{odd}\nStory line two.\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(text, encoding="utf-8", newline="")
    (tmp_path / "rules.toml").write_text(NOISE_RULE, encoding="utf-8")
    rules = tmp_path / "rules.toml"
    result = cli("clean", tmp_path / "in", "-o", tmp_path / "out", "--rules", rules, "--no-default-rules")
    assert result.exit_code == 0, result.output
    assert "\x85".encode() in (tmp_path / "out" / "report.jsonl").read_bytes()
    run = load_run(tmp_path / "out")
    assert len(run.docs) == 1 and run.docs[0].text == text
    assert run.docs[0].spans[0].text == odd + "\n"


def test_bom_surrogates_and_guarded_documents(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    bom = "NOISE here\nThe story.\n"
    (tmp_path / "in" / "bom.txt").write_bytes(b"\xef\xbb\xbf" + bom.encode())
    (tmp_path / "in" / "bytes.txt").write_bytes(b"NOISE \xff\nThe story \xfe goes on.\n")
    (tmp_path / "rules.toml").write_text(NOISE_RULE, encoding="utf-8")
    args = ["--rules", tmp_path / "rules.toml", "--no-default-rules", "--encoding-errors", "surrogateescape"]
    assert cli("clean", tmp_path / "in", "-o", tmp_path / "out", *args).exit_code == 0
    run = load_run(tmp_path / "out")
    assert [d.text for d in run.docs] == [bom, "NOISE \udcff\nThe story \udcfe goes on.\n"]
    assert all(len(d.spans) == 1 for d in run.docs)
    html = page(run)
    html.encode("utf-8")  # lone surrogates are escaped, never written raw
    assert shown_text(data_of(html)["docs"][1]) == run.docs[1].text

    # A document a guard left unchanged is an error, written and shown, not a failure to show.
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "g.txt").write_text("NOISE " * 300 + "\nstory\n", encoding="utf-8")
    args = ["--rules", tmp_path / "rules.toml", "--no-default-rules", "--max-removed-fraction", "0.1"]
    assert cli("clean", tmp_path / "big", "-o", tmp_path / "out2", *args).exit_code == 3
    result = cli("review", tmp_path / "out2", "-o", tmp_path / "p.html")
    assert result.exit_code == 0, result.stderr
    (doc,) = load_run(tmp_path / "out2").docs
    assert doc.status == "error" and doc.error and doc.error.startswith("guard") and doc.text is not None


def test_jsonl_runs_find_their_text_field(tmp_path: Path) -> None:
    rows = [{"id": 1, "body": "NOISE line\nStory one.\n", "lang": "en"}, {"id": 2, "body": "Story two.\n"}]
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "rules.toml").write_text(NOISE_RULE, encoding="utf-8")
    rules = ["--rules", tmp_path / "rules.toml", "--no-default-rules"]
    result = cli("clean", src, "-o", tmp_path / "out.jsonl.gz", "--text-field", "body", *rules)
    assert result.exit_code == 0, result.output
    run = load_run(tmp_path / "out.report.jsonl")
    assert [d.text for d in run.docs] == [r["body"] for r in rows]
    assert run.docs[0].spans[0].text == "NOISE line\n"

    # Two fields that fit every line: the review cannot tell which was cleaned, and says so.
    line = json.dumps({"a": "Story one.\n", "b": "Other text\n"}) + "\n"
    (tmp_path / "out.jsonl.gz").write_bytes(gzip.compress(line.encode()))
    report = tmp_path / "one.report.jsonl"
    rec = records(tmp_path / "out.report.jsonl")[0]
    report.write_text(dumps({**rec, "output": "out.jsonl.gz:1"}), encoding="utf-8")
    (doc,) = load_run(report).docs
    assert doc.problem is not None and "cannot tell which field" in doc.problem


# -- the page ------------------------------------------------------------------------------------


def hostile_run() -> ReviewRun:
    text = 'Kept </script><script>alert(1)</script>\n<img src=x onerror="alert(2)">\nKept & done\n'
    start = text.index("<img")
    span = Span(start, start + 31, "x.<b>rule", Category.CREDIT, text[start : start + 31], ("x.<b>rule",))
    doc = ReviewDoc("<i>name</i>.txt", "ok", "text", text, (span,), len(text), len(text) - 31)
    return ReviewRun("<report>", (doc,))


def test_document_text_is_escaped_never_markup() -> None:
    run = hostile_run()
    html = page(run, descriptions={"x.<b>rule": "<u>desc</u>"})
    assert html.count("<script") == 2  # the page's data block and its own script, nothing else
    assert "<img" not in html and "<b>rule" not in html and "<u>desc" not in html and "<i>name" not in html
    assert "<title>cleaner review: &lt;report&gt;</title>" in html
    doc = data_of(html)["docs"][0]
    assert shown_text(doc) == run.docs[0].text and doc["n"] == "<i>name</i>.txt"


def test_over_the_budget_documents_become_excerpts_then_lists_with_every_span() -> None:
    text = "".join(f"Kept line {i} of the story goes on for a while.\n" for i in range(200))
    spans = []
    for i in (20, 120):
        start = text.index(f"Kept line {i} ")
        end = text.index("\n", start) + 1
        spans.append(Span(start, end, "t.r", Category.RELATED, text[start:end]))
    small = ReviewDoc("small", "ok", "text", "tiny\n", (), 5, 5)
    big = ReviewDoc("big", "ok", "text", text, tuple(spans), len(text), len(text) - 100)
    less = replace(big, name="less", spans=big.spans[:1])  # removes less: its turn comes after big's
    # big's excerpt (its opening, context either side of its removals) and small fit; less does not.
    html = page(ReviewRun("r", (small, big, less)), max_chars=6 * CONTEXT + 200)
    data = data_of(html)
    assert [d["k"] for d in data["docs"]] == [FULL, EXCERPT, LISTED]
    doc = data["docs"][1]
    assert [p for p in doc["p"] if isinstance(p, int) and p >= 0] == [0, 1]
    elided = -sum(p for p in doc["p"] if isinstance(p, int) and p < 0)
    kept = sum(len(p) for p in doc["p"] if isinstance(p, str))
    assert kept + elided + sum(s[1] - s[0] for s in doc["s"]) == len(text)
    assert kept <= 5 * CONTEXT
    listed = data["docs"][2]
    assert listed["p"] is None and [s[:2] for s in listed["s"]] == [[s.start, s.end] for s in less.spans]
    assert "Embedded whole: 1 documents; as excerpts: 1 (" in html and "no text: 1." in html
    whole = data_of(page(ReviewRun("r", (small, big, less))))
    assert [d["k"] for d in whole["docs"]] == [FULL] * 3 and shown_text(whole["docs"][1]) == text


def test_page_for_result_shows_one_file(tmp_path: Path) -> None:
    text = (SEEDS / "004_3e424eb520665100.txt").read_text(encoding="utf-8")
    result = Cleaner().clean(text)
    html = page_for_result("004.txt", text, result, rule_descriptions())
    data = data_of(html)
    (doc,) = data["docs"]
    assert doc["n"] == "004.txt" and len(doc["s"]) == len(result.spans) > 0
    assert shown_text(doc) == text
    assert "cleaner explain: 004.txt" in html


# -- the gold ------------------------------------------------------------------------------------


def test_harm_and_missed_noise_against_the_gold() -> None:
    story = "The council voted on Tuesday to rebuild the old bridge over the river.\n"
    text = "Share this\n" + story + "Sign up for our daily newsletter today\nThe mayor said so.\n"
    harm = Span(len("Share this\n"), len("Share this\n") + len(story), "r.x", Category.RELATED, story)
    gold = story + "The mayor said so."
    marks = gold_marks(text, (harm,), gold)
    assert marks.harm == (0,) and marks.harm_words == 13
    assert [text[a:b] for a, b in marks.missed] == ["Share this", "Sign up for our daily newsletter today"]
    assert marks.missed_words == 2 + 7

    share = Span(0, len("Share this\n"), "share.x", Category.SHARE, "Share this\n")
    clean_marks = gold_marks(text, (share,), gold)
    assert clean_marks.harm == () and clean_marks.harm_words == 0
    assert [text[a:b] for a, b in clean_marks.missed] == ["Sign up for our daily newsletter today"]


def test_a_missed_line_cut_by_a_removal_maps_to_its_input_pieces() -> None:
    text = "alpha beta REMOVED gamma delta epsilon\nThe story itself goes here.\n"
    start = text.index("REMOVED")
    span = Span(start, start + len("REMOVED "), "r.x", Category.BOILERPLATE, "REMOVED ")
    marks = gold_marks(text, (span,), "The story itself goes here.")
    assert [text[a:b] for a, b in marks.missed] == ["alpha beta ", "gamma delta epsilon"]


def test_with_gold_orders_by_harm_and_embeds_the_marks() -> None:
    story = "Four words of story and then some more words of the story.\n"
    noisy = "Buy now\n" + story
    cases = [
        GoldCase("clean", story, (), story),
        GoldCase("harmed", story, (Span(0, len(story), "r.y", Category.RELATED, story),), story),
        GoldCase("missed", noisy, (), story),
        GoldCase("failed", story, None, story, error="read: gone"),
    ]
    run = with_gold(cases)
    by_id = {d.name: d for d in run.docs}
    assert by_id["harmed"].gold is not None and by_id["harmed"].gold.harm_words == 12
    assert by_id["missed"].gold is not None and by_id["missed"].gold.missed_words == 2
    assert by_id["failed"].gold is None and by_id["failed"].status == "error"
    data = data_of(page(run))
    assert data["gold"] is True
    docs = {d["n"]: d for d in data["docs"]}
    assert docs["harmed"]["s"][0][6] == 1 and docs["harmed"]["g"][0] == 12
    assert ["Buy now"] in docs["missed"]["p"]
    assert docs["clean"]["g"][:2] == [0, 0]
