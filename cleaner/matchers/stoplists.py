"""The stop lists by which whole-page text is read: jusText's, one per language, and the
choice of a document's language among them."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import os
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..cachefiles import cache_dir, read_own, write_whole

# jusText's names of the stop lists tried by default: the languages most common on the web
# whose words are separated by spaces.
DEFAULT_LANGUAGES = (
    "English", "German", "French", "Spanish", "Portuguese", "Italian", "Dutch", "Russian", "Polish",
    "Czech", "Slovak", "Ukrainian", "Indonesian", "Malay", "Turkish", "Swedish", "Danish",
    "Norwegian_Bokmal", "Finnish", "Romanian", "Hungarian", "Greek", "Vietnamese", "Catalan",
    "Croatian", "Serbian", "Bulgarian", "Lithuanian", "Slovenian", "Estonian", "Latvian",
    "Arabic", "Persian", "Urdu", "Hebrew", "Hindi", "Bengali", "Tamil", "Korean", "Armenian",
)  # fmt: skip


def stoplist_dir() -> Path:
    """The folder of jusText's stop lists (data files of a dependency): found without importing
    jusText, which would import lxml."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("jusText's stop lists are not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "stoplists"


def check_languages(values: dict[str, Any]) -> dict[str, Any]:
    """Check that every configured language has a stop list; the lists themselves are read
    when a document first needs them (``stoplists``)."""
    base = stoplist_dir()
    for lang in values["languages"]:
        if not (base / f"{lang}.txt").is_file():
            raise ValueError(f"no stop list for language '{lang}'")
    return {**values, "_languages": tuple(values["languages"])}


class StopLists:
    """jusText's stop lists of some languages: an index from each word to the lists holding
    it, by which a document's language is chosen in one pass over its words, and each list
    as a set of words, made from the index when a document first needs that list."""

    def __init__(
        self, count: int, index: dict[str, tuple[int, ...]], lists: list[frozenset[str]] | None
    ) -> None:
        self.count = count
        self.index = index
        self._lists: dict[int, frozenset[str]] = dict(enumerate(lists)) if lists is not None else {}

    def words(self, i: int) -> frozenset[str]:
        found = self._lists.get(i)
        if found is None:
            found = self._lists[i] = frozenset(w for w, ids in self.index.items() if i in ids)
        return found


FORMAT = b"cleaner-stoplists-1"  # changed when what is cached changes shape
KEEP = 4  # cached indexes kept in the folder, the most recently written


@functools.lru_cache(maxsize=4)
def stoplists(languages: tuple[str, ...]) -> StopLists:
    """The stop lists of ``languages``, read once per process, when a document first needs
    them: from the cache folder when it holds their index, else from jusText's files (about
    70 ms for the 40 default lists, a third of start-up; the cached index takes about 30 ms
    to read), and then cached."""
    base = stoplist_dir()
    folder = cache_dir()
    path = folder / f"stoplists-{_digest(base, languages)}.marshal" if folder is not None else None
    if path is not None:
        cached = _read_index(path)
        if cached is not None:
            return StopLists(len(languages), cached, None)
    lists = [
        frozenset(w.casefold() for w in (base / f"{lang}.txt").read_text(encoding="utf-8").split())
        for lang in languages
    ]
    # Most words are in one list only: they share that list's one-element tuple, which
    # makes the index quick to build and small to hold.
    index: dict[str, tuple[int, ...]] = {}
    get = index.get
    for i, words in enumerate(lists):
        only = (i,)
        for w in words:
            prev = get(w)
            index[w] = only if prev is None else prev + only
    if path is not None:
        write_whole(path, marshal.dumps(index), "stoplists-*.marshal", KEEP)
    return StopLists(len(languages), index, lists)


def _digest(base: Path, languages: tuple[str, ...]) -> str:
    """What the index depends on: Python's version (marshal's format), the installed
    jusText's version (its ``.dist-info`` folder's name: a wheel may give every file the
    same time), the languages, and each of their files (its name, size and time of change)."""
    h = hashlib.sha256(FORMAT + b"\0" + sys.version.encode() + b"\0")
    site = base.parent.parent
    try:
        dists = sorted(e.name for e in os.scandir(site) if e.name.lower().startswith("justext-"))
    except OSError:
        dists = []
    h.update("\0".join(dists).encode("utf-8", "surrogateescape") + b"\0")
    for lang in languages:
        path = base / f"{lang}.txt"
        try:
            st = path.stat()
        except OSError:
            h.update(f"{lang}\0missing\0".encode())
            continue
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:32]


def _read_index(path: Path) -> dict[str, tuple[int, ...]] | None:
    data = read_own(path)
    if data is None:
        return None
    try:
        index = marshal.loads(data)
    except (EOFError, ValueError, TypeError):  # truncated or damaged: not a cache
        return None
    return index if isinstance(index, dict) and index else None


def load(p: Mapping[str, Any]) -> object:
    return stoplists(p["_languages"])


MIN_STOP_SHARE = 0.1


# The document's language is chosen by its lines, each counting this many of its words at
# most: one huge line (a drop-down's thousands of options, dumped into the text in another
# language) does not choose the language of all the others.
LANGUAGE_WORDS = 100


def stoplist_for(seen: Counter[str], p: Mapping[str, Any]) -> frozenset[str]:
    """The configured stop list holding most of the document's words (``seen``: how many times
    each occurs; ties: the first listed); empty when none holds a tenth of them (a language
    with no list)."""
    lists = stoplists(p["_languages"])
    index = lists.index
    counts = [0] * lists.count
    # Each distinct word is looked up once, with the number of times it occurs.
    for word in seen.keys() & index.keys():
        n = seen[word]
        for i in index[word]:
            counts[i] += n
    best = max(range(lists.count), key=counts.__getitem__)
    # Stop words make up a fifth or more of any page in a listed language; a page where the
    # best list finds a few (a Japanese page with 'by' and 'iPhone' in it) has none of them.
    if counts[best] < MIN_STOP_SHARE * sum(seen.values()):
        return frozenset()
    return lists.words(best)
