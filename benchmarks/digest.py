"""A digest of everything ``cleaner`` writes, to show that a change leaves outputs alone.

    python benchmarks/digest.py [--bench-dir ../shared/bench] [--full] [--json FILE]
                                [--compare FILE]

Runs the installed ``cleaner`` command, as a user would, over the seeds, the golden
fixtures and the development sets, in every mode that applies to each (directory mode
with text and HTML, standard input, JSON Lines, ``--jobs 2``, ``explain``, ``eval
--json``), and prints one SHA-256 per run over the bytes of every file it wrote (names
included, in name order) and of what it printed on standard output. ``--compare FILE``
reads a JSON file an earlier run wrote with ``--json`` and exits 1 naming every run whose
digest differs.

A refactor or a speed change must leave every digest as it was; a change meant to alter
outputs says so, and which runs it altered. ``--full`` adds the 1,310 pages of
``wcxb-dev`` (HTML and whole-page text) and ``dragnet-sites``' HTML, some minutes more.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent


def tree_digest(root: Path) -> str:
    """SHA-256 over the relative names and bytes of every file under ``root``, in name order."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def run(argv: Sequence[str], *, cwd: Path, stdin: bytes | None = None) -> tuple[int, bytes]:
    """Run ``cleaner`` in ``cwd`` (paths relative to it, so that reports name the same paths
    whichever folder the run is in)."""
    proc = subprocess.run(["cleaner", *argv], input=stdin, capture_output=True, check=False, cwd=cwd)
    if proc.returncode not in (0, 3):
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        raise SystemExit(f"cleaner {' '.join(argv)}: exit {proc.returncode}")
    return proc.returncode, proc.stdout


def only(src: Path, dst: Path, suffixes: tuple[str, ...]) -> Path:
    """A copy of the files of ``src`` (one level, or per site) with those suffixes."""
    dst.mkdir(parents=True)
    for path in sorted(src.rglob("*")):
        if path.is_file() and path.name.endswith(suffixes):
            rel = path.relative_to(src)
            (dst / rel.parent).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dst / rel)
    return dst


def jsonl_of(texts: Sequence[Path], dst: Path) -> Path:
    with dst.open("w", encoding="utf-8") as f:
        for n, path in enumerate(texts):
            text = path.read_bytes().decode("utf-8", "surrogateescape")
            f.write(json.dumps({"id": n, "text": text, "src": path.name}, ensure_ascii=False) + "\n")
    return dst


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir", type=Path, default=PROJECT.parent / "shared" / "bench")
    ap.add_argument("--full", action="store_true", help="also wcxb-dev and dragnet-sites' HTML")
    ap.add_argument("--json", type=Path, help="write the digests to this file")
    ap.add_argument("--compare", type=Path, help="compare with the digests in this file")
    args = ap.parse_args(argv)
    bench: Path = args.bench_dir
    work = Path(tempfile.mkdtemp(prefix="cleaner-digest-"))
    digests: dict[str, str] = {}

    def record(name: str, *parts: bytes | Path) -> None:
        h = hashlib.sha256()
        for part in parts:
            h.update(tree_digest(part).encode() if isinstance(part, Path) else part)
            h.update(b"\0")
        digests[name] = h.hexdigest()
        print(f"{digests[name][:16]}  {name}", flush=True)

    def clean_dir(name: str, src: Path, *opts: str) -> None:
        # Every run writes into "out" (reports name their outputs' paths), moved aside after.
        out = work / "out"
        code, stdout = run(["clean", src.name, "-o", out.name, *opts], cwd=work)
        record(name, out, f"exit {code}".encode())
        out.rename(work / f"out-{len(digests)}")

    started = time.perf_counter()
    try:
        seeds = only(PROJECT / "seeds", work / "seeds-in", (".txt",))
        clean_dir("seeds", seeds)
        clean_dir("seeds/jobs2", seeds, "-j", "2")
        for seed in sorted(seeds.glob("*.txt")):
            _, stdout = run(["clean", "-"], cwd=work, stdin=seed.read_bytes())
            record(f"seeds/stdin/{seed.name}", stdout)
            _, stdout = run(["explain", str(seed.relative_to(work))], cwd=work)
            record(f"seeds/explain/{seed.name}", stdout)
        golden = only(PROJECT / "fixtures", work / "fixtures-in", (".txt", ".html", ".htm"))
        clean_dir("fixtures", golden)
        sets: list[tuple[str, tuple[str, ...]]] = [
            ("aeb-dev", (".page.txt",)),
            ("aeb-dev", (".html.gz",)),
            ("aeb-dev-region", (".page.txt",)),
            ("dragnet-sites", (".page.txt",)),
        ]
        if args.full:
            sets += [
                ("dragnet-sites", (".html.gz",)),
                ("wcxb-dev", (".page.txt",)),
                ("wcxb-dev", (".html.gz",)),
            ]
        for name, suffixes in sets:
            if not (bench / name).is_dir():
                print(f"(no {bench / name}: skipped)")
                continue
            kind = "html" if suffixes == (".html.gz",) else "text"
            src = only(bench / name, work / f"{name}-{kind}-in", suffixes)
            clean_dir(f"{name}/{kind}", src, "--format", kind)
            if name == "aeb-dev" and kind == "text":
                clean_dir(f"{name}/{kind}/jobs2", src, "--format", kind, "-j", "2")
                docs = jsonl_of(sorted(src.glob("*.page.txt")), work / "aeb-dev.jsonl")
                out = work / "aeb-dev-jsonl"
                out.mkdir()
                run(
                    [
                        "clean",
                        docs.name,
                        "-o",
                        "aeb-dev-jsonl/out.jsonl",
                        "--report",
                        "aeb-dev-jsonl/report.jsonl",
                    ],
                    cwd=work,
                )
                record("aeb-dev/jsonl", out)
        for name in ("aeb-dev", "aeb-dev-region"):
            if (bench / name).is_dir():
                out = work / f"{name}-eval.json"
                run(["eval", str(bench / name), "--json", str(out), "--worst", "0"], cwd=work)
                report = json.loads(out.read_text(encoding="utf-8"))
                report.pop("dataset", None)  # an absolute path
                record(f"{name}/eval", json.dumps(report, sort_keys=True).encode())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(digests)} runs in {time.perf_counter() - started:.0f} s")
    if args.json is not None:
        args.json.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.compare is not None:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        changed = sorted(k for k in digests.keys() & before.keys() if digests[k] != before[k])
        missing = sorted(before.keys() - digests.keys())
        for k in changed:
            print(f"CHANGED {k}")
        for k in missing:
            print(f"NOT RUN {k}")
        print(f"{len(changed)} changed, {len(digests.keys() & before.keys()) - len(changed)} the same")
        return 1 if changed or missing else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
