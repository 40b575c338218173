"""How much `cleaner mine` helps, on a set of many pages per site (dragnet-sites).

    python benchmarks/mine_eval.py [--data DIR] [--modes text,html] [--min-docs N ...]
                                   [--min-pages 8] [--sites A,B] [--without HEURISTIC]
                                   [--json FILE]

For every site with at least ``--min-pages`` pages, two figures, each against the loaded
rules alone (the "before"), by the article-extraction benchmark's metric (``cleaner.evaluate``):

- **same pages**: mine the site's pages, then clean the same pages with the loaded rules
  plus the mined pack;
- **new pages**: split the site's pages in two halves (sorted by id, alternately), mine one
  half and clean the other, both ways round, so that every page is cleaned once by rules
  mined from other pages (mine last month's crawl, clean today's).

Whole-page text (``<id>.page.txt``, cleaned without a URL: the packs apply through their
``requires`` lines, as for text files of a crawl) is the main figure; HTML (trafilatura's
text of ``<id>.html.gz`` read as ``cleaner clean`` reads it, with the page's canonical
URL, grouped by its host) is the second. The dataset's gold keeps headlines, captions and
comments, so the figures that matter are relative: precision and F1 before and after, and
the recall each site loses.

Prints a table per mode, ``--min-docs`` value and figure, with the means over sites and over
all pages. Several ``--min-docs`` values make a sweep. ``--without page-lines`` leaves the
rules using that heuristic out of the loaded rules, before and after alike: what mining adds
when the whole-page heuristic takes nothing. About 40 s per mode and value on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner import Cleaner, load_rules, parse_rules_text
from cleaner.document import ReadOptions, read
from cleaner.errors import DocumentError
from cleaner.evaluate import DocScore, Scores, aggregate, score_document
from cleaner.mine import DEFAULT_MIN_DOCS, mine
from cleaner.mine import Page as Mined
from cleaner.schema import Rule

FIGURES = ("same pages", "new pages")


@dataclass
class Page:
    id: str
    doc: Mined  # what is mined and cleaned
    gold: str
    clean_url: str | None  # the URL the page is cleaned with


@dataclass
class SiteRun:
    """One site, one figure: the pages' scores before and after, and the rules used."""

    site: str
    pages: int
    rules: int = 0
    left_out: int = 0
    before: list[DocScore] = field(default_factory=list)
    after: list[DocScore] = field(default_factory=list)


def figures(before: Scores, after: Scores) -> dict[str, float]:
    return {
        "p_before": before.precision,
        "r_before": before.recall,
        "f1_before": before.f1,
        "p_after": after.precision,
        "r_after": after.recall,
        "f1_after": after.f1,
    }


STORY_WORDS = 10  # the story of a gold starts at its first line of this many words
SENTENCE_ENDS = tuple(".!?:;\"'”’)")  # that ends as a sentence does (a headline seldom does)


def story_of(gold: str) -> str:
    """The gold without its head: the lines before its first line of ``STORY_WORDS`` words
    or more that ends as a sentence does (else before its first line of that many words):
    the headline, the author's name, a date, which this set's gold keeps and the cleaner
    removes by design. A headline of ten words or more seldom ends with a full stop. A gold
    with no line that long (a headline and its dek, a caption) loses its first line, the
    headline, which such golds start with."""
    lines = gold.split("\n")
    long = [k for k, line in enumerate(lines) if len(line.split()) >= STORY_WORDS]
    said = [k for k in long if lines[k].rstrip().endswith(SENTENCE_ENDS)]
    shown = [k for k, line in enumerate(lines) if line.strip()]
    start = said[0] if said else long[0] if long else shown[1] if len(shown) > 1 else 0
    return "\n".join(lines[start:])


