"""Whole-page text: the article core among menus, link lists, sidebars and footers, found by
classing every line as jusText classes paragraphs."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

import regex

from ..lines import Line
from .regions import held_by_story, signed, story_beyond
from .regions import thread as find_thread
from .regions import walls as find_walls
from .registry import Context, Param, Regex, register
from .stoplists import DEFAULT_LANGUAGES, LANGUAGE_WORDS, check_languages, load, stoplist_for
from .text import TOKEN, ends_sentence, row_shape, rows_alike

_SENTENCE_MARK = regex.compile(r"[.!?。！？]")


def _prepare(values: dict[str, Any]) -> dict[str, Any]:
    values = check_languages(values)
    opening = values["code_opening"]
    if opening:
        # The standard library's engine scans a whole page for an opening three times as
        # fast as regex; a pattern only regex reads is scanned with regex.
        try:
            values["_code_start"] = re.compile(opening)
            values["_code_in_text"] = re.compile(opening, re.MULTILINE)
        except re.error:
            try:
                values["_code_start"] = regex.compile(opening, regex.V0)
                values["_code_in_text"] = regex.compile(opening, regex.MULTILINE | regex.V0)
            except (regex.error, OverflowError, RecursionError) as e:
                raise ValueError(f"code_opening: invalid regular expression: {e}") from None
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


# Above this many characters, a document's tokens are worked out a chunk of lines at a time,
# twice (once to choose the stop list, once to class the lines), rather than held for every
# line at once: they take about ten times the text's size.
_CHUNK_CHARS = 1 << 20
# The chunks are smaller than that: a chunk's tokens are held at the peak of a long text's
# memory, and smaller chunks cost no more time.
_TOKEN_CHUNK_CHARS = 1 << 18


def _token_chunks(lines: list[Line]) -> Iterator[list[list[str]]]:
    """The tokens of every line, a chunk of lines of about ``_TOKEN_CHUNK_CHARS`` characters at
    a time."""
    first = 0
    while first < len(lines):
        limit = lines[first].start + _TOKEN_CHUNK_CHARS
        last = bisect.bisect_right(lines, limit, first + 1, key=_start)
        yield _line_tokens(lines[first:last])
        first = last


def _start(line: Line) -> int:
    return line.start


def _line_tokens(lines: list[Line]) -> list[list[str]]:
    """Each line's tokens: its case-folded \\w+ words. Folding the whole line gives the same
    list as folding each word (no character's folding turns a word character into anything
    else, or anything else into a word character), and a blank line has none (whitespace is
    no word character): tests/test_properties.py checks both on every code point."""
    find = TOKEN.findall
    return [[] if ln.blank else find(ln.text.casefold()) for ln in lines]


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
    if len(ctx.text) <= _CHUNK_CHARS:
        tokens = _line_tokens(ctx.lines)
        seen = Counter(chain.from_iterable(t[:LANGUAGE_WORDS] for t in tokens))
        chunks: Iterable[list[list[str]]] = [tokens]
    else:
        seen = Counter()
        for tokens in _token_chunks(ctx.lines):
            seen.update(chain.from_iterable(t[:LANGUAGE_WORDS] for t in tokens))
        chunks = _token_chunks(ctx.lines)
    stop = stoplist_for(seen, p)
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
    for ln, toks in zip(ctx.lines, chain.from_iterable(chunks), strict=True):
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


def _list_rows(ctx: Context, classes: list[str], content: list[int], min_rows: int) -> set[int]:
    """Lines in runs of at least ``min_rows`` consecutive kept lines of one shape, mostly
    noise lines, with separators or a leading number (a list of dates, results,
    ingredients), not a run of bare titles."""
    rows: set[int] = set()
    run: list[int] = []
    base: tuple[bool, str] | None = None
    for i in [*content, -1]:
        shape = row_shape(ctx.lines[i].text) if i >= 0 and ctx.removed_by[i] is None else None
        if shape is not None and base is not None and rows_alike(shape, base):
            run.append(i)
            continue
        # a list, not paragraphs that happen to start alike: most rows are noise lines
        if len(run) >= min_rows and 2 * sum(classes[k] != "text" for k in run) > len(run):
            rows.update(run)
        run = [i] if shape is not None and (shape[0] or shape[1]) else []
        base = shape if run else None
    return rows


def _item(text: str) -> bool:
    """Whether a line opens like an item of a list (a capital, a digit, a bullet), not like
    the rest of a sentence wrapped from the line above."""
    t = text.lstrip()
    return bool(t) and not t[0].islower()


def _runs(
    content: list[int],
    classes: list[str],
    weights: list[int],
    noise: list[bool],
    removed_by: list[str | None],
    p: Mapping[str, Any],
) -> list[tuple[float, int, int]]:
    """The best stretch of each run of lines whose sum stays above zero, as (sum, first,
    last) positions in ``content``, in order; the core is the one with the greatest sum.

    Text lines count their words, noise lines their words plus a penalty per line (the role
    tags play in body-text extraction), a line the rules removed ``removed_penalty`` alone.
    """
    penalty, removed_penalty = p["line_penalty"], p["removed_penalty"]
    table_weight = p["table_weight"]
    runs: list[tuple[float, int, int]] = []
    best, best_lo, best_hi = 0.0, 0, -1
    total, lo = 0.0, 0
    for k, i in enumerate(content):
        if removed_by[i] is not None:
            total -= removed_penalty
        elif classes[i] in ("table", "code"):
            # Table rows and code weigh a little, so that a story that is mostly a table
            # (standings, results) still has a core, and a listing inside a post does not
            # break it; a fraction, so that a table or a script beside the story does not
            # outweigh it.
            total += weights[i] * table_weight
        else:
            words = weights[i]
            total += -(words + penalty) if noise[k] else words
        if total <= 0:
            if best_hi >= 0:
                runs.append((best, best_lo, best_hi))
            best, best_hi = 0.0, -1
            total, lo = 0.0, k + 1
        elif total > best:
            best, best_lo, best_hi = total, lo, k
    if best_hi >= 0:
        runs.append((best, best_lo, best_hi))
    return runs


def _headline(ctx: Context, content: list[int], p: Mapping[str, Any]) -> int | None:
    """The position in ``content`` of the story's headline: the first line after the first
    that repeats the page's title (whole-page text opens with the document's title). The
    title's headline is its first part of three words or more between ``title_separators``
    ('Feser has three goals' of 'Feser has three goals - NHL.com - News', 'Day in pictures'
    of 'BBC News - Day in pictures'), else its first part of two; a line repeats it when
    ``title_match`` of the words of the longer of the two are in both (a headline reworded
    a little, its quotes or ellipsis printed otherwise). None when no line does."""
    if len(content) < 2:
        return None
    title = ctx.lines[content[0]].text
    parts = p["_title_separators"].split(title) if p["_title_separators"] is not None else [title]
    keys = [tuple(TOKEN.findall(t.casefold())) for t in parts]
    key = next((k for k in keys if len(k) >= 3), None) or next((k for k in keys if len(k) == 2), None)
    if key is None:
        return None
    share, want = p["title_match"], Counter(key)
    for k in range(1, len(content)):
        line = ctx.lines[content[k]]
        if not share * len(key) <= line.words <= len(key) / share:
            continue
        words = Counter(TOKEN.findall(line.text.casefold()))
        if sum((words & want).values()) >= share * max(len(key), line.words):
            return k
    return None


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
        "line_penalty": Param(int, 12, "what each noise line costs a run of lines, besides its words"),
        "removed_penalty": Param(int, 6, "what each line the rules removed costs a run of lines"),
        "min_lines": Param(int, 20, "documents with fewer non-blank lines are left alone"),
        "min_noise_fraction": Param(
            float, 0.3, "documents with a smaller share of noise lines are left alone"
        ),
        "table_digits": Param(float, 0.4, "a line with this share of numbers among its words is a table row"),
        "table_weight": Param(
            float, 0.25, "the share of their words table rows and code lines count in a run"
        ),
        "min_core_words": Param(int, 30, "a page whose core scores less is left to the rules"),
        "list_rows": Param(int, 4, "rows of one shape, this many or more, are a list: they break no region"),
        "chrome": Param(list, [], "the categories of the rules whose removed lines mark chrome (walls)"),
        "title_separators": Param(
            Regex, "", "what separates the parts of a page's title (its headline first)"
        ),
        "title_match": Param(
            float, 0.8, "the share of its words a line shares with the title's headline part"
        ),
        "headline_share": Param(
            float, 0.5, "a run under the headline this share of the best run's is the core"
        ),
        "article_signs": Param(
            list,
            [],
            "the categories of the rules whose removed lines show that a page is an article (none: all are)",
        ),
        "sign_reach": Param(
            int,
            -1,
            "how many regions above the core's a line of an article_signs category may stand in, "
            "with the walls around them, and still show an article (-1: anywhere on the page)",
        ),
        "keep_between": Param(
            bool, False, "a region between two kept regions is kept too (the story's middle)"
        ),
        "shop_controls": Param(
            Regex,
            "",
            "a line a shop's page shows in its product's own block ('Add to cart', 'In stock'): "
            "its region is kept, as the core's is",
        ),
        "inner_wall_lines": Param(
            int,
            0,
            "a wall of at most this many lines between two kept regions keeps the lines the rules "
            "did not remove (0: none)",
        ),
        "sign_lines": Param(
            int,
            0,
            "the most lines of article_signs categories an article's head and foot print; more "
            "are a list's dated items (0: no bound)",
        ),
        "rival_share": Param(
            float, 0.0, "a region holding this many times the text of all that is kept stays (0: none)"
        ),
        "thread_posts": Param(int, 3, "the least number of post headers that make a thread (0: none)"),
        "post_controls": Param(
            list,
            [],
            "the categories of the rules whose removed lines a post header prints as labels ('Reply')",
        ),
        "bridge_lines": Param(
            int, 0, "the most lines of a wall above the core that the story runs on across (0: none)"
        ),
        "bridge_share": Param(
            float, 0.25, "the least share of the core's words a region across such a wall holds"
        ),
        "bridge_below": Param(
            list,
            [],
            "the categories of an inline widget's rules (a sign-up, an advertisement's label): the "
            "story runs on below a kept region across a wall of bridge_lines lines holding only these",
        ),
        "code_opening": Param(str, "", "what a line of program code may open with (a pattern; empty: none)"),
        "code_shape": Param(Regex, "", "what a statement of code holds (an assignment, a call)"),
        "code_markup": Param(Regex, "", "what markup leaked into text holds, which is no code"),
        "code_signs": Param(str, "", "the characters that are signs of code"),
        "code_share": Param(
            float, 0.08, "the least share of a code line's visible characters that are signs"
        ),
    },
    summary="whole-page text: what lies beyond the chrome the rules found around the article "
    "core (the run of lines where text outweighs noise most), that chrome's own lines, and "
    "what is above the story's headline",
    prepare=_prepare,
    load=load,
)
def page_lines(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """Lines of chrome are removed only on positive evidence that they are chrome.

    The core (the run of lines where text outweighs noise most) marks where the story is,
    not where it ends. The page is cut into regions at walls: stretches of noise lines that
    hold a line a rule of a ``chrome`` category removed. What the rules found is the only
    evidence that a stretch is chrome: short lines alone are no evidence, as a story's own
    lists (a recipe's steps, a schedule, results, a meal plan, lyrics, a Q&A) are short
    lines too. Kept are the regions the core touches; under the story's headline (the line
    that repeats the page's title), the first region there that holds ``min_core_words`` of
    text or of a list's rows, for when something else outweighs the story (a footer, a list
    of other stories); the regions of a shop's controls ('Add to cart': the product's own
    block); and every post of a thread the core is a post of (a forum). Removed
    are everything above the headline, every other region, the walls' kept lines, and the
    noise lines the first kept region opens with (a byline, a kicker). A page that shows no
    article (no headline, and no line of a rule of an ``article_signs`` category where a
    story's head or foot stands, ``sign_reach``) keeps every region, and is a page, not an
    article, for the rules that follow. The lines of rules marked ``mined`` (a draft that
    ``cleaner mine`` wrote) take no story prose along on their own account (docs/mine.md).
    """
    out = _judge(ctx, p)
    if out and ctx.mined and any(r in ctx.mined for r in ctx.removed_by):
        out = _mined_aside(ctx, p, out)
    yield from out


def _mined_aside(ctx: Context, p: Mapping[str, Any], out: list[int]) -> list[int]:
    """What page-lines removes (``out``) less the story it takes only on the account of the
    lines mined rules removed. A mined rule is sure of the lines it matches, which repeat on
    a site's pages, but its category is often a guess and no one has read it yet: the
    walls it makes may leave a short story too small to count, or take a story's last lines
    along with the teasers below them. So the page is judged again as if those lines were
    there; a line only the first judgement removes is kept when it is prose, or stands in
    one stretch with prose that stays (``held_by_story``)."""
    removed_by, category_of, kind = ctx.removed_by, ctx.category_of, ctx.kind
    ctx.removed_by = [None if r in ctx.mined else r for r in removed_by]
    ctx.category_of = [None if r in ctx.mined else c for r, c in zip(removed_by, category_of, strict=True)]
    try:
        alone = set(_judge(ctx, p))
    finally:
        ctx.removed_by, ctx.category_of, ctx.kind = removed_by, category_of, kind
    held = held_by_story(ctx.lines, removed_by, out, alone)
    return [i for i in out if i not in held]


def _judge(ctx: Context, p: Mapping[str, Any]) -> list[int]:
    """The lines page-lines removes, in order (see ``page_lines``)."""
    if sum(1 for ln in ctx.lines if not ln.blank) < p["min_lines"]:
        return []  # too few lines to be a whole page, whatever their classes (saves classing them)
    classes, weights = _line_classes(ctx, p)
    # Whether the page qualifies is judged on all its lines, those the rules removed counted
    # as noise (their class is 'bad'): the more noise the rules find, the more the text reads
    # as a whole page, not the less. In the core they weigh as noise too, so that a block of
    # menus or links the rules took most of still counts against the lines around it.
    removed_by = ctx.removed_by
    content = [i for i, c in enumerate(classes) if c and c != "void"]
    if len(content) < p["min_lines"]:
        return []
    if sum(classes[i] in ("short", "bad") for i in content) < p["min_noise_fraction"] * len(content):
        return []
    noise = [classes[i] in ("short", "bad") for i in content]
    runs = _runs(content, classes, weights, noise, removed_by, p)
    best, lo, hi = max(runs, key=lambda r: r[0], default=(0.0, 0, -1))
    if hi < 0 or best < p["min_core_words"]:
        return []  # no run of lines reads as an article: the page is left to the rules
    # Nothing above the headline is the story: the core is the best run under it, when one
    # there weighs half as much (else the line only repeats the site's name, say).
    head = _headline(ctx, content, p)
    # Cutting the page down to the regions around a core is for articles: a page shows it is
    # one by a headline that repeats its title, or by the lines of an article's head the
    # rules found (``article_signs``: a byline, a dateline). A page that shows neither (a
    # service's page, a listing, a product, documentation) keeps every region: its core is
    # no evidence of where its content is, and the rules for articles leave it too.
    signs = set(p["article_signs"])
    headed = head is not None  # a headline shows an article, even one the test below drops
    if head is not None:
        least = max(p["min_core_words"], p["headline_share"] * best)
        below = [r for r in runs if r[2] > head and r[0] >= least]
        if below:
            best, lo, hi = max(below, key=lambda r: r[0])
        else:
            head = None
    rows = _list_rows(ctx, classes, content, p["list_rows"]) if p["list_rows"] else set()
    walls = find_walls(content, noise, rows, ctx, set(p["chrome"]))
    bounds = [-1, *(x for w in walls for x in w), len(content)]
    regions = [(bounds[j] + 1, bounds[j + 1] - 1) for j in range(0, len(bounds), 2)]
    regions = [(a, b) for a, b in regions if a <= b]
    text = [weights[i] if classes[i] == "text" and removed_by[i] is None else 0 for i in content]

    def touching(x: int, y: int) -> list[tuple[int, int]]:
        return [(a, b) for a, b in regions if a <= y and b >= x]

    article = (
        not signs
        or headed
        or signed(ctx, content, regions, touching(lo, hi), signs, p["sign_reach"], p["sign_lines"])
    )
    if not article and ctx.kind is None:
        ctx.kind = "page"
    keep = set(touching(lo, hi)) if article else set(regions)
    if p["bridge_lines"]:
        least = max(p["min_core_words"], p["bridge_share"] * best)
        widget = set(p["bridge_below"])
        inline = {
            j
            for j, (a, b) in enumerate(walls)
            if widget
            and all(ctx.category_of[i] in widget for i in content[a : b + 1] if removed_by[i] is not None)
        }
        keep |= story_beyond(bounds, walls, keep, text, least, p["bridge_lines"], inline)
    if head is not None:
        # A list right under the headline (a schedule, results, a recipe) is the story as
        # much as paragraphs are: there its rows count as text.
        listed = [
            t or (weights[i] if i in rows and _item(ctx.lines[i].text) else 0)
            for t, i in zip(text, content, strict=True)
        ]
        under = [(max(a, head + 1), b) for a, b in regions if b > head]
        under_first = next((r for r in under if sum(listed[r[0] : r[1] + 1]) >= p["min_core_words"]), None)
        if under_first is not None:
            # with the run it is part of, across any wall inside the run (a share bar)
            spans = [(r[1], r[2]) for r in runs if r[1] <= under_first[1] and r[2] >= under_first[0]]
            spans = spans or [under_first]
            for x, y in spans:
                keep.update(touching(x, y))
    if article and p["_shop_controls"] is not None:
        # A shop's controls ('Add to cart', 'Buy now', 'In stock') stand beside the
        # product's name, price and description: that block is the page's content, even
        # when a longer one (reviews, a policy) is the core.
        shop = p["_shop_controls"].match
        for k, i in enumerate(content):
            if removed_by[i] is None and shop(ctx.lines[i].text):
                keep.update(touching(k, k))
    if p["keep_between"] and keep:
        # What lies between two kept regions is the story's middle (a product's description
        # between its name and the block of reviews the core is, the second half of a story
        # below an inline widget), not what surrounds the story.
        first, last = min(x for x, _ in keep), max(y for _, y in keep)
        keep.update(r for r in regions if first <= r[0] and r[1] <= last)
    if p["rival_share"]:
        # A region holding far more text than all that is kept (a thread whose posts' headers
        # the rules do not know, the rest of a long page) is as likely the content as the
        # core: the core was densest, not surely the content, and a removal must be sure.
        # weighed as the core is: table rows and code at a fraction of their words
        worth = [
            t or (weights[i] * p["table_weight"] if classes[i] in ("table", "code") else 0)
            for t, i in zip(text, content, strict=True)
        ]
        held = sum(sum(worth[a : b + 1]) for a, b in keep)
        keep.update(r for r in regions if sum(worth[r[0] : r[1] + 1]) >= p["rival_share"] * held)
    thread = (
        find_thread(walls, keep, content, ctx, text, p["thread_posts"], set(p["post_controls"]))
        if p["thread_posts"]
        else None
    )
    if thread is not None:
        keep.update(touching(*thread))
    # (a core that runs across the headline keeps its lines above it: a headline the story
    # repeats further down, over a recipe's card)
    kept = {k for a, b in keep for k in range(a, b + 1) if head is None or k > head or k >= lo}
    if p["inner_wall_lines"]:
        # A thin wall between two kept regions stands inside the story (an advertisement's
        # label, a share bar, an inline sign-up): what the rules did not take of it (a
        # sub-heading beside the label) is the story's, not chrome's.
        ends = {y: (x, y) for x, y in regions}
        starts = {x: (x, y) for x, y in regions}
        for wa, wb in walls:
            if wb - wa < p["inner_wall_lines"] and ends.get(wa - 1) in keep and starts.get(wb + 1) in keep:
                kept.update(k for k in range(wa, wb + 1) if head is None or k > head or k >= lo)
    top = min(kept, default=len(content))
    while top in kept and noise[top] and content[top] not in rows:
        kept.discard(top)  # the story's head above its first paragraph: a byline, a kicker
        top += 1
    out = [i for k, i in enumerate(content) if removed_by[i] is None and k not in kept]
    # Lines that show nothing go with what is around them: outside what is kept, not inside.
    first = content[min(kept)] if kept else len(ctx.lines)
    last = content[max(kept)] if kept else -1
    out += (
        i for i, c in enumerate(classes) if c == "void" and removed_by[i] is None and not first < i < last
    )
    return sorted(out)
