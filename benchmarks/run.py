"""Throughput and memory of ``cleaner clean`` against its peers, and against the floors.

    python benchmarks/run.py [--quick] [--bench-dir ../shared/bench] [--work DIR] [--keep]
                             [--size-mb N] [--jsonl-mb N] [--html-pages N] [--doc-mb N]
                             [--rounds N] [--only startup,text,inproc,article,jsonl,html,doc,rss]
                             [--json FILE]

Builds corpora from the development pages (aeb-dev, and wcxb-dev for the one large document)
in a fresh work directory, then times the installed ``cleaner`` command against its peers
(datatrove's C4 line filter and pipeline, a trafilatura extraction loop, the start-up of
``import trafilatura``) and against the floors (a plain loop doing the same reading and
writing), each in a process of the same interpreter; the in-process comparisons run in one
child process. The commands compared run in turn (A B A B ...) for ``--rounds`` rounds; each
figure is the median of its runs, and each ratio a ratio of medians. See
benchmarks/README.md for what every figure means.

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402  (beside this file)

MB = 1_000_000  # throughput is in MB (10^6 bytes) per second
MiB = 1 << 20  # memory is in MiB
HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
FLOORS = HERE / "floors.py"
PEERS = HERE / "peers.py"
SEEDS = PROJECT / "seeds"
BENCHMARKS = ("startup", "text", "inproc", "article", "jsonl", "html", "doc", "rss")
PARTS = 4  # replicated corpora are spread over this many subdirectories
# Sizes: (full, --quick).
SIZE_MB = (50, 5)
JSONL_MB = (1000, 50)  # --quick: 100 MB would take it past 5 minutes at today's ~0.5 MB/s
HTML_PAGES = (900, 300)
DOC_MB = (10, 2)  # the one large document; --quick: see benchmarks/README.md
SMALL_DOC = 10_000  # bytes: the large document's text is also cut into documents of about this size
INPROC_ROUNDS = 7  # in-process rounds are cheap: at least this many
# Every command is started by this launcher, which times it and reads its peak RSS from wait4.
# Not from this process: a child forked from it would start with its RSS (trafilatura and the
# corpora are loaded here), and Linux keeps that high-water mark across exec. The launcher's
# own start-up is not in the time, and its small RSS (~8 MiB) is the least a command can show.
LAUNCHER = """\
import os, sys, time
actions = [(os.POSIX_SPAWN_OPEN, 0, sys.argv[2], os.O_RDONLY, 0)] if sys.argv[2] else []
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[3], sys.argv[3:], os.environ, file_actions=actions)
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
    stdin: Path | None = None  # a file to read standard input from


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
            stdin = str(command.stdin or "")
            code = subprocess.call(
                [sys.executable, "-S", "-c", LAUNCHER, str(measured), stdin, *argv],
                stdout=out,
                stderr=out,
                env=env,
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
        "datatrove": _version("datatrove"),
        "json_floor": json_floor(),
        "hyperscan": "installed" if importlib.util.find_spec("hyperscan") else "not installed",
        "fallback_switch": fallback_switch(),
        "load_at_start": load(),
    }