def load_pages(
    data: Path, mode: str, min_pages: int, only: Sequence[str], story: bool = False
) -> dict[str, list[Page]]:
    manifest = (data / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    sites: dict[str, list[Page]] = {}
    for row in (json.loads(line) for line in manifest if line.strip()):
        site, pid = row["site"], row["id"]
        if only and site not in only:
            continue
        gold = (data / site / f"{pid}.gold.txt").read_text(encoding="utf-8")
        if story:
            gold = story_of(gold)
        source = f"{site}/{pid}"
        if mode == "text":
            text = (data / site / f"{pid}.page.txt").read_text(encoding="utf-8")
            page = Page(pid, Mined(source, text), gold, None)
        else:
            try:
                got = read(data / site / f"{pid}.html.gz", ReadOptions(format="html"))
                text, url = got.text, got.url
            except DocumentError:
                text, url = "", None
            page = Page(pid, Mined(source, text, url, "html"), gold, url)
        sites.setdefault(site, []).append(page)
    return {s: sorted(p, key=lambda pg: pg.id) for s, p in sorted(sites.items()) if len(p) >= min_pages}


def mined_rules(
    pages: Sequence[Page], site: str, mode: str, min_docs: int, base: Sequence[Rule]
) -> tuple[list[Rule], int]:
    """The rules mined from ``pages``, read back from the TOML ``mine`` writes, and how many
    runs the story guard left out."""
    docs = [p.doc for p in pages if p.doc.text.strip()]
    # Text pages have no URL: they are one group named by the site, as `cleaner mine --site` makes.
    packs = mine(docs, min_docs=min_docs, site=site if mode == "text" else None, rules=base)
    out: list[Rule] = []
    for pack in packs:
        if pack.rules:
            out += parse_rules_text(pack.to_toml(), pack.file_name)
    return out, sum(len(p.left_out) for p in packs)


def clean_all(cleaner: Cleaner, pages: Sequence[Page]) -> list[DocScore]:
    scores = []
    for p in pages:
        text = cleaner.clean(p.doc.text, url=p.clean_url, format=p.doc.format).text if p.doc.text else ""
        scores.append(score_document(text, p.gold))
    return scores


def run_mode(
    data: Path,
    mode: str,
    min_docs: Sequence[int],
    min_pages: int,
    only: Sequence[str],
    without: str,
    story: bool = False,
) -> dict[str, Any]:
    base = tuple(r for r in load_rules() if not without or r.heuristic != without)
    alone = Cleaner(rules=base)
    sites = load_pages(data, mode, min_pages, only, story)
    before = {s: clean_all(alone, pages) for s, pages in sites.items()}
    results: dict[str, Any] = {}
    for n in min_docs:
        same_runs, new_runs = [], []
        for site, pages in sites.items():
            rules, left = mined_rules(pages, site, mode, n, base)
            same = SiteRun(site, len(pages), len(rules), left, before[site])
            same.after = clean_all(Cleaner(rules=[*base, *rules]), pages)
            same_runs.append(same)
            halves = (pages[0::2], pages[1::2])
            new = SiteRun(site, len(pages))
            for mined_on, cleaned in (halves, halves[::-1]):
                rules, left = mined_rules(mined_on, site, mode, n, base)
                new.rules += len(rules)
                new.left_out += left
                new.after += clean_all(Cleaner(rules=[*base, *rules]), cleaned)
                new.before += [before[site][pages.index(p)] for p in cleaned]
            new_runs.append(new)
        results[str(n)] = {"same pages": summarise(same_runs), "new pages": summarise(new_runs)}
    return results


def summarise(runs: Sequence[SiteRun]) -> dict[str, Any]:
    per_site = {
        r.site: {
            "pages": r.pages,
            "rules": r.rules,
            "left_out": r.left_out,
            **figures(aggregate(r.before), aggregate(r.after)),
        }
        for r in runs
    }
    keys = ("p_before", "r_before", "f1_before", "p_after", "r_after", "f1_after")
    mean = {k: statistics.mean(s[k] for s in per_site.values()) for k in keys}
    everything = figures(
        aggregate(s for r in runs for s in r.before), aggregate(s for r in runs for s in r.after)
    )
    changes = {site: s["r_after"] - s["r_before"] for site, s in per_site.items()}
    worst = min(changes, key=changes.__getitem__)
    return {
        "sites": per_site,
        "mean over sites": mean,
        "all pages": everything,
        "worst recall change": {"site": worst, "change": changes[worst]},
        "sites losing over 0.01 recall": sorted(s for s, c in changes.items() if c < -0.01),
        "rules per site": statistics.mean(s["rules"] for s in per_site.values()),
    }


def _row(label: str, s: dict[str, Any], pages: str = "", rules: str = "") -> str:
    return (
        f"{label:32} {pages:>5} {rules:>5}  {s['p_before']:.3f} → {s['p_after']:.3f}  "
        f"{s['r_before']:.3f} → {s['r_after']:.3f} {s['r_after'] - s['r_before']:+7.3f}  "
        f"{s['f1_before']:.3f} → {s['f1_after']:.3f}"
    )


def show(mode: str, n: str, figure: str, summary: dict[str, Any]) -> None:
    print(f"\n== {mode}, --min-docs {n}, {figure} ==")
    head = ("site", "pages", "rules", "P before→after", "R before→after", "ΔR", "F1 before→after")
    print(f"{head[0]:32} {head[1]:>5} {head[2]:>5}  {head[3]:14}  {head[4]:14} {head[5]:>7}  {head[6]}")
    for site, s in summary["sites"].items():
        print(_row(site, s, str(s["pages"]), str(s["rules"])))
    print(_row("mean over sites", summary["mean over sites"]))
    print(_row("all pages", summary["all pages"]))
    w, losing = summary["worst recall change"], summary["sites losing over 0.01 recall"]
    print(
        f"worst recall change {w['change']:+.4f} ({w['site']}); sites losing over 0.01: {len(losing)}", losing
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/bench/dragnet-sites"))
    ap.add_argument("--modes", default="text,html", help="text, html or both (comma-separated)")
    ap.add_argument(
        "--min-docs", type=int, action="append", help=f"repeat for a sweep (default {DEFAULT_MIN_DOCS})"
    )
    ap.add_argument("--min-pages", type=int, default=8, help="judge the sites with at least this many pages")
    ap.add_argument("--sites", default="", help="only these sites (comma-separated)")
    ap.add_argument("--without", default="", metavar="HEURISTIC", help="leave out the rules using it")
    ap.add_argument(
        "--story",
        action="store_true",
        help="score against each gold without its head (headline, author, date), which the gold "
        "keeps and the cleaner removes by design",
    )
    ap.add_argument("--json", type=Path, help="save every figure")
    args = ap.parse_args(argv)
    min_docs = args.min_docs or [DEFAULT_MIN_DOCS]
    only = [s for s in args.sites.split(",") if s]
    out: dict[str, Any] = {}
    for mode in args.modes.split(","):
        start = time.perf_counter()
        out[mode] = run_mode(args.data, mode, min_docs, args.min_pages, only, args.without, args.story)
        for n, by_figure in out[mode].items():
            for figure in FIGURES:
                show(mode, n, figure, by_figure[figure])
        print(f"({mode}: {time.perf_counter() - start:.0f} s)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
