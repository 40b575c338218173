"""The stop lists by which whole-page text is read: jusText's, one per language, and the
choice of a document's language among them."""

from __future__ import annotations

import functools
import importlib.util
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


@functools.lru_cache(maxsize=4)
def stoplists(languages: tuple[str, ...]) -> tuple[list[frozenset[str]], dict[str, tuple[int, ...]]]:
    """jusText's stop lists of ``languages``, and an index from each word to the lists holding
    it, by which the document's language is chosen in one pass over its words.

    Read once per process, when a document first needs them: reading the 40 default lists
    takes about a fifth of a second, more than the rest of start-up with cached rules.
    """
    base = stoplist_dir()
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
    return lists, index


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
    lists, index = stoplists(p["_languages"])
    counts = [0] * len(lists)
    # Each distinct word is looked up once, with the number of times it occurs.
    for word in seen.keys() & index.keys():
        n = seen[word]
        for i in index[word]:
            counts[i] += n
    best = max(range(len(lists)), key=counts.__getitem__)
    # Stop words make up a fifth or more of any page in a listed language; a page where the
    # best list finds a few (a Japanese page with 'by' and 'iPhone' in it) has none of them.
    if counts[best] < MIN_STOP_SHARE * sum(seen.values()):
        return frozenset()
    return lists[best]
