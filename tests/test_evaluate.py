"""The evaluation metric, ``evaluate()`` and the ``cleaner eval`` command.

Expected values in the metric tests are worked out by hand in the comments; a cross-check
runs the benchmark's reference scorer (``/work/shared/bench/score.py``) on the same
predictions when the benchmark data is there.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

import cleaner.read
from cleaner import Cleaner, DocumentError, Result, UsageError
from cleaner.evaluate import (
    DocScore,
    aggregate,
    evaluate,
    load_dataset,
    score_document,
    shingles,
    tokens,
)

BENCH = Path(os.environ.get("CLEANER_BENCH", "/work/shared/bench"))
REGION = BENCH / "aeb-dev-region"
SCORE_PY = BENCH / "score.py"

# A rule file that removes lines reading "Advertisement", and nothing else, so the
# expected scores of the synthetic dataset do not move when the default packs change.
AD_RULE = """
[[rule]]
id = "test.advertisement"
category = "sponsored"
description = "An Advertisement label line."
phrases = ["Advertisement"]
examples.remove = ["Advertisement"]
examples.keep = ["The advertisement ran twice."]
"""


# -- tokens and shingles -------------------------------------------------------------


def test_tokens_are_word_runs_case_sensitive() -> None:
    assert tokens("Hello, wor_ld! 3.14 — l'été") == ["Hello", "wor_ld", "3", "14", "l", "été"]
    assert tokens("") == [] and tokens(" — ... !") == []


def test_shingles_are_4_token_windows_with_multiplicity() -> None:
    # "a b c d e": two windows.
    assert shingles("a b c d e") == Counter({("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1})
    # "a b c d a b c d": windows abcd, bcda, cdab, dabc, abcd -> abcd counted twice.
    s = shingles("a b c d a b c d")
    assert s[("a", "b", "c", "d")] == 2 and sum(s.values()) == 5
    # Case matters: "The" and "the" are different tokens.
    assert shingles("The cat sat down") != shingles("the cat sat down")


def test_short_texts_are_one_shingle_and_empty_texts_none() -> None:
    # Fewer than 4 tokens: the tuple of all of them is the single shingle.
    assert shingles("Breaking news!") == Counter({("Breaking", "news"): 1})
    assert shingles("one") == Counter({("one",): 1})
    assert shingles("") == Counter() and shingles("— …") == Counter()


# -- one document --------------------------------------------------------------------


def test_identical_texts_score_one() -> None:
    s = score_document("one two three four five", "one two three four five")
    assert (s.tp, s.fp, s.fn) == (1.0, 0.0, 0.0)
    assert s.precision == s.recall == s.f1 == 1.0 and not s.empty


def test_extra_tail_costs_precision() -> None:
    # gold {1234, 2345}; prediction {1234, 2345, 3456}: 2 shared, 1 extra, 0 missing,
    # normalised by 3 -> tp 2/3, fp 1/3, fn 0; P = (2/3)/(2/3+1/3) = 2/3, R = 1,
    # F1 = 2 * 2/3 * 1 / (5/3) = 0.8.
    s = score_document("one two three four five six", "one two three four five")
    assert s.tp == pytest.approx(2 / 3) and s.fp == pytest.approx(1 / 3) and s.fn == 0
    assert s.precision == pytest.approx(2 / 3) and s.recall == 1.0
    assert s.f1 == pytest.approx(0.8)


def test_one_changed_word_at_the_end() -> None:
    # gold {abcd, bcde, cdef}; prediction {abcd, bcde, cdex}: 2 shared, 1 extra, 1
    # missing, total 4 -> tp .5, fp .25, fn .25; P = R = .5/.75 = 2/3.
    s = score_document("a b c d e x", "a b c d e f")
    assert (s.tp, s.fp, s.fn) == (0.5, 0.25, 0.25)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)


def test_empty_prediction_counts_for_recall_only() -> None:
    # No predicted shingle: tp 0, fp 0, fn 1. Precision is undefined (None: left out of
    # the average), recall 0, F1 0. Punctuation only is just as empty.
    for pred in ("", "  \n", "— … !"):
        s = score_document(pred, "a b c d")
        assert (s.tp, s.fp, s.fn) == (0.0, 0.0, 1.0)
        assert s.empty and s.precision is None and s.recall == 0.0 and s.f1 == 0.0


def test_short_documents_compare_as_one_whole_shingle() -> None:
    # Both 2 tokens: the single shingles ("Breaking", "news") are equal -> P = R = 1.
    assert score_document("Breaking news", "Breaking, news.").f1 == 1.0
    # 3 tokens against 2: ("Breaking", "news", "today") != ("Breaking", "news"), nothing
    # shared -> tp 0, fp .5, fn .5 -> P = R = 0 (not empty: the prediction has a token).
    s = score_document("Breaking news today", "Breaking news")
    assert (s.tp, s.fp, s.fn) == (0.0, 0.5, 0.5)
    assert s.precision == 0.0 and s.recall == 0.0 and not s.empty


def test_empty_gold() -> None:
    # A prediction against an empty gold: fp 1 -> precision 0, recall undefined.
    s = score_document("a b c d", "")
    assert s.precision == 0.0 and s.recall is None
    # Both empty: nothing to count, in neither average.
    s = score_document("", "")
    assert (s.tp, s.fp, s.fn) == (0.0, 0.0, 0.0) and s.precision is None and s.recall is None


# -- averages ------------------------------------------------------------------------


def test_aggregate_averages_precision_over_non_empty_predictions() -> None:
    docs = [
        score_document("a b c d e", "a b c d e"),  # P 1, R 1
        score_document("", "a b c d"),  # empty: P -, R 0
        score_document("a b c d e x", "a b c d e f"),  # P 2/3, R 2/3
    ]
    # P = mean(1, 2/3) = 5/6; R = mean(1, 0, 2/3) = 5/9;
    # F1 = 2 * 5/6 * 5/9 / (5/6 + 5/9) = (50/54) / (25/18) = 2/3.
    s = aggregate(docs)
    assert s.precision == pytest.approx(5 / 6)
    assert s.recall == pytest.approx(5 / 9)
    assert s.f1 == pytest.approx(2 / 3)
    assert (s.n, s.empty) == (3, 1)


def test_aggregate_of_nothing_is_zero() -> None:
    s = aggregate([])
    assert (s.precision, s.recall, s.f1, s.n, s.empty) == (0.0, 0.0, 0.0, 0, 0)
    # only empty predictions: precision has no document, so P = 0 and F1 = 0
    s = aggregate([score_document("", "a b c d")])
    assert (s.precision, s.recall, s.f1, s.empty) == (0.0, 0.0, 0.0, 1)


# -- evaluate() on a synthetic dataset -----------------------------------------------


def make_dataset(root: Path, *, html: bool = False, manifest: bool = True) -> Path:
    """Three documents whose scores are worked out in ``test_cli_eval_prints_scores``."""
    docs = {
        # the label goes; the rest is the gold exactly
        "d1": ("Advertisement\nalpha beta gamma delta epsilon\n", "alpha beta gamma delta epsilon"),
        # only a label: the output is empty
        "d2": ("Advertisement\n", "zeta eta theta iota"),
        # one word too many at the end
        "d3": ("one two three four five six\n", "one two three four five"),
    }
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for doc_id, (page, gold) in docs.items():
        (root / f"{doc_id}.page.txt").write_text(page, encoding="utf-8")
        (root / f"{doc_id}.gold.txt").write_text(gold, encoding="utf-8")
        if html:
            body = "".join(f"<p>{line}</p>" for line in page.splitlines())
            (root / f"{doc_id}.html.gz").write_bytes(
                gzip.compress(f"<html><body>{body}</body></html>".encode())
            )
        rows.append(json.dumps({"id": doc_id, "url": f"https://example.com/{doc_id}"}))
    if manifest:
        (root / "manifest.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def ad_cleaner(tmp_path: Path) -> Cleaner:
    rules = tmp_path / "ad.toml"
    rules.write_text(AD_RULE, encoding="utf-8")
    return Cleaner(rule_paths=[rules], default_rules=False)


def test_evaluate_text_mode(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds")
    report = evaluate(ds, ad_cleaner(tmp_path), "text", predictions=tmp_path / "pred")
    assert [d.id for d in report.documents] == ["d1", "d2", "d3"]
    assert report.scores.f1 == pytest.approx(20 / 27)  # worked out in the CLI test
    assert report.baseline.f1 == pytest.approx(16 / 30)
    assert report.scores.empty == 1 and report.documents[1].score.empty
    assert report.errors == []
    assert (tmp_path / "pred" / "d1.txt").read_text(encoding="utf-8") == "alpha beta gamma delta epsilon\n"
    assert (tmp_path / "pred" / "d2.txt").read_bytes() == b""
    assert [d.id for d in report.worst(2)] == ["d2", "d3"]
    ad = {h.name: h for h in report.rules}["test.advertisement"]
    assert (ad.spans, ad.docs, ad.chars, ad.category) == (2, 2, 2 * len("Advertisement\n"), "sponsored")
    assert {h.name for h in report.categories} >= {"sponsored"}
    d = report.to_dict()
    assert d["mode"] == "text" and d["scores"]["f1"] == report.scores.f1 and len(d["documents"]) == 3


def test_evaluate_passes_the_manifest_url_to_the_cleaner(tmp_path: Path) -> None:
    seen: list[str | None] = []
    formats: list[str] = []

    class Recorder:
        def clean(
            self, text: str, *, url: str | None = None, format: str = "text", kind: str | None = None
        ) -> Result:
            seen.append(url)
            formats.append(format)
            return Result(text)

    evaluate(make_dataset(tmp_path / "ds"), Recorder(), "text")
    assert seen == [f"https://example.com/d{i}" for i in (1, 2, 3)]
    assert formats == ["text"] * 3
    seen.clear()
    evaluate(make_dataset(tmp_path / "bare", manifest=False), Recorder(), "text")
    assert seen == [None, None, None]


@dataclass
class FakeExtracted:
    text: str
    url: str | None = None
    encoding: str = "utf-8"
    bom: bool = False
    source: str | None = None
    confidence: float | None = None
    kind: str = "article"


def fake_extract(data: bytes, *, url: str | None = None, **options: object) -> FakeExtracted:
    """A stand-in for ``cleaner.read.extract_html``: the text of the <p> elements."""
    html = gzip.decompress(data).decode()
    paras = [p.split("</p>")[0] for p in html.split("<p>")[1:]]
    paras = [p for p in paras if p != "Advertisement"] if url and url.endswith("d2") else paras
    if not paras:
        raise DocumentError("empty_extraction", "no article found")
    return FakeExtracted("\n".join(paras) + "\n", url)


def test_evaluate_html_mode_with_a_stand_in_extractor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one call into trafilatura is cleaner.read.extract_html: a stand-in with its
    # interface, patched in there, is what evaluation reads every page through.
    monkeypatch.setattr(cleaner.read, "extract_html", fake_extract)
    ds = make_dataset(tmp_path / "ds", html=True)
    report = evaluate(ds, ad_cleaner(tmp_path), "html")
    # d2's extraction finds nothing: an empty output (recall only), not a failure; the
    # others come out as in text mode.
    assert report.documents[1].error == "empty_extraction" and report.documents[1].score.empty
    assert report.errors == []
    assert report.scores.f1 == pytest.approx(20 / 27)
    # the input as is is the extracted text: d2 is empty there too
    assert report.baseline.empty == 1


def test_evaluate_reports_documents_that_fail(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds")
    (ds / "d3.page.txt").write_bytes(b"caf\xe9 latin-1\n")
    report = evaluate(ds, ad_cleaner(tmp_path), "text")
    assert [d.id for d in report.errors] == ["d3"]
    assert report.documents[2].error is not None and report.documents[2].error.startswith("decode:")
    assert report.documents[2].score.empty


def test_load_dataset_errors_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nowhere"):
        load_dataset(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="empty.*gold"):
        load_dataset(tmp_path / "empty")
    with pytest.raises(UsageError, match="html"):
        evaluate(make_dataset(tmp_path / "ds"), Cleaner(), "html")


# -- agreement with the reference scorer ---------------------------------------------


def reference_scores(dataset: Path, pred_dir: Path, out: Path) -> dict:
    subprocess.run(
        [
            sys.executable,
            str(SCORE_PY),
            str(dataset),
            str(pred_dir),
            "--n-bootstrap",
            "0",
            "--json",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.skipif(not (REGION.is_dir() and SCORE_PY.is_file()), reason="benchmark data not present")
def test_agrees_with_the_reference_scorer(tmp_path: Path) -> None:
    report = evaluate(REGION, Cleaner(), "text", predictions=tmp_path / "pred")
    ref = reference_scores(REGION, tmp_path / "pred", tmp_path / "ref.json")
    assert ref["n"] == report.scores.n == 69
    for key in ("precision", "recall", "f1"):
        assert getattr(report.scores, key) == pytest.approx(ref[key], abs=1e-9)
    assert ref["n_empty"] == report.scores.empty
    per_doc = {d["id"]: d for d in ref["per_doc"]}
    for d in report.documents:
        r = per_doc[d.id]
        for mine, theirs in ((d.score.precision, r["precision"]), (d.score.recall, r["recall"])):
            assert (mine is None) == (theirs is None), d.id
            assert mine is None or mine == pytest.approx(theirs, abs=1e-9), d.id
        assert d.score.f1 == pytest.approx(r["f1"], abs=1e-9), d.id
    # the input as is, scored by both
    as_is = tmp_path / "as_is"
    as_is.mkdir()
    for doc_id in load_dataset(REGION).ids:
        shutil.copyfile(REGION / f"{doc_id}.page.txt", as_is / f"{doc_id}.txt")
    ref = reference_scores(REGION, as_is, tmp_path / "ref_as_is.json")
    for key in ("precision", "recall", "f1"):
        assert getattr(report.baseline, key) == pytest.approx(ref[key], abs=1e-9)


@pytest.mark.skipif(
    not ((BENCH / "aeb-dev").is_dir() and SCORE_PY.is_file()),
    reason="benchmark data or its reference scorer not present",
)
def test_html_mode_agrees_with_the_reference_scorer(tmp_path: Path) -> None:
    dev = BENCH / "aeb-dev"
    report = evaluate(dev, Cleaner(), "html", predictions=tmp_path / "pred")
    ref = reference_scores(dev, tmp_path / "pred", tmp_path / "ref.json")
    assert ref["n"] == report.scores.n == 90 and ref["n_empty"] == report.scores.empty
    for key in ("precision", "recall", "f1"):
        assert getattr(report.scores, key) == pytest.approx(ref[key], abs=1e-9)


def test_docscore_f1_guards() -> None:
    assert DocScore(0.0, 0.5, 0.5, 0.0, 0.0).f1 == 0.0
    assert DocScore(0.0, 0.0, 1.0, None, 0.0).f1 == 0.0


# -- the command ---------------------------------------------------------------------


def cleaner_command() -> str:
    exe = Path(sys.executable).parent / "cleaner"
    found = str(exe) if exe.exists() else shutil.which("cleaner")
    if found is None:
        pytest.skip("the cleaner command is not installed")
    return found


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cleaner_command(), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
    )


def test_cli_eval_prints_scores(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds")
    rules = tmp_path / "ad.toml"
    rules.write_text(AD_RULE, encoding="utf-8")
    proc = run_cli(
        "eval", ds, "--rules", rules, "--no-default-rules", "--json", tmp_path / "r.json",
        "--predictions", tmp_path / "pred",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    # Cleaner: d1 P 1 R 1; d2 empty (R 0); d3 P 2/3 R 1 (one extra shingle of three).
    # P = (1 + 2/3) / 2 = 5/6, R = (1 + 0 + 1) / 3 = 2/3, F1 = 2*(5/6)*(2/3)/(3/2) = 20/27.
    # Input as is: d1 "Advertisement alpha ..." has 3 shingles, 2 in the gold -> P 2/3,
    # R 1; d2 "Advertisement" is one shingle, not the gold -> P 0, R 0; d3 P 2/3, R 1.
    # P = (2/3 + 0 + 2/3) / 3 = 4/9, R = 2/3, F1 = 2*(4/9)*(2/3)/(10/9) = 16/30.
    lines = proc.stdout.splitlines()
    cleaner_row = next(line for line in lines if "cleaner" in line and "0.8333" in line)
    assert "0.6667" in cleaner_row and f"{20 / 27:.4f}" in cleaner_row
    as_is_row = next(line for line in lines if "input as is" in line)
    assert f"{4 / 9:.4f}" in as_is_row and f"{16 / 30:.4f}" in as_is_row
    assert "text mode: 3 documents" in proc.stdout
    assert "test.advertisement" in proc.stdout and "weakest" in proc.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["modes"]["text"]["scores"]["f1"] == pytest.approx(20 / 27)
    assert sorted(p.name for p in (tmp_path / "pred").iterdir()) == ["d1.txt", "d2.txt", "d3.txt"]


def test_cli_eval_usage_errors(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dataset"
    proc = run_cli("eval", missing)
    assert proc.returncode == 2 and str(missing) in proc.stderr
    (tmp_path / "nogold").mkdir()
    (tmp_path / "nogold" / "x.page.txt").write_text("text\n", encoding="utf-8")
    proc = run_cli("eval", tmp_path / "nogold")
    assert proc.returncode == 2 and "nogold" in proc.stderr and "gold" in proc.stderr
    ds = make_dataset(tmp_path / "ds")
    proc = run_cli("eval", ds, "--mode", "html")
    assert proc.returncode == 2 and "html" in proc.stderr
    proc = run_cli("eval", ds, "--mode", "pdf")
    assert proc.returncode == 2 and "--mode" in proc.stderr
    assert proc.stdout == ""


def test_cli_eval_exit_3_when_a_document_fails(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds")
    (ds / "d3.page.txt").write_bytes(b"caf\xe9\n")
    proc = run_cli("eval", ds)
    assert proc.returncode == 3
    assert "d3" in proc.stderr and "decode" in proc.stderr
    assert "text mode: 3 documents" in proc.stdout


# -- harm, page types, word F1 and snippets --------------------------------------------------


def test_word_score_is_wcxb_word_f1() -> None:
    from cleaner.evaluate import word_score

    got = word_score("The cat sat. The end", "the cat sat on the mat")
    # words: pred {the:2, cat, sat, end}, gold {the:2, cat, sat, on, mat}; both 4 of 5 and 4 of 6
    assert (got.precision, got.recall) == (pytest.approx(4 / 5), pytest.approx(4 / 6))
    assert got.f1 == pytest.approx(2 * (4 / 5) * (4 / 6) / (4 / 5 + 4 / 6))
    assert word_score("", "").f1 == 1.0 and word_score("x", "").f1 == 0.0 and word_score("", "x").f1 == 0.0


def test_snippets_are_found_case_and_spacing_aside() -> None:
    from cleaner.evaluate import snippets_of

    got = snippets_of("Keep THIS\nline here. Menu", ["keep this line", "gone"], ["Menu", "Login"])
    assert (got.kept, got.with_total, got.dropped, got.without_total) == (1, 2, 1, 2)


def nested_dataset(root: Path) -> Path:
    """Two sites in folders, a manifest naming each page's site and type, and snippets."""
    pages = {
        "a.example/p1": (
            "Advertisement\nalpha beta gamma delta epsilon\n",
            "alpha beta gamma delta epsilon",
            "article",
        ),
        # cleaning takes the whole story: recall falls from 1 to 0 (harm)
        "a.example/p2": ("Advertisement theta iota kappa lambda\n", "theta iota kappa lambda", "article"),
        "b.example/p3": ("one two three four five\n", "one two three four five", "forum"),
    }
    rows = []
    for doc_id, (page, gold, kind) in pages.items():
        site, name = doc_id.split("/")
        (root / site).mkdir(parents=True, exist_ok=True)
        (root / f"{doc_id}.page.txt").write_text(page, encoding="utf-8")
        (root / f"{doc_id}.gold.txt").write_text(gold, encoding="utf-8")
        rows.append(json.dumps({"id": name, "site": site, "page_type": kind}))
    (root / "b.example" / "p3.snippets.json").write_text(
        json.dumps({"with": ["two three"], "without": ["Advertisement"]}), encoding="utf-8"
    )
    (root / "manifest.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


GREEDY_AD = """
[[rule]]
id = "t.ad-line"
category = "sponsored"
description = "A line that starts with the label, and all it holds."
line = '^Advertisement'
examples.remove = ["Advertisement here"]
examples.keep = ["An advertisement was shown."]
"""


def test_harm_page_types_and_snippets_of_a_nested_dataset(tmp_path: Path) -> None:
    ds = load_dataset(nested_dataset(tmp_path / "ds"))
    assert ds.ids == ("a.example/p1", "a.example/p2", "b.example/p3")
    assert ds.types == {"a.example/p1": "article", "a.example/p2": "article", "b.example/p3": "forum"}
    rules = tmp_path / "ad.toml"
    rules.write_text(GREEDY_AD, encoding="utf-8")
    report = evaluate(ds, Cleaner(rule_paths=[rules], default_rules=False), "text")
    overall = report.overall
    assert overall.badly_harmed == ("a.example/p2",) and overall.harmed == ("a.example/p2",)
    assert [g.name for g in report.page_types] == ["article", "forum"]
    article, forum = report.page_types
    assert article.badly_harmed == ("a.example/p2",) and forum.harmed == ()
    assert forum.snippets.kept == 1 and forum.snippets.dropped == 1
    data = report.to_dict()
    assert data["badly_harmed"] == {"over": 0.2, "count": 1, "ids": ["a.example/p2"]}
    assert [t["name"] for t in data["page_types"]] == ["article", "forum"]
    assert data["documents"][1]["harm"] == 1.0 and data["documents"][0]["site"] == "a.example"


def test_cli_eval_prints_harm_by_id_and_page_types(tmp_path: Path) -> None:
    ds = nested_dataset(tmp_path / "ds")
    rules = tmp_path / "ad.toml"
    rules.write_text(GREEDY_AD, encoding="utf-8")
    from typer.testing import CliRunner

    from cleaner.cli import app

    result = CliRunner().invoke(
        app,
        ["eval", str(ds), "--rules", str(rules), "--no-default-rules", "--json", str(tmp_path / "r.json")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "1 page lost more than 0.2 of recall against the input's own: a.example/p2" in result.output
    assert "article" in result.output and "forum" in result.output
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["modes"]["text"]["badly_harmed"]["ids"] == ["a.example/p2"]
