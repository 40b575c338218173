"""The datatrove step (cleaner.adapters.datatrove.CleanerStep) in a local pipeline of two
tasks, compared document for document with ``cleaner clean DOCS.jsonl`` on the same texts:
the same clean text, the same removed spans, the same errors, and the spans counted per
category in the step's stats. Skipped when datatrove is not installed
(``pip install '.[datatrove]'``); the test extras do not install it."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import SEEDS, cleaner_exe

# Another site's URL: the LAist pack (rules/sites/), which a seed's text switches on when the
# URL is unknown, is then off, and that seed loses other spans.
URL = "https://example.org/news/x"


def records() -> list[dict[str, Any]]:
    """The seeds, once as they are and once with a URL, and two small texts: one with nothing
    to remove, one that is all noise but a line. (datatrove's readers pass over records
    without text and fail on a text that is not a string, so neither reaches a step.)"""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert len(seeds) >= 3
    out: list[dict[str, Any]] = [{"id": f"seed-{i}", "text": t} for i, t in enumerate(seeds)]
    out += [{"id": f"seed-url-{i}", "text": t, "url": URL} for i, t in enumerate(seeds)]
    out += [
        {"id": "plain", "text": "Nothing to remove here."},
        {"id": "sponsored", "text": "Sponsored message\nA short story.\n"},
    ]
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def error_kind(error: str | None) -> str | None:
    return error.split(":")[0] if error else None


@pytest.fixture(scope="module")
def datatrove() -> Any:
    return pytest.importorskip(
        "datatrove", reason="datatrove is not installed (pip install '.[datatrove]'): the step is not tested"
    )


def test_a_missing_datatrove_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "cleaner.adapters.datatrove", raising=False)
    monkeypatch.setitem(sys.modules, "datatrove", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "datatrove.data", None)
    with pytest.raises(ImportError, match=r"pip install 'cleaner\[datatrove\]'"):
        importlib.import_module("cleaner.adapters.datatrove")


def run_pipeline(tmp: Path, parts: list[list[dict[str, Any]]], tasks: int, **options: Any) -> tuple[Any, Any]:
    """JsonlReader (a folder of one file per part), CleanerStep(**options), JsonlWriter, in
    ``tasks`` tasks run by as many processes; (the stats, the documents written by id)."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from cleaner.adapters.datatrove import CleanerStep

    src = tmp / "in"
    src.mkdir()
    for n, part in enumerate(parts):
        write_jsonl(src / f"part-{n}.jsonl", part)
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            CleanerStep(**options),
            JsonlWriter(str(tmp / "out"), compression=None),
        ],
        tasks=tasks,
        logging_dir=str(tmp / "logs"),
    )
    stats = executor.run()
    written = sorted((tmp / "out").glob("*.jsonl"))
    assert [p.name for p in written] == [f"{rank:05d}.jsonl" for rank in range(tasks)]  # one per task
    docs: dict[str, dict[str, Any]] = {}
    for path in written:
        for line in path.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            assert doc["id"] not in docs
            docs[doc["id"]] = doc
    return stats, docs


