"""Where each rule's pattern is seen: the evidence a default rule must carry.

    python benchmarks/evidence.py [--bench-dir ../shared/bench] [--json FILE] [--rules PATH]...

Cleans every page of the development sets (seeds, aeb-dev, aeb-dev-region, dragnet-sites and
wcxb-dev; whole-page text and HTML) with the default packs (and ``--rules``), and records for
every rule the sites on which it took part in a removed span, with how many pages and how
many of its spans hold words of the gold (harm). A rule enters the default packs when it is
seen on two unrelated sites (``cleaner.loader.unrelated``: bbc.com and bbc.co.uk are one
site); the report says which rules are not, and on which single site the others are.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from cleaner import Cleaner
from cleaner.document import ReadOptions, Unreadable, read
from cleaner.evaluate import SHINGLE_N, load_dataset, tokens
from cleaner.loader import load_rules, site_key
from cleaner.match import host_of

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
SEED_SITES = {"002": "apnews.com", "004": "laist.com"}  # the seeds the design names


def pages(bench: Path) -> Iterator[tuple[str, str, Path, str | None, str]]:
    """(set, site, path, url, gold) for every page of every set, in both modes."""
    for seed in sorted((PROJECT / "seeds").glob("*.txt")):
        site = SEED_SITES.get(seed.name[:3])
        if site:
            yield "seeds", site, seed, None, ""
    for name in ("aeb-dev", "aeb-dev-region", "dragnet-sites", "wcxb-dev"):
        if not (bench / name).is_dir():
            continue
        ds = load_dataset(bench / name)
        for doc_id in ds.ids:
            url = ds.urls.get(doc_id)
            site = ds.sites.get(doc_id) or host_of(url)
            if not site:
                continue
            gold = ds.gold(doc_id)
            for path in (ds.text_path(doc_id), ds.html_path(doc_id)):
                if path is not None and path.is_file():
                    yield name, site, path, url, gold


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir", type=Path, default=PROJECT.parent / "shared" / "bench")
    ap.add_argument("--json", type=Path, help="write every rule's evidence to this file")
    ap.add_argument("--rules", type=Path, action="append", default=[])
    args = ap.parse_args(argv)
    cleaner = Cleaner(load_rules(args.rules, check_evidence=False))
    sites: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    harm: dict[str, int] = defaultdict(int)
    spans: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    n = 0
    for _, site, path, url, gold in pages(args.bench_dir):
        fmt = "html" if ".html" in path.name else "text"
        try:
            doc = read(path, ReadOptions(format=fmt, url=url))
        except Unreadable:
            continue
        result = cleaner.clean(doc.text, url=doc.url, format=doc.clean_format)
        gold_run = f" {' '.join(tokens(gold))} " if gold else ""
        seen_here: set[str] = set()
        for s in result.spans:
            words = tokens(s.text)
            lost = bool(gold_run) and len(words) >= SHINGLE_N and f" {' '.join(words)} " in gold_run
            for rid in s.rules or (s.rule,):
                spans[rid] += 1
                harm[rid] += lost
                if rid not in seen_here:
                    seen_here.add(rid)
                    sites[rid][site] += 1
        n += 1
        if n % 500 == 0:
            print(f"{n} pages, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    table = {}
    for rule in sorted(cleaner.rules, key=lambda r: r.id):
        found = sites.get(rule.id, {})
        keys = {site_key(s) for s in found}
        table[rule.id] = {
            "file": rule.file,
            "sites": dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))),
            "unrelated": len(keys),
            "spans": spans.get(rule.id, 0),
            "in_gold": harm.get(rule.id, 0),
        }
    for rid, row in table.items():
        top = ", ".join(f"{s} ({k})" for s, k in list(row["sites"].items())[:4])
        print(f"{row['unrelated']:3d}  {row['spans']:6d} spans  {row['in_gold']:5d} in gold  {rid:40s} {top}")
    weak = [rid for rid, row in table.items() if row["unrelated"] < 2]
    print(f"{n} pages; {len(table)} rules; {len(weak)} seen on fewer than two unrelated sites:")
    print(", ".join(weak))
    if args.json is not None:
        args.json.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
