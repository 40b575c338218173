"""Throughput and memory of ``cleaner clean`` against the floors it is held to.

    python benchmarks/run.py [--quick] [--bench-dir ../shared/bench] [--work DIR] [--keep]
                             [--size-mb N] [--jsonl-mb N] [--html-pages N] [--rounds N]
                             [--only text,article,jsonl,html,rss] [--json FILE]

Builds corpora from the development pages (aeb-dev) in a fresh work directory, then times
the installed ``cleaner`` command against a floor (a plain loop doing the same reading and
writing, or trafilatura alone, in a process of the same interpreter). The commands compared
run in turn (A B A B ...) for ``--rounds`` rounds; each figure is the median of its runs,
and each ratio a ratio of medians. See benchmarks/README.md for what every figure means.

Every timed run writes into a directory of its own that did not exist before, and nothing is
deleted until the end: on ext4, creating files soon after deleting thousands is many times
slower for minutes, which would swamp the measurement.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import importlib.util
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cleaner
from cleaner.errors import DocumentError
from cleaner.read import extract_html

MB = 1_000_000  # throughput is in MB (10^6 bytes) per second
MiB = 1 << 20  # memory is in MiB
HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
FLOORS = HERE / "floors.py"
BENCHMARKS = ("text", "article", "jsonl", "html", "rss")
PARTS = 4  # replicated corpora are spread over this many subdirectories
# Sizes: (full, --quick).
SIZE_MB = (50, 5)
JSONL_MB = (1000, 50)  # --quick: 100 MB would take it past 5 minutes at today's ~0.5 MB/s
HTML_PAGES = (900, 300)
# Every command is started by this launcher, which times it and reads its peak RSS from wait4.
# Not from this process: a child forked from it would start with its RSS (trafilatura and the
# corpora are loaded here), and Linux keeps that high-water mark across exec. The launcher's
# own start-up is not in the time, and its small RSS (~8 MiB) is the least a command can show.
LAUNCHER = """\
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""
NO_FALLBACK = "no alternative matcher: the regex path is the only one"


# -- running and timing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One command compared; ``argv`` is given a fresh directory to write its output in."""

    label: str
    argv: Callable[[Path], list[str]]
    env: Mapping[str, str] | None = None


@dataclass
class Timing:
    label: str
    seconds: list[float]
    peak_rss: list[int]  # bytes

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


class Runner:
    """Runs commands in fresh output directories under ``work/runs``, logging to ``work/logs``."""

    def __init__(self, work: Path, rounds: int, env: Mapping[str, str]) -> None:
        self.runs = work / "runs"
        self.logs = work / "logs"
        self.runs.mkdir()
        self.logs.mkdir()
        self.rounds = rounds
        self.env = dict(env)
        self.warnings: list[str] = []

    def once(self, name: str, command: Command, tag: str) -> tuple[float, int]:
        """Run ``command`` once into a new directory; return (wall seconds, peak RSS bytes)."""
        slug = re.sub(r"[^a-z0-9]+", "-", command.label.lower()).strip("-")
        fresh = self.runs / f"{name}.{slug}.{tag}"
        fresh.mkdir()
        argv = command.argv(fresh)
        log = self.logs / f"{name}.{slug}.{tag}.log"
        env = {**self.env, **(command.env or {})}
        measured = self.logs / f"{name}.{slug}.{tag}.measured"
        with log.open("wb") as out:
            code = subprocess.call(
                [sys.executable, "-S", "-c", LAUNCHER, str(measured), *argv], stdout=out, stderr=out, env=env
            )
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        if code == 3:  # finished, with a failed document or a rule past its time limit
            self.warnings.append(f"{name}: {command.label} exited 3: {' / '.join(tail)} (log: {log})")
        elif code != 0:
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n" + "\n".join(tail) + f"\n(log: {log})")
        seconds, max_rss_kib = measured.read_text().split()
        return float(seconds), int(max_rss_kib) * 1024

    def compare(self, name: str, commands: Sequence[Command]) -> dict[str, Timing]:
        """Each command once per round, in turn, for ``rounds`` rounds."""
        timings = {c.label: Timing(c.label, [], []) for c in commands}
        for r in range(1, self.rounds + 1):
            shown = []
            for command in commands:
                seconds, rss = self.once(name, command, f"r{r}")
                timings[command.label].seconds.append(seconds)
                timings[command.label].peak_rss.append(rss)
                shown.append(f"{command.label} {seconds:.2f} s")
            say(f"  round {r}/{self.rounds}: " + ", ".join(shown))
        return timings


