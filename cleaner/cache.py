"""The compiled-rule cache: loaded rules and their matching plan, kept between runs.

Loading the default packs and compiling their plan takes about 0.3 s (``regex`` parses
every pattern in Python, and the prefilter works out every pattern's literals); reading
both back from a pickle takes about 15 ms. A cache file is named by a digest of everything
the result depends on: the rule files' names and bytes, the cleaner's own source, the
versions of Python and ``regex``, and the installed build of ``pyahocorasick``. Any change
to one of them names another file.

The folder is the cache folder of ``cachefiles.py`` (``CLEANER_CACHE_DIR``). A cache that
cannot be read or written is passed over, and the rules are loaded as usual; rule files
with problems are never cached, so their problems are reported as before.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import pickle
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

import regex

from .cachefiles import CACHE_ENV, cache_dir, read_own, write_whole
from .compile import Plan, compile_plan
from .loader import MAX_RULE_FILE_BYTES, default_rules_dir, display_name, load_rules, rule_files
from .prefilter import pure_regex
from .schema import Rule

__all__ = ["CACHE_ENV", "cache_dir", "load_compiled"]

FORMAT = b"cleaner-rules-1"  # changed when what is pickled changes shape
KEEP = 16  # cache files kept in the folder, the most recently written
_PACKAGE = Path(__file__).resolve().parent

Compiled = tuple[tuple[Rule, ...], Plan]


def load_compiled(paths: Sequence[Path | str], *, defaults: bool) -> Compiled:
    """The rules ``load_rules(paths, defaults=defaults)`` loads and their plan: from the cache
    when it holds them, else loaded, compiled and cached."""
    folder = cache_dir()
    sources = _sources(paths, defaults) if folder is not None else None
    if folder is None or sources is None:
        rules = load_rules(paths, defaults=defaults)
        plan = compile_plan(rules)
        _collect()
        return rules, plan
    path = folder / f"rules-{_digest(sources)}.pickle"
    cached = _read(path)
    if cached is not None:
        return cached
    rules = load_rules(paths, defaults=defaults)
    plan = compile_plan(rules)
    if _sources(paths, defaults) == sources:  # not changed while they were loaded
        _write(path, (rules, plan))
    _collect()
    return rules, plan


def _collect() -> None:
    """Collect the cycles of parse-tree objects compiling leaves (``regex`` frees them in a
    ``__del__``), so that they are not collected in the middle of a document, where a second
    Ctrl-C landing in that ``__del__`` would be printed and ignored instead of stopping the
    run. Rules read from the cache leave none: a collection then would only cost time (a
    full one takes about 15 ms once the command line's modules are loaded)."""
    gc.collect()


def _sources(paths: Sequence[Path | str], defaults: bool) -> list[tuple[str, bytes]] | None:
    """The rule files ``load_rules`` reads, as (name shown in reports, bytes); None when one
    is not a readable regular file, which loading reports as a problem."""
    root = default_rules_dir() if defaults else None
    given = [Path(p) for p in paths]
    if not all(p.exists() for p in given):
        return None
    out: list[tuple[str, bytes]] = [(f"defaults={defaults}", b"")]
    for path in rule_files([root] if root else []) + rule_files(given):
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_RULE_FILE_BYTES:
                return None
            out.append((display_name(path, root), path.read_bytes()))
        except OSError:
            return None
    return out


def _digest(sources: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    versions = (FORMAT, sys.version.encode(), regex.__version__.encode(), str(pure_regex()).encode())
    for part in versions:
        h.update(part + b"\0")
    h.update(_installed("ahocorasick"))
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name, data in sources:
        h.update(name.encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")
    return h.hexdigest()[:32]


def _installed(module: str) -> bytes:
    """Which build of a compiled module whose objects the plan holds is installed: its file,
    size and modification time (reading its version would import ``importlib.metadata``,
    a tenth of the start-up)."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None else None
    if origin is None:
        return b"none\0"
    try:
        st = os.stat(origin)
    except OSError:
        return b"none\0"
    return f"{origin}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape")


def _read(path: Path) -> Compiled | None:
    data = read_own(path)
    if data is None:
        return None
    try:
        rules, plan = pickle.loads(data)
    except Exception:  # truncated, or from another version: not a cache
        return None
    if not isinstance(rules, tuple) or not isinstance(plan, Plan):
        return None
    return rules, plan


def _write(path: Path, compiled: Compiled) -> None:
    """Write the cache file whole or not at all, and keep the ``KEEP`` most recent files of
    the folder."""
    try:
        data = pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a plan that does not pickle
        return
    write_whole(path, data, "rules-*.pickle", KEEP)