def shown(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def load() -> float | None:
    """The 1-minute load average: other work on the machine shows in it (and in --jobs 2 first)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


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
    doc: int  # bytes of the one large document


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
        # Every command runs as it does once installed: Python reads its modules' cached
        # bytecode (pip writes it for an installed package; an editable install writes it on
        # the first run). Without it, each start compiles the cleaner's sources again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.runner = Runner(work, args.rounds, env)
        self.figures: dict[str, Any] = {}
        self.results: dict[str, Any] = {}
        self.skipped: dict[str, str] = {}  # figure: why it was not measured

    # commands

    def clean_dir(
        self, corpus: Corpus, jobs: int = 1, label: str | None = None, *extra: str, **env: str
    ) -> Command:
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
                *extra,
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

    def peer(self, kind: str, label: str, corpus: Corpus) -> Command:
        return Command(
            label, lambda fresh: [self.python, str(PEERS), kind, str(corpus.path), str(fresh / "out")]
        )

    def skip(self, keys: Sequence[str], why: str) -> None:
        for key in keys:
            self.skipped[key] = why
        say(f"  skipped: {why}")
        say()

    # reporting

    def show(
        self,
        name: str,
        title: str,
        corpus: Corpus,
        timings: dict[str, Timing],
        base: str,
        what: str = "floor",
    ) -> None:
        say(f"  {title} ({corpus.describe()}), median of {self.args.rounds}:")
        floor = timings[base].median
        entry: dict[str, Any] = {
            "corpus": {"path": str(corpus.path), "docs": corpus.docs, "bytes": corpus.size}
        }
        for label, t in timings.items():
            ratio = "" if label == base else f"   {t.median / floor:6.2f}x the {what}"
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

    # start-up: the fixed cost of a run, against importing trafilatura

    def startup(self) -> None:
        seed = max(sorted(SEEDS.glob("*.txt")), key=lambda p: p.stat().st_size)
        corpus = Corpus(seed, 1, seed.stat().st_size)
        say(f"0. start-up: `cleaner clean - < {seed.name}` against `python -c 'import trafilatura'`")
        commands = [
            Command(
                "python -c 'import trafilatura'", lambda fresh: [self.python, "-c", "import trafilatura"]
            ),
            Command("cleaner clean - < seed", lambda fresh: [self.cleaner, "clean", "-"], stdin=seed),
            Command("python -c pass", lambda fresh: [self.python, "-c", "pass"]),
            Command(
                "the same, no rule cache",
                lambda fresh: [self.cleaner, "clean", "-"],
                stdin=seed,
                env={"CLEANER_CACHE_DIR": ""},
            ),
        ]
        for command in commands:  # bytecode written and the compiled rules cached, untimed
            self.runner.once("startup", command, "warm")
        timings = self.runner.compare("startup", commands)
        self.show("startup", "one seed on standard input", corpus, timings, commands[0].label, "import")
        base, mine = (timings[c.label].median for c in commands[:2])
        self.figures["startup_ratio"] = mine / base
        self.figures["startup_s"] = mine
        self.figures["startup_uncached_s"] = timings[commands[3].label].median
        self.figures["import_trafilatura_s"] = base

    # directory mode on whole-page text: --jobs 2 against --jobs 1; floors; the regex fallback

    def text(self, pages: list[tuple[str, bytes]]) -> None:
        corpus = write_tree(self.corpora / "text", replicas(pages, self.sizes.text, ".page.txt"))
        say("1. directory mode, whole-page text: --jobs 2 against --jobs 1, the floors, the regex fallback")
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
            say(f"  {NO_FALLBACK}")
            say(f"  (the --jobs 1 run above is the regex path: {corpus.size / MB / one:.2f} MB/s)")
            self.figures["fallback_mb_s"] = corpus.size / MB / one
            say()

    # in process: the cleaner against the C4 line filter, on the same texts; their scores

    def inproc(self, bench: Path) -> None:
        say("2. in process: Cleaner().clean against the C4 line filter on the same texts")
        keys = [f"{k}_{f}" for k in ("text", "region") for f in ("c4_ratio", "c4_f1", "cleaner_f1")]
        if not peers.have_datatrove():
            self.skip(keys, peers.DATATROVE_MISSING)
            return
        rounds = max(self.args.rounds, INPROC_ROUNDS)
        for key, name in (("text", "aeb-dev"), ("region", "aeb-dev-region")):
            folder = bench / name
            if not folder.is_dir():
                self.skip([f"{key}_{f}" for f in ("c4_ratio", "c4_f1", "cleaner_f1")], f"{folder}: not found")
                continue
            out = subprocess.run(
                [self.python, str(PEERS), "inproc", str(folder), str(rounds)],
                capture_output=True,
                text=True,
                env=self.runner.env,
            )
            if out.returncode:
                raise SystemExit(f"peers.py inproc {folder} exited {out.returncode}:\n{out.stderr[-2000:]}")
            got = json.loads(out.stdout)
            times = got["seconds"]
            for r, (mine, theirs) in enumerate(zip(times["cleaner"], times["c4"], strict=True), 1):
                say(f"  {name} round {r}/{rounds}: cleaner {mine:.3f} s, C4 line filter {theirs:.3f} s")
            mine, theirs = statistics.median(times["cleaner"]), statistics.median(times["c4"])
            size = got["bytes"]
            say(f"  {name} ({size / MB:.2f} MB, {got['docs']} docs), median of {rounds}:")
            say(f"    {'C4 line filter':<28} {theirs:8.3f} s {size / MB / theirs:9.2f} MB/s")
            ratio = f"{mine / theirs:6.2f}x the peer"
            say(f"    {'cleaner':<28} {mine:8.3f} s {size / MB / mine:9.2f} MB/s   {ratio}")
            self.figures[f"{key}_c4_ratio"] = mine / theirs
            self.results[f"inproc_{key}"] = got
            quality = peer_scores(folder)
            self.results[f"inproc_{key}"]["scores"] = quality
            say(f"    AEB F1 / P / R on {name}:")
            for label, sc in quality.items():
                say(f"      {label:<26} {sc['f1']:.3f} / {sc['precision']:.3f} / {sc['recall']:.3f}")
            self.figures[f"{key}_c4_f1"] = quality["C4 line filter"]["f1"]
            self.figures[f"{key}_cleaner_f1"] = quality["cleaner"]["f1"]
            say()

    # directory mode on article text

    def article(self, articles: list[tuple[str, bytes]]) -> None:
        corpus = write_tree(self.corpora / "article", replicas(articles, self.sizes.text, ".txt"))
        say("3. directory mode, article text (trafilatura's output for the same pages), against the floors")
        commands = [self.floor("copy", "floor (read+write loop)", corpus), self.clean_dir(corpus, 1)]
        commands.append(self.floor("words", "floor + words of each line", corpus))
        timings = self.runner.compare("article", commands)
        self.show("article", "article text", corpus, timings, commands[0].label)
        floor = timings[commands[0].label].median
        self.figures["article_ratio"] = timings[commands[1].label].median / floor
        self.figures["article_words_ratio"] = timings[commands[2].label].median / floor

    # JSONL: against a datatrove pipeline, and the JSON floor

    def jsonl(self, articles: list[tuple[str, bytes]]) -> None:
        corpus = write_jsonl(self.corpora / "docs.jsonl", replicas(articles, self.sizes.text, ".txt"))
        codec = json_floor().split()[0]
        say("4. JSONL, article text: against a datatrove pipeline (JsonlReader, C4 line filter, JsonlWriter)")
        say(f"   and the floor, parsing and re-writing every line with {codec}")
        commands = [self.floor("jsonl", f"floor ({codec} loads+dumps)", corpus, "out.jsonl")]
        commands.append(self.clean_jsonl(corpus))
        if peers.have_datatrove():
            commands.append(self.peer("datatrove", "datatrove pipeline, 1 task", corpus))
        else:
            say(f"  no datatrove row: {peers.DATATROVE_MISSING}")
            self.skipped["jsonl_datatrove_ratio"] = peers.DATATROVE_MISSING
        timings = self.runner.compare("jsonl", commands)
        self.show("jsonl", "docs.jsonl", corpus, timings, commands[0].label)
        floor, mine = (timings[c.label].median for c in commands[:2])
        self.figures["jsonl_ratio"] = mine / floor
        if len(commands) > 2:
            self.figures["jsonl_datatrove_ratio"] = mine / timings[commands[2].label].median

    # HTML: against a trafilatura extraction loop, and the cleaner's own extraction alone

    def html(self, pages: list[tuple[str, Path]]) -> None:
        data = [(ident, path.read_bytes()) for ident, path in pages]
        corpus = write_tree(
            self.corpora / "html", replicas(data, self.sizes.html_pages, ".html.gz", by_count=True)
        )
        say("5. HTML (.html.gz pages): against a trafilatura.extract loop at its defaults (comments off),")
        say("   and the floor, the cleaner's own extraction (cleaner.read.extract_html) alone")
        commands = [
            self.peer("trafilatura", "trafilatura.extract loop", corpus),
            self.clean_dir(corpus, 1, "cleaner --format html", "--format", "html"),
            self.floor("html", "floor (extract_html loop)", corpus),
        ]
        timings = self.runner.compare("html", commands)
        self.show("html", "HTML pages (MB are gzipped bytes)", corpus, timings, commands[0].label, "peer")
        peer, mine, floor = (timings[c.label].median for c in commands)
        self.figures["html_trafilatura_ratio"] = mine / peer
        self.figures["html_ratio"] = mine / floor

    # one large document against many small ones made of the same text; its memory

    def doc(self, bench: Path) -> None:
        source = bench / "wcxb-dev"
        keys = ["doc_mb_ratio", "doc_rss_ratio"]
        texts = sorted(source.glob("*.page.txt"))
        say(f"6. one large document against documents of about {SMALL_DOC // 1000} KB of the same text")
        if not texts:
            self.skip(keys, f"{source}: no *.page.txt (the large document is made of its distinct pages)")
            return
        big, small, one = large_document(self.corpora / "doc", texts, self.sizes.doc)
        commands = [
            Command(f"one {one.size / 1000:.0f} KB document", self.clean_path(one.path)),
            Command(f"one {big.size / MB:.1f} MB document", self.clean_path(big.path)),
            Command(f"{small.docs} documents", self.clean_path(small.path)),
        ]
        timings = self.runner.compare("doc", commands)
        base, large, many = (timings[c.label] for c in commands)
        say(f"  the same {big.size / MB:.2f} MB of wcxb-dev page text, median of {self.args.rounds}:")
        for t, corpus in ((base, one), (large, big), (many, small)):
            say(
                f"    {t.label:<28} {t.median:8.2f} s   peak RSS {max(t.peak_rss) / MiB:7.1f} MiB"
                f"   ({corpus.describe()})"
            )
        per_mb_large = (large.median - base.median) / (big.size / MB)
        per_mb_many = (many.median - base.median) / (small.size / MB)
        growth = max(large.peak_rss) - max(base.peak_rss)
        say(f"    per MB past start-up: {per_mb_large:.2f} s in one document, {per_mb_many:.2f} s in many")
        say(
            f"    peak RSS past start-up: {growth / MiB:.1f} MiB for one {big.size / MB:.1f} MB document"
            f" ({growth / big.size:.1f}x its size; {max(large.peak_rss) / big.size:.1f}x with start-up's)"
        )
        say()
        self.figures["doc_mb_ratio"] = per_mb_large / per_mb_many
        self.figures["doc_rss_ratio"] = growth / big.size
        self.results["doc"] = {
            "bytes": big.size,
            "small_docs": small.docs,
            **{
                key: {"seconds": t.seconds, "median_s": t.median, "peak_rss_bytes": max(t.peak_rss)}
                for key, t in (("one_small", base), ("large", large), ("many_small", many))
            },
        }

    def clean_path(self, path: Path) -> Callable[[Path], list[str]]:
        return lambda fresh: [self.cleaner, "clean", str(path), "-o", str(fresh / "out")]

    # peak RSS on a large stream

    def rss(self, articles: list[tuple[str, bytes]]) -> None:
        corpus = write_jsonl(
            self.corpora / "big.jsonl", replicas(articles, self.sizes.text, ".txt"), self.sizes.jsonl
        )
        say(f"7. peak RSS of `cleaner clean big.jsonl -o out.jsonl` ({corpus.describe()}), one run")
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
        pages = load_pages(bench / "aeb-dev")
        articles = article_texts(pages) if {"article", "jsonl", "rss"} & set(only) else []
        if "startup" in only:
            self.startup()
        if "text" in only:
            self.text(page_texts(bench / "aeb-dev"))
        if "inproc" in only:
            self.inproc(bench)
        if "article" in only:
            self.article(articles)
        if "jsonl" in only:
            self.jsonl(articles)
        if "html" in only:
            self.html(pages)
        if "doc" in only:
            self.doc(bench)
        if "rss" in only:
            self.rss(articles)


def large_document(root: Path, texts: Sequence[Path], size: int) -> tuple[Corpus, Corpus, Corpus]:
    """Distinct pages' text, one after another, up to ``size`` bytes: as one document, and cut at
    line ends into documents of about ``SMALL_DOC`` bytes (the same bytes in all); and the first
    of those alone. Distinct pages, so that the large document is not one page many times over
    (which the rules for repeated text would take)."""
    lines: list[bytes] = []
    total = 0
    for path in texts:
        for line in path.read_bytes().splitlines(keepends=True):
            lines.append(line if line.endswith(b"\n") else line + b"\n")
            total += len(lines[-1])
        if total >= size:
            break
    pieces: list[bytes] = []
    piece: list[bytes] = []
    held = 0
    for line in lines:
        piece.append(line)
        held += len(line)
        if held >= SMALL_DOC:
            pieces.append(b"".join(piece))
            piece, held = [], 0
    if piece:
        pieces.append(b"".join(piece))
    big = write_tree(root / "large", iter([(Path("large.txt"), b"".join(lines))]))
    big = Corpus(big.path / "large.txt", big.docs, big.size)
    many = write_tree(
        root / "small",
        ((Path(f"part{n % PARTS}", f"doc-{n:05d}.txt"), data) for n, data in enumerate(pieces)),
    )
    one = write_tree(root / "one", iter([(Path("one.txt"), pieces[0])]))
    return big, many, Corpus(one.path / "one.txt", 1, one.size)


def peer_scores(folder: Path) -> dict[str, dict[str, float]]:
    """AEB shingle F1, precision and recall on a whole-page text set: the input as is, the C4
    line filter and the cleaner (``cleaner.evaluate``)."""
    from cleaner import Cleaner
    from cleaner.evaluate import aggregate, evaluate, load_dataset, score_document

    ds = load_dataset(folder)
    report = evaluate(ds, Cleaner(), "text")
    c4 = peers.C4Lines()
    theirs = aggregate(score_document(c4.clean(read_input(ds, i)), ds.gold(i)) for i in ds.ids)
    return {
        "input as is": report.baseline.to_dict(),
        "C4 line filter": theirs.to_dict(),
        "cleaner": report.scores.to_dict(),
    }


def read_input(ds: Any, doc_id: str) -> str:
    """A whole-page text as the cleaner reads it (its document layer)."""
    from cleaner.document import ReadOptions, read

    return read(ds.text_path(doc_id), ReadOptions(format="text"), follow_symlinks=True).text


# -- the final table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    key: str  # in ``Benchmark.figures``
    what: str
    unit: str  # "x", "MB/s" or "MiB"
    op: str | None = None  # "<=", "<" or ">="; None: a figure without a target
    bound: float = 0.0

    def shown(self, value: float) -> str:
        if self.unit == "x":
            return f"{value:.2f}x"
        if self.unit == "F1":
            return f"{value:.3f}"
        return f"{value:.2f} {self.unit}"

    @property
    def goal(self) -> str:
        if not self.op:
            return "-"
        return f"{self.op} {self.bound:g}" + ("x" if self.unit == "x" else f" {self.unit}")

    def met(self, value: float) -> bool | None:
        checks = {"<=": value <= self.bound, "<": value < self.bound, ">=": value >= self.bound}
        return checks[self.op] if self.op else None


# The targets: the cleaner against its peers. ``{doc}`` and ``{stream}`` are the sizes run.
TARGETS = (
    Target("text_c4_ratio", "whole-page text, in process: cleaner/C4 line filter", "x", "<=", 2.0),
    Target("region_c4_ratio", "article-region text, in process: cleaner/C4 line filter", "x", "<=", 2.0),
    Target("html_trafilatura_ratio", "HTML: cleaner --format html/trafilatura loop", "x", "<=", 1.10),
    Target("startup_ratio", "start-up: cleaner clean - < seed/import trafilatura", "x", "<=", 1.0),
    Target("jsonl_datatrove_ratio", "JSONL: cleaner/datatrove pipeline (C4 line filter)", "x", "<=", 2.0),
    Target("jobs_speedup", "--jobs 2/--jobs 1, whole-page text", "x", ">=", 1.8),
    Target("doc_mb_ratio", "one {doc} document: time per MB/on 10 KB documents", "x", "<=", 1.5),
    Target("rss_mib", "peak RSS, {stream} JSONL stream", "MiB", "<", 100),
    Target("doc_rss_ratio", "peak RSS for one {doc} document/its size", "x", "<=", 8),
)
# Figures without a target: the peers' scores, start-up in seconds, and the floors.
INFORMATION = (
    Target("text_c4_f1", "AEB F1, aeb-dev whole-page text: C4 line filter", "F1"),
    Target("text_cleaner_f1", "  the same text: cleaner", "F1"),
    Target("region_c4_f1", "AEB F1, aeb-dev-region text: C4 line filter", "F1"),
    Target("region_cleaner_f1", "  the same text: cleaner", "F1"),
    Target("startup_s", "start-up: cleaner clean - < seed", "s"),
    Target("import_trafilatura_s", "  python -c 'import trafilatura'", "s"),
    Target("startup_uncached_s", "  cleaner clean - < seed, without the rule cache", "s"),
    Target("text_ratio", "floors: directory mode, whole-page text: cleaner/floor", "x"),
    Target("text_words_ratio", "  words of every line alone: that floor/floor", "x"),
    Target("article_ratio", "floors: directory mode, article text: cleaner/floor", "x"),
    Target("article_words_ratio", "  words of every line alone: that floor/floor", "x"),
    Target("jsonl_ratio", "floors: JSONL: cleaner/JSON parse+dump loop", "x"),
    Target("html_ratio", "floors: HTML: cleaner/its own extraction alone", "x"),
    Target("rss_mb_s", "throughput, large JSONL stream", "MB/s"),
    Target("fallback_mb_s", "regex-path throughput, whole-page text", "MB/s"),
)
WIDTH = 58


def size_name(size: int) -> str:
    return f"{size / 1e9:g} GB" if size >= 1e9 else f"{size / MB:g} MB"


def summary(
    figures: Mapping[str, float], notes: Mapping[str, str], skipped: Mapping[str, str], sizes: Sizes
) -> list[dict[str, Any]]:
    """Print each figure measured next to its target, then the figures without one; return
    them as rows. A figure that could not be measured says why."""
    rows: list[dict[str, Any]] = []
    names = {"doc": size_name(sizes.doc), "stream": size_name(sizes.jsonl)}
    say(f"{'figure':<{WIDTH}} {'measured':>11}   {'target':<11} result")
    for t in (*TARGETS, None, *INFORMATION):
        if t is None:
            say("without a target:")
            continue
        what = t.what.format(**names)
        if t.key in skipped:
            say(f"{what:<{WIDTH}} {'-':>11}   {t.goal:<11} skipped: {skipped[t.key]}")
            rows.append(
                {"figure": t.key, "what": what, "value": None, "target": t.goal, "skipped": skipped[t.key]}
            )
            continue
        if t.key not in figures:
            continue
        value, met = figures[t.key], t.met(figures[t.key])
        result = {True: "met", False: "NOT MET", None: ""}[met]
        note = f"  ({notes[t.key]})" if t.key in notes else ""
        say(f"{what:<{WIDTH}} {t.shown(value):>11}   {t.goal:<11} {result}{note}")
        row = {"figure": t.key, "what": what, "value": value, "unit": t.unit, "target": t.goal}
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
        help=f"small sizes: {SIZE_MB[1]} MB corpora, a {JSONL_MB[1]} MB stream, {HTML_PAGES[1]} pages, "
        f"a {DOC_MB[1]} MB document",
    )
    p.add_argument(
        "--bench-dir",
        type=Path,
        default=PROJECT.parent / "shared" / "bench",
        help="the benchmark data, holding aeb-dev/, aeb-dev-region/ and wcxb-dev/ "
        "(default: ../shared/bench beside the project)",
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
        "--doc-mb",
        type=float,
        help=f"MB of the one large document (default {DOC_MB[0]}, --quick {DOC_MB[1]})",
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
        doc=int((args.doc_mb or DOC_MB[pick]) * MB),
    )
    bench = args.bench_dir
    if not (bench / "aeb-dev").is_dir():
        raise SystemExit(f"{bench / 'aeb-dev'}: not found (give --bench-dir, the folder holding aeb-dev/)")
    info = machine()
    work = fresh_work(args.work)
    started = time.perf_counter()
    say("cleaner benchmark")
    for line in header(info, sizes, args.rounds, bench):
        say(line)
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


def header(info: Mapping[str, Any], sizes: Sizes, rounds: int, bench: Path) -> list[str]:
    """The machine, the versions and the sizes: printed first, and again over the summary."""
    switch = info["fallback_switch"] or "none"
    return [
        f"  machine:    {info['nproc']} cores, {info['cpu']}, "
        f"{(info['memory_bytes'] or 0) / 2**30:.1f} GiB, {info['platform']}",
        f"  python:     {info['python']} ({info['python_executable']})",
        f"  cleaner:    {info['cleaner']}, git {info['git'] or 'unknown'}",
        f"  peers:      trafilatura {info['trafilatura']}, "
        f"datatrove {info['datatrove'] or 'not installed (pip install .[bench])'}, "
        f"JSON floor {info['json_floor']}",
        f"  matchers:   hyperscan {info['hyperscan']}, regex-fallback switch {switch}",
        f"  load:       1-minute load average {shown(info['load_at_start'])} at the start"
        + (f", {shown(info['load_at_end'])} at the end" if "load_at_end" in info else ""),
        f"  sizes:      text corpora {size_name(sizes.text)}, stream {size_name(sizes.jsonl)}, "
        f"{sizes.html_pages} HTML pages, one {size_name(sizes.doc)} document; {rounds} rounds "
        f"(in process: {max(rounds, INPROC_ROUNDS)}); data {bench}",
        "  caches:     bytecode written; the compiled rules cached by an untimed first run",
    ]


def report(bm: Benchmark, args: argparse.Namespace, info: dict[str, Any], sizes: Sizes, took: float) -> None:
    if not bm.figures and not bm.skipped:
        return
    notes = {} if bm.switch else {"fallback_mb_s": "no alternative matcher; the default --jobs 1 run"}
    if "rss" in bm.results and sizes.jsonl < 1000 * MB:
        notes["rss_mib"] = f"on {size_name(sizes.jsonl)}; the target is for 1 GB"
    if sizes.doc != 10 * MB:
        notes["doc_mb_ratio"] = notes["doc_rss_ratio"] = "the target is for 10 MB"
    info["load_at_end"] = load()
    say(f"summary: medians of {args.rounds} runs, ratios of medians ({took:.0f} s in all)")
    for line in header(info, sizes, args.rounds, args.bench_dir):
        say(line)
    rows = summary(bm.figures, notes, bm.skipped, sizes)
    for warning in bm.runner.warnings:
        say(f"warning: {warning}")
    if args.json:
        saved = {
            "machine": info,
            "sizes": dataclasses.asdict(sizes),
            "rounds": args.rounds,
            "fallback_switch": bm.switch,
            "figures": bm.figures,
            "skipped": bm.skipped,
            "targets": rows,
            "runs": bm.results,
            "warnings": bm.runner.warnings,
        }
        args.json.write_text(json.dumps(saved, indent=2) + "\n")
        say(f"figures saved to {args.json}")


if __name__ == "__main__":
    main()