def say(line: str = "") -> None:
    print(line, flush=True)


# -- corpora ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    path: Path
    docs: int
    size: int  # bytes of input

    def describe(self) -> str:
        return f"{self.size / MB:.1f} MB, {self.docs} docs"


def replicas(
    docs: Sequence[tuple[str, bytes]], target: int, suffix: str, *, by_count: bool = False
) -> Iterator[tuple[Path, bytes]]:
    """Copies of ``docs`` under distinct names, spread over ``PARTS`` subdirectories, until
    ``target`` bytes (or, ``by_count``, documents) are reached."""
    total = 0
    for copy in itertools.count():
        for ident, data in docs:
            if total >= target:
                return
            yield Path(f"part{copy % PARTS}", f"{ident[:16]}-{copy:03d}{suffix}"), data
            total += 1 if by_count else len(data)


def write_tree(root: Path, files: Iterator[tuple[Path, bytes]]) -> Corpus:
    docs = size = 0
    for rel, data in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        docs, size = docs + 1, size + len(data)
    return Corpus(root, docs, size)


def write_jsonl(path: Path, files: Iterator[tuple[Path, bytes]], target: int = 0) -> Corpus:
    """One record ``{"id", "text"}`` per file; repeated (with new ids) until ``target`` bytes."""
    records = [(rel.as_posix(), json.dumps(data.decode("utf-8"), ensure_ascii=False)) for rel, data in files]
    docs = size = 0
    with path.open("xb") as out:
        for copy in itertools.count():
            for ident, text in records:
                rid = json.dumps(ident if copy == 0 else f"{ident}#{copy}")
                line = f'{{"id": {rid}, "text": {text}}}\n'.encode()
                out.write(line)
                docs, size = docs + 1, size + len(line)
            if size >= target:
                return Corpus(path, docs, size)
    raise AssertionError("unreachable")


def load_pages(bench: Path) -> list[tuple[str, Path]]:
    pages = sorted(bench.glob("*.html.gz"))
    if not pages:
        raise SystemExit(f"{bench}: no <id>.html.gz pages (give --bench-dir)")
    return [(p.name.removesuffix(".html.gz"), p) for p in pages]


def page_texts(bench: Path) -> list[tuple[str, bytes]]:
    return [(p.name.removesuffix(".page.txt"), p.read_bytes()) for p in sorted(bench.glob("*.page.txt"))]


def article_texts(pages: Sequence[tuple[str, Path]]) -> list[tuple[str, bytes]]:
    """trafilatura's text of each page, as the cleaner extracts it; pages without text are left out."""
    out = []
    for ident, path in pages:
        with suppress(DocumentError):
            out.append((ident, extract_html(path.read_bytes()).text.encode("utf-8")))
    return out


# -- the machine ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = None
    with suppress(OSError):
        kb = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        memory = int(kb.group(1)) * 1024 if kb else None
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "memory_bytes": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "cleaner": _version("cleaner"),
        "git": git_commit(),
        "trafilatura": _version("trafilatura"),
        "json_floor": json_floor(),
        "hyperscan": "installed" if importlib.util.find_spec("hyperscan") else "not installed",
        "fallback_switch": fallback_switch(),
    }


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_commit() -> str | None:
    """The commit of the cleaner's source tree, marked when it has uncommitted changes."""
    source = Path(cleaner.__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        dirty = subprocess.run(["git", "-C", str(source), "diff", "--quiet", "HEAD"], capture_output=True)
    except OSError:
        return None
    if head.returncode:
        return None
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.returncode else "")


def json_floor() -> str:
    name = "orjson" if importlib.util.find_spec("orjson") else "json"
    version = _version("orjson") if name == "orjson" else "standard library"
    return f"{name} {version}"