def run_cli(tmp: Path, rows: list[dict[str, Any]], *args: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``cleaner clean docs.jsonl -o cli.jsonl --spans-field removed --url-field url --id-field id
    ARGS``: (the records written by id, the report records by id)."""
    docs = tmp / "docs.jsonl"
    write_jsonl(docs, rows)
    out = tmp / "cli.jsonl"
    fields = ["--spans-field", "removed", "--url-field", "url", "--id-field", "id"]
    command = [cleaner_exe(), "clean", str(docs), "-o", str(out), *fields, *args]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 3), proc.stderr
    cli = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    report_lines = out.with_suffix(".report.jsonl").read_text(encoding="utf-8").splitlines()
    report = {r["id"]: r for r in map(json.loads, report_lines)}
    assert len(cli) == len(report) == len(rows)
    return cli, report


def step_name() -> str:
    """The name datatrove gives the step's stats: ``"<type>: <name>"``."""
    from cleaner.adapters.datatrove import CleanerStep

    return f"{CleanerStep.type}: {CleanerStep.name}"


def step_stats(stats: Any) -> dict[str, int]:
    """The cleaner step's counters, summed over the tasks."""
    step = next(s for s in stats.stats if s.name == step_name())
    return {key: int(step.stats[key].total) for key in step.stats}


def test_two_tasks_give_what_the_command_line_gives(datatrove: Any, tmp_path: Path) -> None:
    rows = records()
    parts = [rows[0::3], rows[1::3], rows[2::3]]  # three files for two tasks: one reads two
    stats, got = run_pipeline(tmp_path, parts, tasks=2)
    assert sorted(got) == sorted(r["id"] for r in rows)
    cli, report = run_cli(tmp_path, rows)

    removed: Counter[str] = Counter()
    for rec in rows:
        ident = rec["id"]
        doc, line = got[ident], cli[ident]
        assert doc["text"] == line["text"], ident
        spans = json.loads(doc["metadata"]["removed"])
        assert spans == line["removed"], ident
        assert doc["metadata"]["clean_error"] is None and report[ident]["error"] is None, ident
        assert doc["metadata"].get("url") == rec.get("url")  # the record's other fields are kept
        removed.update(span["category"] for span in spans)
    assert got["plain"]["metadata"]["removed"] == "[]"
    assert json.loads(got["sponsored"]["metadata"]["removed"])  # something was removed
    assert sum(removed.values()) > 10 and len(removed) > 2
    # The URL reached the cleaner: some seed loses other spans with it than without.
    seeds = sum(1 for r in rows if r["id"].startswith("seed-url-"))
    by_id = {ident: doc["metadata"]["removed"] for ident, doc in got.items()}
    assert any(by_id[f"seed-{i}"] != by_id[f"seed-url-{i}"] for i in range(seeds))

    # The counters, summed over both tasks, and as saved beside the logs.
    counted = step_stats(stats)
    per_category = {k.removeprefix("removed_"): v for k, v in counted.items() if k.startswith("removed_")}
    assert per_category == dict(removed)
    assert counted["documents"] == len(rows)
    assert "left_unchanged" not in counted
    assert counted["chars_removed"] == sum(
        s["end"] - s["start"] for d in got.values() for s in json.loads(d["metadata"]["removed"])
    )
    saved = json.loads((tmp_path / "logs" / "stats.json").read_text(encoding="utf-8"))
    on_disk = next(s for s in saved if s["name"] == step_name())
    totals = {k: v["total"] if isinstance(v, dict) else v for k, v in on_disk["stats"].items()}
    assert {k: v for k, v in totals.items() if k.startswith("removed_")} == {
        f"removed_{k}": v for k, v in removed.items()
    }
    assert totals["documents"] == len(rows)


def test_options_reach_the_cleaner_and_a_text_left_unchanged_says_why(datatrove: Any, tmp_path: Path) -> None:
    rows = records()
    stats, got = run_pipeline(tmp_path, [rows], tasks=1, max_spans=3)
    cli, report = run_cli(tmp_path, rows, "--max-spans", "3")
    unchanged = 0
    for rec in rows:
        ident = rec["id"]
        doc, error = got[ident], report[ident]["error"]
        assert doc["text"] == cli[ident]["text"], ident
        assert error_kind(doc["metadata"]["clean_error"]) == error_kind(error), ident
        if error is None:
            assert json.loads(doc["metadata"]["removed"]) == cli[ident]["removed"], ident
        else:  # left as it was
            assert doc["text"] == rec["text"] and doc["metadata"]["removed"] == "[]"
            assert cli[ident].get("removed", []) == []
            unchanged += 1
    assert unchanged >= 3
    assert {error_kind(d["metadata"]["clean_error"]) for d in got.values()} == {None, "too_many_matches"}
    counted = step_stats(stats)
    assert counted["left_unchanged"] == unchanged and counted["documents"] == len(rows)
