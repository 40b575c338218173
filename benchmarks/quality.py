"""The cleaner's quality side by side with its peers', on the development sets.

    python benchmarks/quality.py [--bench-dir ../shared/bench] [--cache DIR] [--only html,text]
                                 [--json FILE]

HTML (wcxb-dev: 1,310 pages of seven types): per page type, WCXB's word F1 and its snippets
(the share of ``with`` snippets kept and of ``without`` snippets dropped, pooled over the
pages) of trafilatura alone, at its defaults, with ``favor_recall`` and with
``favor_precision`` (comments off, no deduplication, the page's URL given), and of the
cleaner (``cleaner.evaluate.evaluate(dataset, Cleaner(), "html")``). trafilatura's texts are
kept under ``--cache`` (by trafilatura's version, setting and page digest), so a second run
only cleans.

Whole-page text (aeb-dev, aeb-dev-region, dragnet-sites, wcxb-dev ``*.page.txt``): the AEB
shingle F1, precision and recall, WCXB's word F1, and the pages harmed (recall fell more than
0.05, and more than 0.20, below the input's own) of the input as is, the C4 line filter
(datatrove's ``C4QualityFilter`` with its document-level drops off; see ``peers.py``) and the
cleaner (``cleaner.evaluate.evaluate(dataset, Cleaner(), "text")``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cleaner import Cleaner
from cleaner.document import ReadOptions, read
from cleaner.errors import DocumentError
from cleaner.evaluate import (
    HARM_MUCH,
    HARM_SOME,
    Dataset,
    DocScore,
    Snippets,
    WordScore,
    aggregate,
    evaluate,
    load_dataset,
    score_document,
    snippets_of,
    word_average,
    word_score,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402  (beside this file)

PROJECT = Path(__file__).resolve().parent.parent
HTML_SET = "wcxb-dev"
TEXT_SETS = ("aeb-dev", "aeb-dev-region", "dragnet-sites", "wcxb-dev")
# trafilatura.extract's favor_recall and favor_precision for each setting (comments are off and
# deduplication too in all).
SETTINGS: dict[str, tuple[bool, bool]] = {
    "defaults": (False, False),
    "favor_recall": (True, False),
    "favor_precision": (False, True),
}
PARTS = ("html", "text")


def say(line: str = "") -> None:
    print(line, flush=True)


def pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"


# -- trafilatura, with its texts kept on disk ---------------------------------------------------


class TrafilaturaCache:
    """trafilatura's text of each page for one setting, in ``DIR/trafilatura-<version>/<setting>/
    <dataset>.json`` as ``{id: [sha256 of the page's bytes, text]}``; a page whose bytes changed
    is extracted again."""

    def __init__(self, root: Path, dataset: str, setting: str) -> None:
        version = importlib.metadata.version("trafilatura")
        self.path = root / f"trafilatura-{version}" / setting / f"{dataset}.json"
        self.entries: dict[str, list[str]] = {}
        if self.path.is_file():
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
        self.changed = False

    def get(self, doc_id: str, digest: str) -> str | None:
        entry = self.entries.get(doc_id)
        return entry[1] if entry is not None and entry[0] == digest else None

    def put(self, doc_id: str, digest: str, text: str) -> None:
        self.entries[doc_id] = [digest, text]
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(self.entries, ensure_ascii=False), encoding="utf-8")
        partial.replace(self.path)


def trafilatura_texts(ds: Dataset, setting: str, cache_root: Path | None) -> dict[str, str]:
    """trafilatura's text of every page of ``ds`` with ``setting`` ("" when it finds none): the
    page's bytes, gunzipped, to ``trafilatura.extract`` (which decodes them), with the URL the
    manifest gives."""
    import trafilatura

    cache = TrafilaturaCache(cache_root, ds.name, setting) if cache_root is not None else None
    out: dict[str, str] = {}
    done = 0
    for doc_id in ds.ids:
        path = ds.html_path(doc_id)
        if path is None:
            out[doc_id] = ""
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        text = cache.get(doc_id, digest) if cache is not None else None
        if text is None:
            html = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            recall, precision = SETTINGS[setting]
            text = trafilatura.extract(
                html,
                url=ds.urls.get(doc_id),
                favor_recall=recall,
                favor_precision=precision,
                include_comments=False,
                deduplicate=False,
            )
            text = text or ""
            if cache is not None:
                cache.put(doc_id, digest, text)
            done += 1
        out[doc_id] = text
    if cache is not None:
        cache.save()
    if done:
        say(f"  trafilatura {setting}: {done} pages extracted" + (f", kept in {cache.path}" if cache else ""))
    return out


# -- HTML: word F1 and snippets per page type ------------------------------------------------------


def html_part(bench: Path, cache: Path | None) -> dict[str, Any]:
    ds = load_dataset(bench / HTML_SET)
    types = sorted({t for t in ds.types.values() if t}, key=lambda t: (-list(ds.types.values()).count(t), t))
    golds = {i: ds.gold(i) for i in ds.ids}
    methods: dict[str, dict[str, tuple[WordScore, Snippets | None]]] = {}
    for setting in SETTINGS:
        started = time.perf_counter()
        texts = trafilatura_texts(ds, setting, cache)
        methods[f"trafilatura {setting}"] = {
            i: (word_score(texts[i], golds[i]), snips(ds, i, texts[i])) for i in ds.ids
        }
        say(f"  trafilatura {setting}: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    report = evaluate(ds, Cleaner(), "html")
    say(f"  cleaner: {time.perf_counter() - started:.0f} s")
    methods["cleaner"] = {d.id: (d.words or WordScore(0.0, 0.0, 0.0), d.snippets) for d in report.documents}

    groups = [(t, [i for i in ds.ids if ds.types.get(i) == t]) for t in types] + [("all", list(ds.ids))]
    table: dict[str, Any] = {}
    for name, ids in groups:
        row: dict[str, Any] = {"pages": len(ids)}
        for method, scores in methods.items():
            words = word_average(scores[i][0] for i in ids)
            pooled = sum((s for i in ids if (s := scores[i][1]) is not None), Snippets())
            row[method] = {
                "word_f1": words.f1,
                "word_precision": words.precision,
                "word_recall": words.recall,
                "with_kept": pooled.kept_share,
                "without_dropped": pooled.dropped_share,
                "snippets": pooled.to_dict(),
            }
        table[name] = row

    heads = ["trafilatura defaults", "favor_recall", "favor_precision", "cleaner"]
    width = 16
    say()
    say(
        f"HTML, {HTML_SET} ({len(ds.ids)} pages): word F1 per page type (trafilatura: comments off, no dedup)"
    )
    say(f"  {'type':<15}{'pages':>6}" + "".join(f"{h:>{width + 6}}" for h in heads))
    for name, row in table.items():
        cells = "".join(f"{row[m]['word_f1']:>{width + 6}.3f}" for m in methods)
        say(f"  {name:<15}{row['pages']:>6}{cells}")
    say()
    say("  snippets, pooled: 'with' kept / 'without' dropped")
    say(f"  {'type':<15}{'pages':>6}" + "".join(f"{h:>{width + 6}}" for h in heads))
    for name, row in table.items():
        cells = "".join(
            f"{pct(row[m]['with_kept']) + ' / ' + pct(row[m]['without_dropped']):>{width + 6}}"
            for m in methods
        )
        say(f"  {name:<15}{row['pages']:>6}{cells}")
    say()
    return {"dataset": HTML_SET, "pages": len(ds.ids), "types": table}


def snips(ds: Dataset, doc_id: str, text: str) -> Snippets | None:
    found = ds.snippets(doc_id)
    return snippets_of(text, *found) if found is not None else None


# -- whole-page text: AEB scores and harm ------------------------------------------------------------


def read_text(ds: Dataset, doc_id: str) -> str:
    """The input as the cleaner reads it (its document layer); "" when it cannot be read, as
    ``cleaner.evaluate`` scores such a page."""
    try:
        return read(ds.text_path(doc_id), ReadOptions(format="text"), follow_symlinks=True).text
    except DocumentError:
        return ""


def harm(score: DocScore, baseline: DocScore) -> float:
    if score.recall is None or baseline.recall is None:
        return 0.0
    return max(0.0, baseline.recall - score.recall)


def text_part(bench: Path, sets: Sequence[str]) -> dict[str, Any]:
    c4: Callable[[str], str] | None = peers.C4Lines().clean if peers.have_datatrove() else None
    out: dict[str, Any] = {}
    rows: list[tuple[str, int, str, dict[str, Any]]] = []
    for name in sets:
        folder = bench / name
        if not folder.is_dir():
            say(f"  {folder}: not found, left out")
            continue
        ds = load_dataset(folder)
        started = time.perf_counter()
        report = evaluate(ds, Cleaner(), "text")
        took = time.perf_counter() - started
        overall = report.overall
        found: dict[str, Any] = {
            "input as is": figures(report.baseline.to_dict(), overall.words_baseline.f1, None, None),
            "cleaner": figures(
                report.scores.to_dict(), overall.words.f1, len(overall.harmed), len(overall.badly_harmed)
            ),
        }
        if c4 is not None:
            scores, words, harms = [], [], []
            for d in report.documents:
                gold = ds.gold(d.id)
                kept = c4(read_text(ds, d.id))
                s = score_document(kept, gold)
                scores.append(s)
                words.append(word_score(kept, gold))
                harms.append(harm(s, d.baseline))
            found["C4 line filter"] = figures(
                aggregate(scores).to_dict(),
                word_average(words).f1,
                sum(h > HARM_SOME for h in harms),
                sum(h > HARM_MUCH for h in harms),
            )
        order = ["input as is", "C4 line filter", "cleaner"]
        out[name] = {
            "pages": len(ds.ids),
            "cleaner_seconds": took,
            **{k: found[k] for k in order if k in found},
        }
        for method in order:
            if method in found:
                rows.append((name, len(ds.ids), method, found[method]))
    say(
        "whole-page text: AEB shingle F1 / P / R, WCXB word F1, pages harmed "
        f"(recall more than {HARM_SOME} / {HARM_MUCH} below the input's own)"
    )
    if c4 is None:
        say(f"  no C4 line filter rows: {peers.DATATROVE_MISSING}")
    columns = f"{'F1':>7}{'P':>7}{'R':>7}{'word F1':>9}{'harmed':>8}{'badly':>7}"
    say(f"  {'set':<15}{'pages':>6}  {'method':<16}{columns}")
    last = None
    for name, pages, method, f in rows:
        shown = (f"{name:<15}{pages:>6}") if name != last else " " * 21
        last = name
        harmed = "-" if f["harmed"] is None else str(f["harmed"])
        badly = "-" if f["badly_harmed"] is None else str(f["badly_harmed"])
        say(
            f"  {shown}  {method:<16}{f['f1']:>7.3f}{f['precision']:>7.3f}{f['recall']:>7.3f}"
            f"{f['word_f1']:>9.3f}{harmed:>8}{badly:>7}"
        )
    say()
    return out


def figures(scores: dict[str, Any], word_f1: float, harmed: int | None, badly: int | None) -> dict[str, Any]:
    return {
        "f1": scores["f1"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "empty": scores["empty"],
        "word_f1": word_f1,
        "harmed": harmed,
        "badly_harmed": badly,
    }


# -- main ----------------------------------------------------------------------------------------------


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cleaner-quality"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--bench-dir",
        type=Path,
        default=PROJECT.parent / "shared" / "bench",
        help="the folder holding the sets (default: ../shared/bench beside the project)",
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=default_cache(),
        help="where trafilatura's texts are kept between runs (default: %(default)s)",
    )
    p.add_argument("--no-cache", action="store_true", help="extract every page again, keep nothing")
    p.add_argument("--only", default=",".join(PARTS), help="html, text or both (default: both)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also save every figure as JSON")
    args = p.parse_args(argv)
    args.only = [x.strip() for x in args.only.split(",") if x.strip()]
    if unknown := set(args.only) - set(PARTS):
        p.error(f"--only: unknown {', '.join(sorted(unknown))}; choose from {','.join(PARTS)}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if not args.bench_dir.is_dir():
        raise SystemExit(f"{args.bench_dir}: not found (give --bench-dir)")
    started = time.perf_counter()
    versions = {d: peers_version(d) for d in ("cleaner", "trafilatura", "datatrove")}
    say("cleaner quality, side by side with its peers")
    say(f"  git {git_commit()}; " + ", ".join(f"{d} {v or 'not installed'}" for d, v in versions.items()))
    say()
    saved: dict[str, Any] = {"versions": versions, "git": git_commit()}
    if "html" in args.only:
        saved["html"] = html_part(args.bench_dir, None if args.no_cache else args.cache)
    if "text" in args.only:
        saved["text"] = text_part(args.bench_dir, TEXT_SETS)
    say(f"({time.perf_counter() - started:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
        say(f"figures saved to {args.json}")


def peers_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_commit() -> str:
    import subprocess

    head = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "-C", str(PROJECT), "diff", "--quiet", "HEAD"], capture_output=True)
    if head.returncode:
        return "unknown"
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.returncode else "")


if __name__ == "__main__":
    main()