def fallback_switch() -> str | None:
    """An environment variable the cleaner reads to leave an alternative matcher for the pure
    ``regex`` path (a name with HYPERSCAN, REGEX or MATCHER in it), or None."""
    lookup = re.compile(r"""(?:environ(?:\.get)?\s*[\[(]\s*|getenv\(\s*)["'](CLEANER_\w+)["']""")
    for path in sorted(Path(cleaner.__file__).resolve().parent.rglob("*.py")):
        for name in lookup.findall(path.read_text(encoding="utf-8")):
            if re.search("HYPERSCAN|REGEX|MATCHER", name):
                return name
    return None


def cleaner_command() -> str:
    beside = Path(sys.executable).with_name("cleaner")
    found = str(beside) if beside.exists() else shutil.which("cleaner")
    if not found:
        raise SystemExit("no `cleaner` command beside this Python or on PATH: install the project first")
    return found


# -- the benchmarks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    text: int  # bytes per text corpus
    jsonl: int  # bytes of the large JSONL stream
    html_pages: int


class Benchmark:
    def __init__(self, args: argparse.Namespace, work: Path, sizes: Sizes) -> None:
        self.args = args
        self.work = work
        self.sizes = sizes
        self.corpora = work / "corpora"
        self.corpora.mkdir()
        self.python = sys.executable
        self.cleaner = cleaner_command()
        self.switch = fallback_switch()
        env = dict(os.environ)
        if self.switch:
            env.pop(self.switch, None)
        self.runner = Runner(work, args.rounds, env)
        self.figures: dict[str, Any] = {}
        self.results: dict[str, Any] = {}

    # commands

    def clean_dir(self, corpus: Corpus, jobs: int = 1, label: str | None = None, **env: str) -> Command:
        return Command(
            label or f"cleaner --jobs {jobs}",
            lambda fresh: [
                self.cleaner,
                "clean",
                str(corpus.path),
                "-o",
                str(fresh / "out"),
                "--jobs",
                str(jobs),
            ],
            env or None,
        )

    def clean_jsonl(self, corpus: Corpus) -> Command:
        return Command(
            "cleaner", lambda fresh: [self.cleaner, "clean", str(corpus.path), "-o", str(fresh / "out.jsonl")]
        )

    def floor(self, kind: str, label: str, corpus: Corpus, out: str = "out") -> Command:
        return Command(
            label, lambda fresh: [self.python, str(FLOORS), kind, str(corpus.path), str(fresh / out)]
        )

    # reporting

    def show(self, name: str, title: str, corpus: Corpus, timings: dict[str, Timing], base: str) -> None:
        say(f"  {title} ({corpus.describe()}), median of {self.args.rounds}:")
        floor = timings[base].median
        entry: dict[str, Any] = {
            "corpus": {"path": str(corpus.path), "docs": corpus.docs, "bytes": corpus.size}
        }
        for label, t in timings.items():
            ratio = "" if label == base else f"   {t.median / floor:6.2f}x the floor"
            say(
                f"    {label:<28} {t.median:8.2f} s {corpus.size / MB / t.median:9.2f} MB/s "
                f"{corpus.docs / t.median:9.1f} docs/s   peak RSS {max(t.peak_rss) / MiB:6.1f} MiB{ratio}"
            )
            entry[label] = {
                "seconds": t.seconds,
                "median_s": t.median,
                "mb_per_s": corpus.size / MB / t.median,
                "docs_per_s": corpus.docs / t.median,
                "peak_rss_bytes": max(t.peak_rss),
            }
        self.results[name] = entry
        say()

    # the fixed cost of a run, which weighs on the ratios of small corpora

    def startup(self, pages: list[tuple[str, bytes]]) -> None:
        smallest = min(pages, key=lambda page: len(page[1]))
        corpus = write_tree(self.corpora / "one", replicas([smallest], 1, ".page.txt", by_count=True))
        say("0. start-up: one small whole-page document")
        commands = [self.floor("copy", "floor (read+write loop)", corpus), self.clean_dir(corpus, 1)]
        timings = self.runner.compare("startup", commands)
        self.show("startup", "one document", corpus, timings, commands[0].label)
        self.figures["startup_s"] = timings[commands[1].label].median

    # 1, 4, 6: directory mode on whole-page text, --jobs 2, and the regex fallback

    def text(self, pages: list[tuple[str, bytes]]) -> None:
        corpus = write_tree(self.corpora / "text", replicas(pages, self.sizes.text, ".page.txt"))
        say("1. directory mode, whole-page text; 4. --jobs 2 against --jobs 1; 6. regex fallback")
        commands = [self.floor("copy", "floor (read+write loop)", corpus), self.clean_dir(corpus, 1)]
        commands.append(self.clean_dir(corpus, 2))
        if self.switch:
            commands.append(
                self.clean_dir(corpus, 1, f"cleaner --jobs 1, {self.switch}=1", **{self.switch: "1"})
            )
        words = self.floor("words", "floor + words of each line", corpus)
        commands.append(words)
        timings = self.runner.compare("text", commands)
        self.show("text", "whole-page text", corpus, timings, commands[0].label)
        floor, one, two = (timings[c.label].median for c in commands[:3])
        self.figures["text_ratio"] = one / floor
        self.figures["text_words_ratio"] = timings[words.label].median / floor
        self.figures["jobs_speedup"] = one / two
        if self.switch:
            self.figures["fallback_mb_s"] = corpus.size / MB / timings[commands[3].label].median
        else:
            say(f"  6. {NO_FALLBACK}")
            say(f"     (the --jobs 1 run above is the regex path: {corpus.size / MB / one:.2f} MB/s)")
            self.figures["fallback_mb_s"] = corpus.size / MB / one
            say()

    # 1: directory mode on article text

    def article(self, articles: list[tuple[str, bytes]]) -> None:
        corpus = write_tree(self.corpora / "article", replicas(articles, self.sizes.text, ".txt"))
        say("1. directory mode, article text (trafilatura's output for the same pages)")
        commands = [self.floor("copy", "floor (read+write loop)", corpus), self.clean_dir(corpus, 1)]
        commands.append(self.floor("words", "floor + words of each line", corpus))
        timings = self.runner.compare("article", commands)
        self.show("article", "article text", corpus, timings, commands[0].label)
        floor = timings[commands[0].label].median
        self.figures["article_ratio"] = timings[commands[1].label].median / floor
        self.figures["article_words_ratio"] = timings[commands[2].label].median / floor

    # 2: JSONL

    def jsonl(self, articles: list[tuple[str, bytes]]) -> None:
        corpus = write_jsonl(self.corpora / "docs.jsonl", replicas(articles, self.sizes.text, ".txt"))
        codec = json_floor().split()[0]
        say(f"2. JSONL mode, article text, against parsing and re-writing every line with {codec}")
        commands = [self.floor("jsonl", f"floor ({codec} loads+dumps)", corpus, "out.jsonl")]
        commands.append(self.clean_jsonl(corpus))
        timings = self.runner.compare("jsonl", commands)
        self.show("jsonl", "docs.jsonl", corpus, timings, commands[0].label)
        self.figures["jsonl_ratio"] = timings[commands[1].label].median / timings[commands[0].label].median

    # 3: HTML

    def html(self, pages: list[tuple[str, Path]]) -> None:
        data = [(ident, path.read_bytes()) for ident, path in pages]
        corpus = write_tree(
            self.corpora / "html", replicas(data, self.sizes.html_pages, ".html.gz", by_count=True)
        )
        say("3. HTML mode (.html.gz pages), against trafilatura.extract with the cleaner's settings")
        commands = [self.floor("html", "floor (extract_html loop)", corpus), self.clean_dir(corpus, 1)]
        timings = self.runner.compare("html", commands)
        self.show("html", "HTML pages (MB are gzipped bytes)", corpus, timings, commands[0].label)
        self.figures["html_ratio"] = timings[commands[1].label].median / timings[commands[0].label].median

    # 5: peak RSS on a large stream

    def rss(self, articles: list[tuple[str, bytes]]) -> None:
        corpus = write_jsonl(
            self.corpora / "big.jsonl", replicas(articles, self.sizes.text, ".txt"), self.sizes.jsonl
        )
        say(f"5. peak RSS of `cleaner clean big.jsonl -o out.jsonl` ({corpus.describe()}), one run")
        seconds, rss = self.runner.once("rss", self.clean_jsonl(corpus), "r1")
        rate = f"{corpus.size / MB / seconds:.2f} MB/s, {corpus.docs / seconds:.1f} docs/s"
        say(f"    {seconds:.1f} s, {rate}, peak RSS {rss / MiB:.1f} MiB")
        say()
        self.figures["rss_mib"] = rss / MiB
        self.figures["rss_mb_s"] = corpus.size / MB / seconds
        self.results["rss"] = {
            "corpus": {"path": str(corpus.path), "docs": corpus.docs, "bytes": corpus.size},
            "seconds": seconds,
            "mb_per_s": corpus.size / MB / seconds,
            "peak_rss_bytes": rss,
        }

    def run(self, only: Sequence[str], bench: Path) -> None:
        pages = load_pages(bench)
        articles = article_texts(pages) if {"article", "jsonl", "rss"} & set(only) else []
        if "text" in only:
            self.startup(page_texts(bench))
            self.text(page_texts(bench))
        if "article" in only:
            self.article(articles)
        if "jsonl" in only:
            self.jsonl(articles)
        if "html" in only:
            self.html(pages)
        if "rss" in only:
            self.rss(articles)


