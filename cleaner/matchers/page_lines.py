"""Whole-page text: the article core among menus, link lists, sidebars and footers, found by
classing every line as jusText classes paragraphs."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

import regex

from .registry import Context, Param, Regex, register
from .text import TOKEN, ends_sentence

# jusText's names of the stop lists tried by default: the languages most common on the web
# whose words are separated by spaces.
DEFAULT_LANGUAGES = (
    "English", "German", "French", "Spanish", "Portuguese", "Italian", "Dutch", "Russian", "Polish",
    "Czech", "Slovak", "Ukrainian", "Indonesian", "Malay", "Turkish", "Swedish", "Danish",
    "Norwegian_Bokmal", "Finnish", "Romanian", "Hungarian", "Greek", "Vietnamese", "Catalan",
    "Croatian", "Serbian", "Bulgarian", "Lithuanian", "Slovenian", "Estonian", "Latvian",
    "Arabic", "Persian", "Urdu", "Hebrew", "Hindi", "Bengali", "Tamil", "Korean", "Armenian",
)  # fmt: skip


def _load_stoplists(values: dict[str, Any]) -> dict[str, Any]:
    """Read jusText's stop lists (data files of a dependency; the module is not imported).

    Besides the lists, an index from each word to the lists holding it lets the document's
    language be chosen in one pass over its words.
    """
    from importlib import resources

    values = dict(values)
    lists: list[frozenset[str]] = []
    base = resources.files("justext") / "stoplists"
    for lang in values["languages"]:
        path = base / f"{lang}.txt"
        if not path.is_file():
            raise ValueError(f"no stop list for language '{lang}'")
        lists.append(frozenset(w.casefold() for w in path.read_text(encoding="utf-8").split()))
    # Most words are in one list only: they share that list's one-element tuple, which
    # makes the index quick to build and small to hold.
    index: dict[str, tuple[int, ...]] = {}
    get = index.get
    for i, words in enumerate(lists):
        only = (i,)
        for w in words:
            prev = get(w)
            index[w] = only if prev is None else prev + only
    values["_stoplists"] = lists
    values["_stop_index"] = index
    return values


_MIN_STOP_SHARE = 0.1
_SENTENCE_MARK = regex.compile(r"[.!?。！？]")


def _stoplist_for(tokens: Iterable[str], p: Mapping[str, Any]) -> frozenset[str]:
    """The configured stop list holding most of the document's words (ties: the first
    listed); empty when none holds a tenth of them (a language with no list)."""
    lists: list[frozenset[str]] = p["_stoplists"]
    index: dict[str, tuple[int, ...]] = p["_stop_index"]
    counts = [0] * len(lists)
    # Each distinct word is looked up once, with the number of times it occurs.
    seen = Counter(tokens)
    for word in seen.keys() & index.keys():
        n = seen[word]
        for i in index[word]:
            counts[i] += n
    best = max(range(len(lists)), key=counts.__getitem__)
    # Stop words make up a fifth or more of any page in a listed language; a page where the
    # best list finds a few (a Japanese page with 'by' and 'iPhone' in it) has none of them.
    if counts[best] < _MIN_STOP_SHARE * sum(seen.values()):
        return frozenset()
    return lists[best]


def _prepare(values: dict[str, Any]) -> dict[str, Any]:
    values = _load_stoplists(values)
    opening = values["code_opening"]
    if opening:
        # The standard library's engine scans a whole page for an opening three times as
        # fast as regex; a pattern only regex reads is scanned with regex.
        try:
            values["_code_start"] = re.compile(opening)
            values["_code_in_text"] = re.compile(opening, re.MULTILINE)
        except re.error:
            values["_code_start"] = values["_code_opening"]
            values["_code_in_text"] = regex.compile(opening, regex.MULTILINE | regex.V0)
    values["_code_signs"] = frozenset(values["code_signs"])
    return values


def _code(text: str, p: Mapping[str, Any]) -> bool:
    """Whether a line reads as program code: it opens like an import or a definition
    (``code_opening``), or it has a statement's shape (``code_shape``) and the signs of code
    make up a share of it that prose seldom has; markup a page leaked into its text
    (``code_markup``) is no listing."""
    if p["_code_start"].match(text) is not None:
        return True
    shape, markup = p["_code_shape"], p["_code_markup"]
    if (
        shape is None
        or shape.search(text) is None
        or (markup is not None and markup.search(text) is not None)
    ):
        return False
    visible = "".join(text.split())
    signs = p["_code_signs"]
    return sum(c in signs for c in visible) >= p["code_share"] * len(visible)


def _invisible(text: str) -> bool:
    """Whether a line shows nothing: whitespace and format characters only (zero-width
    spaces and joiners, soft hyphens, byte-order marks), as editors leave between paragraphs."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def _line_classes(ctx: Context, p: Mapping[str, Any]) -> tuple[list[str], list[int]]:
    """Each line's class: text, short, bad, table, code (a short or bad line that reads as
    program code), void (it shows nothing: like a blank line, it neither makes nor breaks
    the core) or '' for a blank line; and its weight in words.

    As jusText classes paragraphs: length in characters, and stop-word density against the
    stop list of the document's language (the configured list holding most of its words;
    for a language without one, length alone).
    A short line that reads as a sentence (closing punctuation, enough words and stop words)
    counts as text. Lines already removed count as bad.
    """
    # A line's tokens are its case-folded \w+ words. Folding the whole line gives the same
    # list as folding each word (no character's folding turns a word character into anything
    # else, or anything else into a word character), and a blank line has none (whitespace is
    # no word character): tests/test_properties.py checks both on every code point.
    find = TOKEN.findall
    tokens = [[] if ln.blank else find(ln.text.casefold()) for ln in ctx.lines]
    stop = _stoplist_for(chain.from_iterable(tokens), p)
    in_stop = stop.__contains__
    # Without a stop list (Japanese, Chinese, Thai: languages written without spaces, most
    # of them), lines are judged by length, as jusText does with no stop list: long lines
    # are text, and short ones when they read as sentences (a sentence mark in them, and
    # one at the end). A line weighs its characters, a word for every two, as its \w+ runs
    # are whole clauses; and half of length_low makes a line long.
    sentences = _SENTENCE_MARK.search if not stop else None
    if sentences is None:
        weights = [ln.words for ln in ctx.lines]
    else:
        weights = [max(ln.words, len("".join(ln.text.split())) // 2) for ln in ctx.lines]
    removed_by = ctx.removed_by
    # whether the page may quote code: a listing has at least one opening line
    code = bool(p["code_opening"]) and p["_code_in_text"].search(ctx.text) is not None
    table_digits, stopwords_low = p["table_digits"], p["stopwords_low"]
    length_low, sentence_words = p["length_low"], p["sentence_words"]
    if sentences is not None:
        length_low //= 2
    out: list[str] = []
    for ln, toks in zip(ctx.lines, tokens, strict=True):
        if ln.blank:
            out.append("")
            continue
        if removed_by[ln.index] is not None:
            out.append("bad")
            continue
        if not toks:
            out.append("void" if _invisible(ln.text) else "bad")
            continue
        n = len(toks)
        digits = sum(map(str.isdigit, toks))
        if n >= 3 and digits >= table_digits * n:
            out.append("table")
            continue
        # Numbers are no words of any language: '$2.53' is two \w+ tokens and no stop word.
        if sentences is not None:  # long lines are text, short ones when they are sentences
            dense = sentences(ln.text) is not None or len(ln.text.strip()) >= length_low
        else:
            dense = sum(map(in_stop, toks)) >= stopwords_low * (n - digits)
        if len(ln.text.strip()) < length_low:
            sentence = dense and weights[ln.index] >= sentence_words and ends_sentence(ln.text)
            out.append("text" if sentence else "code" if code and _code(ln.text, p) else "short")
        else:
            out.append("text" if dense else "code" if code and _code(ln.text, p) else "bad")
    return out, weights


# Not '|', which joins the parts of page titles ('Design Week 2018 | A light installation').
# A class of listed characters matches the same in either engine; the standard library's
# finds them in a third of the time, on every line of a page.
_SEPARATORS = re.compile(r"[:;,–—\-@()\[\]/•·=+&%$€£]")


def _shape(text: str) -> tuple[bool, str]:
    """A list row's shape: whether it starts with a digit, and its separators in order of
    first appearance ('June 9 – Tampa, FL @ Arena' and 'June 14 – Cary, NC @ Park' alike)."""
    seen = "".join(dict.fromkeys(_SEPARATORS.findall(text)))
    stripped = text.lstrip()
    return (bool(stripped) and stripped[0].isdigit(), seen)


def _list_rows(ctx: Context, classes: list[str], content: list[int], min_rows: int) -> set[int]:
    """Lines in runs of at least ``min_rows`` consecutive kept lines of one shape, mostly
    noise lines, with separators or a leading number (a list of dates, results,
    ingredients), not a run of bare titles."""
    rows: set[int] = set()
    run: list[int] = []
    base: tuple[bool, str] | None = None
    for i in [*content, -1]:
        shape = _shape(ctx.lines[i].text) if i >= 0 and ctx.removed_by[i] is None else None
        if shape is not None and base is not None and _alike(shape, base):
            run.append(i)
            continue
        # a list, not paragraphs that happen to start alike: most rows are noise lines
        if len(run) >= min_rows and 2 * sum(classes[k] != "text" for k in run) > len(run):
            rows.update(run)
        run = [i] if shape is not None and (shape[0] or shape[1]) else []
        base = shape if run else None
    return rows


def _alike(shape: tuple[bool, str], base: tuple[bool, str]) -> bool:
    """Whether a row has the shape of the run's first: the same separators, or more after
    them ('June 14 – Cary, NC @ Park (formerly Hall)' in a list of 'June 9 – Tampa, FL @ Arena'),
    or fewer, two at least ('Path B: Slovakia, Ireland' after 'Path A: Iceland, Israel/Hungary';
    a lone '- ' bullet is no such start of a row)."""
    if shape[0] != base[0]:
        return False
    a, b = shape[1], base[1]
    return a == b or (bool(b) and a.startswith(b)) or (len(a) >= 2 and b.startswith(a))


@register(
    "page-lines",
    rank=5,
    params={
        "languages": Param(
            list, list(DEFAULT_LANGUAGES), "jusText's stop lists to choose the document's from"
        ),
        "length_low": Param(
            int, 70, "a line this long (characters) or longer is text when dense in stop words"
        ),
        "stopwords_low": Param(
            float, 0.25, "the least share of a long text line's words that are stop words"
        ),
        "sentence_words": Param(int, 4, "a shorter line that ends a sentence with this many words is text"),
        "line_penalty": Param(int, 12, "what each noise line costs the core, besides its words"),
        "removed_penalty": Param(int, 6, "what each line the rules removed costs the core"),
        "inner_run": Param(int, 3, "runs of this many noise lines or more go from inside the core"),
        "min_lines": Param(int, 20, "documents with fewer non-blank lines are left alone"),
        "min_noise_fraction": Param(
            float, 0.3, "documents with a smaller share of noise lines are left alone"
        ),
        "table_digits": Param(float, 0.4, "a line with this share of numbers among its words is a table row"),
        "table_weight": Param(
            float, 0.25, "the share of their words table rows and code lines count in the core"
        ),
        "min_core_words": Param(int, 30, "a page whose core scores less is left to the rules"),
        "list_rows": Param(int, 4, "a list of this many rows of one shape after the core stays with it"),
        "code_opening": Param(str, "", "what a line of program code may open with (a pattern; empty: none)"),
        "code_shape": Param(Regex, "", "what a statement of code holds (an assignment, a call)"),
        "code_markup": Param(Regex, "", "what markup leaked into text holds, which is no code"),
        "code_signs": Param(str, "", "the characters that are signs of code"),
        "code_share": Param(
            float, 0.08, "the least share of a code line's visible characters that are signs"
        ),
    },
    summary="whole-page text: everything outside the article core (the run of lines where text "
    "outweighs noise most), and runs of noise lines inside it",
    prepare=_prepare,
)
def page_lines(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """Each line is classed as text or noise the way jusText classes paragraphs: a line of
    ``length_low`` characters or more is text when at least ``stopwords_low`` of its words are
    stop words (numbers are no words), against the stop list of the document's language (the
    one of ``languages`` that holds most of its words); a shorter line is text when it reads
    as a sentence. When no list holds a tenth of the words (Japanese, Chinese, Thai), length
    alone decides, as in jusText without a stop list. Table rows (``table_digits`` of their
    words are numbers) and lines of program code (see the ``code_`` parameters; looked for
    only on a page where some line opens like code) are neither: in the core they count
    ``table_weight`` of their words. Lines that show nothing count as neither, and go only
    outside the core.

    The article core is the run of lines where text words outweigh noise words plus
    ``line_penalty`` per noise line (and ``removed_penalty`` per line the rules removed) the
    most; everything outside it goes, and inside it runs of ``inner_run`` or more noise
    lines. It acts only on documents of ``min_lines`` lines or more, at least
    ``min_noise_fraction`` of them noise (lines the rules removed count as noise), and only
    when the core scores ``min_core_words`` or more. A list the article ends with stays with
    it: ``list_rows`` or more consecutive lines of one shape (the same separators, or a
    leading number), mostly noise, right after the core or under one heading line."""
    if sum(1 for ln in ctx.lines if not ln.blank) < p["min_lines"]:
        return  # too few lines to be a whole page, whatever their classes (saves classing them)
    classes, weights = _line_classes(ctx, p)
    # Whether the page qualifies is judged on all its lines, those the rules removed counted
    # as noise (their class is 'bad'): the more noise the rules find, the more the text reads
    # as a whole page, not the less. In the core they weigh as noise too, so that a block of
    # menus or links the rules took most of still counts against the lines around it.
    removed_by = ctx.removed_by
    content = [i for i, c in enumerate(classes) if c and c != "void"]
    if len(content) < p["min_lines"]:
        return
    if sum(classes[i] in ("short", "bad") for i in content) < p["min_noise_fraction"] * len(content):
        return
    noise = [classes[i] in ("short", "bad") for i in content]
    # The core is the maximum-sum run of lines: text lines count their words, noise lines
    # their words plus a penalty per line (the role tags play in body-text extraction), a
    # line the rules removed ``removed_penalty`` alone.
    penalty, removed_penalty = p["line_penalty"], p["removed_penalty"]
    table_weight = p["table_weight"]
    best, best_lo, best_hi = 0, 0, -1
    total, lo = 0, 0
    for k, i in enumerate(content):
        if removed_by[i] is not None:
            total -= removed_penalty
        elif classes[i] in ("table", "code"):
            # Table rows and code weigh a little, so that a story that is mostly a table
            # (standings, results) still has a core, and a listing inside a post does not
            # break it; a fraction, so that a table or a script beside the story does not
            # outweigh it. Neither is noise: a listing inside the core stays.
            total += weights[i] * table_weight
        else:
            words = weights[i]
            total += -(words + penalty) if noise[k] else words
        if total <= 0:
            total, lo = 0, k + 1
        elif total > best:
            best, best_lo, best_hi = total, lo, k
    if best_hi < 0 or best < p["min_core_words"]:
        return  # no run of lines reads as an article: the page is left to the rules
    rows = _list_rows(ctx, classes, content, p["list_rows"]) if p["list_rows"] else set()
    # A list the article ends with (tour dates, results, a schedule), under at most one
    # heading line, belongs to it.
    nxt = best_hi + 1
    if nxt + 1 < len(content) and content[nxt] not in rows and removed_by[content[nxt]] is None:
        nxt += 1  # the heading (not one the rules took, such as 'Most read')
    if nxt < len(content) and content[nxt] in rows:
        while nxt + 1 < len(content) and content[nxt + 1] in rows:
            nxt += 1
        best_hi = nxt
    out: list[int] = []
    run: list[int] = []
    for k, i in enumerate(content):
        if removed_by[i] is not None:
            continue  # settled; neither part of a run nor a break in one
        if k < best_lo or k > best_hi:
            out.append(i)
        elif noise[k] and i not in rows:
            run.append(i)
        else:
            if len(run) >= p["inner_run"]:
                out += run
            run = []
    # Lines that show nothing go with what is around them: outside the core, not inside it.
    first, last = content[best_lo], content[best_hi]
    out += (
        i for i, c in enumerate(classes) if c == "void" and removed_by[i] is None and not first < i < last
    )
    yield from sorted(out)