# -- the final table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    key: str  # in ``Benchmark.figures``
    what: str
    unit: str  # "x", "MB/s" or "MiB"
    op: str | None = None  # "<=", "<" or ">="; None: a figure without a target
    bound: float = 0.0

    def shown(self, value: float) -> str:
        return f"{value:.2f}x" if self.unit == "x" else f"{value:.2f} {self.unit}"

    @property
    def goal(self) -> str:
        if not self.op:
            return "-"
        return f"{self.op} {self.bound:g}" + ("x" if self.unit == "x" else f" {self.unit}")

    def met(self, value: float) -> bool | None:
        checks = {"<=": value <= self.bound, "<": value < self.bound, ">=": value >= self.bound}
        return checks[self.op] if self.op else None


TARGETS = (
    Target("text_ratio", "directory mode, whole-page text: cleaner/floor", "x", "<=", 2.0),
    Target("text_words_ratio", "  words of every line alone: that floor/floor", "x"),
    Target("article_ratio", "directory mode, article text: cleaner/floor", "x", "<=", 1.2),
    Target("article_words_ratio", "  words of every line alone: that floor/floor", "x"),
    Target("jsonl_ratio", "JSONL mode: cleaner/JSON floor", "x", "<=", 2.0),
    Target("html_ratio", "HTML mode: cleaner/trafilatura.extract", "x", "<=", 1.05),
    Target("jobs_speedup", "--jobs 2 speed-up over --jobs 1, whole-page", "x", ">=", 1.7),
    Target("rss_mib", "peak RSS, large JSONL stream", "MiB", "<", 100),
    Target("rss_mb_s", "throughput, large JSONL stream", "MB/s"),
    Target("fallback_mb_s", "regex-path throughput, whole-page text", "MB/s", ">=", 15),
    Target("startup_s", "start-up: cleaner on one small document", "s"),
)


def summary(figures: Mapping[str, float], notes: Mapping[str, str]) -> list[dict[str, Any]]:
    """Print each figure measured next to its target; return them as rows."""
    rows = []
    say(f"{'figure':<46} {'measured':>11}   {'target':<11} result")
    for t in TARGETS:
        if t.key not in figures:
            continue
        value, met = figures[t.key], t.met(figures[t.key])
        result = {True: "met", False: "NOT MET", None: ""}[met]
        note = f"  ({notes[t.key]})" if t.key in notes else ""
        say(f"{t.what:<46} {t.shown(value):>11}   {t.goal:<11} {result}{note}")
        row = {"figure": t.key, "what": t.what, "value": value, "unit": t.unit, "target": t.goal}
        rows.append({**row, "met": met, "note": notes.get(t.key)})
    return rows


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"small sizes: {SIZE_MB[1]} MB corpora, a {JSONL_MB[1]} MB stream, {HTML_PAGES[1]} pages",
    )
    p.add_argument(
        "--bench-dir",
        type=Path,
        default=PROJECT.parent / "shared" / "bench",
        help="the benchmark data, holding aeb-dev/ (default: ../shared/bench beside the project)",
    )
    p.add_argument(
        "--work", type=Path, help="work directory; must not exist or be empty (default: a new temporary one)"
    )
    p.add_argument("--keep", action="store_true", help="keep the work directory (corpora, outputs, logs)")
    p.add_argument(
        "--size-mb", type=float, help=f"MB per text corpus (default {SIZE_MB[0]}, --quick {SIZE_MB[1]})"
    )
    p.add_argument(
        "--jsonl-mb",
        type=float,
        help=f"MB of the large JSONL stream (default {JSONL_MB[0]}, --quick {JSONL_MB[1]})",
    )
    p.add_argument(
        "--html-pages",
        type=int,
        help=f"pages in the HTML corpus (default {HTML_PAGES[0]}, --quick {HTML_PAGES[1]})",
    )
    p.add_argument(
        "--rounds", type=int, default=3, help="runs of each compared command, in turn (at least 3)"
    )
    p.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"which to run, comma-separated: {','.join(BENCHMARKS)}"
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="also save every figure and time as JSON")
    args = p.parse_args(argv)
    if args.rounds < 3:
        p.error("--rounds must be at least 3")
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := set(args.only) - set(BENCHMARKS):
        p.error(f"--only: unknown {', '.join(sorted(unknown))}; choose from {','.join(BENCHMARKS)}")
    return args


def fresh_work(path: Path | None) -> Path:
    if path is None:
        return Path(tempfile.mkdtemp(prefix="cleaner-bench-"))
    if path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path}: not empty; the work directory must be fresh")
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    pick = 1 if args.quick else 0
    sizes = Sizes(
        text=int((args.size_mb or SIZE_MB[pick]) * MB),
        jsonl=int((args.jsonl_mb or JSONL_MB[pick]) * MB),
        html_pages=args.html_pages or HTML_PAGES[pick],
    )
    bench = args.bench_dir / "aeb-dev"
    if not bench.is_dir():
        raise SystemExit(f"{bench}: not found (give --bench-dir, the folder holding aeb-dev/)")
    info = machine()
    work = fresh_work(args.work)
    started = time.perf_counter()
    say("cleaner benchmark")
    say(
        f"  machine:    {info['nproc']} cores, {info['cpu']}, "
        f"{(info['memory_bytes'] or 0) / 2**30:.1f} GiB, {info['platform']}"
    )
    say(f"  python:     {info['python']} ({info['python_executable']})")
    say(f"  cleaner:    {info['cleaner']}, git {info['git'] or 'unknown'}")
    say(f"  libraries:  trafilatura {info['trafilatura']}, JSON floor {info['json_floor']}")
    switch = info["fallback_switch"] or "none"
    say(f"  matchers:   hyperscan {info['hyperscan']}, regex-fallback switch {switch}")
    say(
        f"  sizes:      text corpora {sizes.text / MB:g} MB, stream {sizes.jsonl / MB:g} MB, "
        f"{sizes.html_pages} HTML pages; {args.rounds} rounds; data {bench}"
    )
    say(f"  work:       {work}")
    say()
    bm = Benchmark(args, work, sizes)
    try:
        bm.run(args.only, bench)
    finally:  # also after a failed command or Ctrl-C: what was measured is shown
        report(bm, args, info, sizes, time.perf_counter() - started)
        if args.keep:
            say(f"work directory kept: {work}")
        else:
            say(f"removing {work}")
            shutil.rmtree(work, ignore_errors=True)


def report(bm: Benchmark, args: argparse.Namespace, info: dict[str, Any], sizes: Sizes, took: float) -> None:
    if not bm.figures:
        return
    notes = {} if bm.switch else {"fallback_mb_s": "no alternative matcher; the default --jobs 1 run"}
    if "rss" in bm.results and sizes.jsonl < 1000 * MB:
        notes["rss_mib"] = f"on {bm.results['rss']['corpus']['bytes'] / MB:.0f} MB; the target is for 1 GB"
    say(f"summary: medians of {args.rounds} runs, ratios of medians ({took:.0f} s in all)")
    rows = summary(bm.figures, notes)
    for warning in bm.runner.warnings:
        say(f"warning: {warning}")
    if args.json:
        saved = {
            "machine": info,
            "sizes": dataclasses.asdict(sizes),
            "rounds": args.rounds,
            "fallback_switch": bm.switch,
            "figures": bm.figures,
            "targets": rows,
            "runs": bm.results,
            "warnings": bm.runner.warnings,
        }
        args.json.write_text(json.dumps(saved, indent=2) + "\n")
        say(f"figures saved to {args.json}")


if __name__ == "__main__":
    main()
