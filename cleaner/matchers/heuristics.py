"""Named heuristics that rule files switch on with ``heuristic = "name"``.

A heuristic looks at lines in context, which a pattern cannot do. Each one is registered
with its parameters (type and default) so the loader can validate them, and a rank: the
pipeline runs rank-0 heuristics beside the pattern rules, and the others afterwards in
rank order, each seeing what was removed before it. A heuristic returns the indices of the
lines it removes; the pipeline reports each one as a span under the rule that named it.

Knowledge such as phrases reaches a heuristic only through its parameters.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

import regex

from ..lines import Line, normalise
from ..prefilter import LiteralCount, required_literals

# Characters that close a sentence; quotes and brackets after them are looked through.
_TERMINAL = ".!?…:;,。！？．"
_CLOSERS = "\"'”’»)]」』"


@dataclass
class Context:
    """What a heuristic may look at: the lines, and which are already removed (and why)."""

    text: str
    lines: list[Line]
    removed_by: list[str | None]  # id of the rule that removed the whole line
    category_of: list[str | None]  # its category value
    # The lines holding one of the running heuristic's literals (its prepared ``_literals``:
    # a line without any cannot hit), or None when it declares none.
    literal_lines: Collection[int] | None = None

    def kept(self, i: int) -> bool:
        return self.removed_by[i] is None

    def content(self) -> Iterator[Line]:
        """Non-blank lines still kept, in order."""
        return (ln for ln in self.lines if not ln.blank and self.removed_by[ln.index] is None)

    def head_limit(self, n: int) -> int:
        """Index one past the ``n``-th non-blank line."""
        seen = 0
        for ln in self.lines:
            if not ln.blank:
                seen += 1
                if seen == n:
                    return ln.index + 1
        return len(self.lines)

    def tail_start(self, n: int) -> int:
        """Index of the ``n``-th non-blank line counted from the end."""
        seen = 0
        for ln in reversed(self.lines):
            if not ln.blank:
                seen += 1
                if seen == n:
                    return ln.index
        return 0

    def groups(self) -> list[list[Line]]:
        """Runs of non-blank lines separated by blank lines."""
        out: list[list[Line]] = []
        cur: list[Line] = []
        for ln in self.lines:
            if ln.blank:
                if cur:
                    out.append(cur)
                    cur = []
            else:
                cur.append(ln)
        if cur:
            out.append(cur)
        return out


Heuristic = Callable[[Context, Mapping[str, Any]], Iterable[int]]


@dataclass(frozen=True)
class HeuristicSpec:
    name: str
    func: Heuristic
    params: Mapping[str, tuple[type, Any]]  # name -> (type, default); default None = required
    rank: int
    summary: str
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None)

    def check_params(self, given: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        from ..schema import unknown_key_message  # the schema imports this module

        problems: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        for key in given:
            if key not in self.params:
                problems.append((key, unknown_key_message(key, tuple(self.params))))
        for key, (kind, default) in self.params.items():
            if key in given:
                value = given[key]
                if not _is_type(value, kind):
                    problems.append((key, f"must be {_type_name(kind)}"))
                    continue
                if kind in (int, float) and value < 0:
                    problems.append((key, "must not be negative"))
                    continue
            elif default is not None:
                value = default  # defaults are the heuristic's own (an empty list may be one)
            else:
                problems.append((key, f"heuristic '{self.name}' needs this parameter"))
                continue
            values[key] = value
            if kind is Regex:
                try:
                    values[f"_{key}"] = regex.compile(value) if value else None
                except regex.error as e:
                    problems.append((key, f"{key}: {e}"))
        if not problems and self.prepare is not None:
            try:
                values = self.prepare(values)
            except ValueError as e:
                problems.append(("-", str(e)))
        return values, problems


class Regex:
    """The kind of a parameter that holds a regular expression: a string in the rule file,
    compiled once when the rule is loaded and handed to the heuristic as ``_<name>`` (None
    for an empty string). A pattern that does not compile is a problem of that parameter."""


def _is_type(value: Any, kind: type) -> bool:
    if kind is Regex:
        return isinstance(value, str)
    if kind is list:
        return (
            isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value) and bool(value)
        )
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _type_name(kind: type) -> str:
    return {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "true or false",
        list: "a non-empty list of non-empty strings",
        Regex: "a string (a regular expression)",
    }[kind]


HEURISTICS: dict[str, HeuristicSpec] = {}


def register(
    name: str,
    *,
    rank: int,
    params: Mapping[str, tuple[type, Any]],
    summary: str,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Callable[[Heuristic], Heuristic]:
    def wrap(func: Heuristic) -> Heuristic:
        HEURISTICS[name] = HeuristicSpec(name, func, params, rank, summary, prepare)
        return func

    return wrap


def _ends_sentence(text: str) -> bool:
    core = text.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _TERMINAL


@register(
    "truncated-caption",
    rank=0,
    params={"min_chars": (int, 20), "window": (int, 3)},
    summary="a line cut off with '...' or '…' whose start repeats a nearby line",
)
def truncated_caption(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    lines = ctx.lines
    for ln in lines:
        prefix = _cut_off(ln.text)
        if prefix is None or len(prefix) < p["min_chars"]:
            continue
        lo, hi = max(0, ln.index - p["window"]), min(len(lines), ln.index + p["window"] + 1)
        if any(other.index != ln.index and _continues(other, prefix) for other in lines[lo:hi]):
            yield ln.index


def _cut_off(text: str) -> str | None:
    """What a line cut off with '...' or '…' holds before the ellipsis; None for other lines."""
    t = text.strip()
    if not t.endswith(("...", "…")):
        return None
    return t.rstrip(".…").rstrip()


def _continues(line: Line, prefix: str) -> bool:
    """Whether ``line`` starts with ``prefix`` and goes on after it."""
    t = line.text.strip()
    return len(t) > len(prefix) and t.startswith(prefix)


@register(
    "credit-group",
    rank=10,
    params={
        "categories": (list, ["credit"]),
        "max_group_lines": (int, 8),
        "max_words": (int, 80),
        "min_groups": (int, 3),
    },
    summary="a credit takes the caption and alt-text lines of its group (lines between blank lines)",
)
def credit_group(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    groups = ctx.groups()
    # Without blank-line structure a "group" is the whole story: nothing to absorb.
    if len(groups) < p["min_groups"]:
        return
    cats = set(p["categories"])
    for group in groups:
        if len(group) > p["max_group_lines"]:
            continue
        if not any(ctx.category_of[ln.index] in cats for ln in group):
            continue
        kept = [ln for ln in group if ctx.kept(ln.index)]
        if all(ln.words <= p["max_words"] for ln in kept):
            yield from (ln.index for ln in kept)


@register(
    "follows",
    rank=15,
    params={
        "rules": (list, None),
        "max_lines": (int, 1),
        "max_words": (int, 20),
        "through": (list, []),
        "summary_words": (int, 0),
        "min_summaries": (int, 2),
    },
    summary="up to max_lines short title-like lines right after a line removed by one of the listed rules",
)
def follows(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The titles a label introduces: 'Next post' followed by the next post's title.

    A line qualifies while it is kept, has at most ``max_words`` words and does not end the
    way a sentence of prose does (a full stop, comma, colon or semicolon); a title ending
    in '?' or '!' still qualifies. The first line that does not stops the run, but for a
    line another rule removed whose category is in ``through`` (a video's title among
    the headlines): it counts towards ``max_lines`` and the run goes on after it.

    With ``summary_words``, the run takes cards of other stories instead: a title, the one
    sentence that sums the story up (up to ``summary_words`` words, right after the title
    and right before another title-like line, such as the byline), and so on. It takes
    them only when it finds ``min_summaries`` or more, so that a story's own paragraph
    after a lone linked title stays.
    """
    labels = set(p["rules"])
    through = set(p["through"])
    summary_words = p["summary_words"]
    content = [ln for ln in ctx.lines if not ln.blank]
    for pos, ln in enumerate(content):
        if ctx.removed_by[ln.index] not in labels:
            continue
        run: list[int] = []
        summaries = 0
        after_title = False
        window = content[pos + 1 : pos + 1 + p["max_lines"]]
        for k, nxt in enumerate(window):
            if not ctx.kept(nxt.index):
                if ctx.category_of[nxt.index] in through:
                    after_title = False
                    continue
                break
            if nxt.words <= p["max_words"] and not _ends_prose(nxt.text):
                run.append(nxt.index)
                after_title = True
                continue
            if summary_words and after_title and nxt.words <= summary_words and k + 1 < len(window):
                after = window[k + 1]
                if ctx.kept(after.index) and after.words <= p["max_words"] and not _ends_prose(after.text):
                    run.append(nxt.index)
                    summaries += 1
                    after_title = False
                    continue
            break
        if summary_words and summaries < p["min_summaries"]:
            continue
        yield from run


@register(
    "comment-thread",
    rank=16,
    params={
        "rules": (list, None),
        "min_markers": (int, 2),
        "max_gap_lines": (int, 15),
        "max_tail_lines": (int, 6),
        "name_lines": (bool, False),
        "openers": (list, []),
        "max_opener_gap": (int, 3),
        "at_start": (bool, False),
        "max_text_words": (int, 400),
        "not_name": (Regex, ""),
    },
    summary="the comments of a thread: the lines between comment headers the listed rules removed",
)
def comment_thread(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """A thread is a chain of headers (lines removed by one of ``rules``; consecutive such
    lines are one header), each at most ``max_gap_lines`` non-blank lines after the previous
    one; headers further apart, or with an opener line between them, start a new chain, so
    a byline at the top and a comment at the bottom never enclose the story. A chain of
    ``min_markers`` or more headers takes every kept line between its first and last
    header, and after the last one up to ``max_tail_lines`` lines: the last comment's body,
    which ends early at the next line something else removed.

    With ``name_lines``, a header also takes the line right above it (no blank line
    between) when that line reads as a name: at most five words, no closing punctuation
    ('Jan Smith' over 'August 8, 2018 at 7:21 pm'). With ``openers``, a chain counts only
    when a line one of those rules removed (a comments heading such as '10 thoughts on
    “…”') comes at most ``max_opener_gap`` non-blank lines before its first header.

    With ``at_start``, a chain counts only when the text opens with its first comment: the
    first non-blank line is a name line (one the ``not_name`` pattern does not match, such
    as a byline's 'By Jane Doe') over the first header, and the whole text holds at most
    ``max_text_words`` words. That is a comment on its own, cut from its page, not a post.
    """
    labels = set(p["rules"])
    openers = set(p["openers"])
    lines, removed_by = ctx.lines, ctx.removed_by
    content = [ln for ln in lines if not ln.blank]
    chains: list[list[int]] = []  # each header by its last line's position in `content`
    names: dict[int, int] = {}  # header's first position -> the name line's position above it
    opened: list[int] = []  # positions of opener lines
    for pos, ln in enumerate(content):
        label = removed_by[ln.index]
        if label in openers:
            opened.append(pos)
        if label not in labels:
            continue
        if pos > 0 and removed_by[content[pos - 1].index] in labels:
            chains[-1][-1] = pos  # the header goes on
            continue
        top = pos
        if p["name_lines"] and pos > 0 and _name_line(content[pos - 1], ln, ctx):
            top = names[pos] = pos - 1
        last = chains[-1][-1] if chains else None
        if last is not None and top - last <= p["max_gap_lines"] + 1 and not (opened and opened[-1] > last):
            chains[-1].append(pos)  # (a heading between them starts a new chain)
        else:
            chains.append([pos])
    for headers in chains:
        if len(headers) < p["min_markers"]:
            continue
        first = headers[0]
        while first > 0 and removed_by[content[first - 1].index] in labels:
            first -= 1
        first = names.get(first, first)
        if openers and not any(first - p["max_opener_gap"] <= o < first for o in opened):
            continue
        if p["at_start"] and not _opens_text(first, headers[0], content, p):
            continue
        if first < headers[0] and ctx.kept(content[first].index):
            yield content[first].index  # the first comment's name line
        body = (ln for ln in content[headers[0] + 1 : headers[-1]] if ctx.kept(ln.index))
        yield from (ln.index for ln in body)
        for ln in content[headers[-1] + 1 : headers[-1] + 1 + p["max_tail_lines"]]:
            if not ctx.kept(ln.index):
                break
            yield ln.index


def _opens_text(first: int, header: int, content: list[Line], p: Mapping[str, Any]) -> bool:
    """Whether a chain whose first comment starts at ``first`` (its header at ``header``,
    both positions in ``content``) is the whole text's opening: a name line, then the header."""
    if not first == 0 < header:
        return False
    if p["_not_name"] is not None and p["_not_name"].match(content[0].text.strip()):
        return False
    return sum(ln.words for ln in content) <= p["max_text_words"]


def _name_line(above: Line, header: Line, ctx: Context) -> bool:
    """Whether ``above`` is a commenter's name right over a header line."""
    if above.index != header.index - 1 or not ctx.kept(above.index):
        return False
    text = above.text.strip()
    return 0 < len(text.split()) <= 5 and len(text) <= 50 and text[-1] not in ".!?:;,"


def _ends_prose(text: str) -> bool:
    core = text.rstrip().rstrip(_CLOSERS)
    return not core or core[-1] in ".…:;,。．"


@register(
    "teaser",
    rank=18,
    params={"rules": (list, None), "max_words": (int, 80)},
    summary="a paragraph cut off with '...' or '…' right above a 'Read more' line the listed rules removed",
)
def teaser(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """A teaser of another story: its first words, cut off, then the link to the rest."""
    labels = set(p["rules"])
    previous: Line | None = None  # the last non-blank line
    for ln in ctx.lines:
        if ln.blank:
            continue
        if (
            previous is not None
            and ctx.removed_by[ln.index] in labels
            and ctx.kept(previous.index)
            and previous.words <= p["max_words"]
            and _cut_off(previous.text) is not None
        ):
            yield previous.index
        previous = ln


@register(
    "sandwich",
    rank=20,
    params={"categories": (list, None), "max_gap_lines": (int, 2), "max_words": (int, 12)},
    summary="a few short lines between two removed lines of the listed categories",
)
def sandwich(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    cats = set(p["categories"])
    content = [ln for ln in ctx.lines if not ln.blank]
    last_removed: int | None = None  # position in `content` of the last removed line seen
    gap: list[Line] = []
    for pos, ln in enumerate(content):
        if ctx.kept(ln.index):
            gap.append(ln)
            continue
        if (
            ctx.category_of[ln.index] in cats
            and last_removed is not None
            and ctx.category_of[content[last_removed].index] in cats
            and 0 < len(gap) <= p["max_gap_lines"]
            and all(g.words <= p["max_words"] for g in gap)
        ):
            yield from (g.index for g in gap)
        last_removed = pos
        gap = []


_SENTENCE_WORDS = 6  # the first sentence of a story: ends like one and has this many words


# A name on a line of its own: two to four capitalised words (initials and name particles
# allowed), perhaps after 'By', and no question or exclamation mark after them. The rule's
# ``not_names`` (words no name holds) rule out a title-case subheading ('What Happens Next');
# the marks, a question in a language that capitalises its nouns ('War Mikao Usui Schamane?').
_NAME = regex.compile(
    r"^\W*(?:(?i:by)\s+)?\p{Lu}[\p{L}'’.-]*"
    r"(?:\s+(?:\p{Lu}[\p{L}'’.-]*|de|van|von|der|den|da|do|dos|del|della|la|le|bin|ibn)){1,3}[^\w?!¿¡]*$"
)
_BYLINE_WORDS = 40  # the most a dek (the sentence under a headline) may have
_DEK_WORDS = 20  # a line above the name this long is the dek (or a paragraph): one at most
_BODY_WORDS = 10  # the least the story's first paragraph has


def _prepare_headline(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "_not_names": frozenset(w.casefold() for w in values["not_names"])}


def _is_name(text: str, not_names: Collection[str]) -> bool:
    return bool(_NAME.match(text)) and not any(w.casefold() in not_names for w in text.split())


def _byline_head(lines: list[Line], not_names: Collection[str]) -> list[Line]:
    """The lines a story's head ends with its author's name: the kicker, headline and dek
    above a name line, and the name, when the story's first paragraph follows it. The
    head must open with a title (no closing punctuation); at most one of its lines may end
    a statement ('.' or '!': the dek, a headline may ask a question), and at most one may
    be as long as a dek, so that paragraphs above a title-case subheading stay."""
    for pos in range(len(lines) - 2, 0, -1):  # the last name line that fits
        name, after, above = lines[pos], lines[pos + 1], lines[:pos]
        if not _is_name(name.text, not_names):
            continue
        if after.words < _BODY_WORDS or not _ends_sentence(after.text):
            continue
        if _ends_sentence(above[0].text) or any(ln.words > _BYLINE_WORDS for ln in above):
            continue
        statements = sum(ln.text.rstrip().rstrip(_CLOSERS)[-1:] in (".", "!") for ln in above)
        if statements <= 1 and sum(ln.words >= _DEK_WORDS for ln in above) <= 1:
            return lines[: pos + 1]
    return []


@register(
    "headline",
    rank=30,
    params={
        "min_words": (int, 3),
        "max_words": (int, 20),
        "head_lines": (int, 1),
        "byline_lines": (int, 0),
        "not_names": (list, []),
    },
    prepare=_prepare_headline,
    summary="the first line left, when it reads as a title (short, no closing punctuation); "
    "with head_lines above 1, the lines of that kind the text opens with (kicker, headline, "
    "author's name), up to the first sentence; with byline_lines, a head of at most that many "
    "lines that ends with the author's name on a line of its own (a dek included)",
)
def headline(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    lines = list(islice(ctx.content(), max(p["head_lines"], p["byline_lines"]) + 1))
    if len(lines) < 2:
        return
    if p["byline_lines"] and (head := _byline_head(lines[: p["byline_lines"] + 1], p["_not_names"])):
        yield from (ln.index for ln in head)
        return
    lines = lines[: p["head_lines"] + 1]
    heads: list[Line] = []
    opened = False  # whether the story's first sentence follows them within head_lines
    for ln in lines:
        if ln.words > p["max_words"] or (_ends_sentence(ln.text) and not _title_question(ln.text)):
            opened = ln.words >= _SENTENCE_WORDS  # not 'player.setav health .'
            break
        heads.append(ln)
    if not opened:
        # The text may open with a list or a table: only its first line may go, as before.
        heads = heads[:1]
    # the title among them must be one (min_words); labels and names around it may be short
    if any(ln.words >= p["min_words"] for ln in heads):
        yield from (ln.index for ln in heads)


def _title_question(text: str) -> bool:
    """Whether a line is a title that asks a question: it ends with '?' and nearly all its
    words are capitalised ('Is An Oxygen Bar In Delhi Offering Fresh Air?'), which a
    sentence that asks one ('Why did the council vote against it?') is not."""
    core = text.rstrip().rstrip(_CLOSERS)
    if not core.endswith("?"):
        return False
    words = [w for w in text.split() if w[0].isalpha()]
    return len(words) >= _TITLE_WORDS and sum(w[0].isupper() for w in words) >= _TITLE_SHARE * len(words)


_TITLE_WORDS = 4
_TITLE_SHARE = 0.75
_CLAUSE_BREAK = regex.compile(r"(?<=[.!?…;:])\s+")
_COPY_HEAD = 24  # characters a copy starts with, as the text it copies does


@register(
    "repeated-text",
    rank=35,
    params={
        "min_words": (int, 16),
        "min_share": (float, 0.8),
        "min_sources": (int, 2),
        "min_chars": (int, 20),
    },
    summary="a copy of text left above it: a long line whose four-word sequences are nearly all "
    "in lines above, drawn from several of them (a page description, a summary of the story), "
    "or a line cut off with '...' or '…' that starts like a line above",
)
def repeated_text(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """Compares each kept line with the kept lines above it, so that of two copies the
    first stays. A copy holds ``min_share`` of its four-word sequences in lines above,
    at least three of them from each of ``min_sources`` lines or more: a sentence repeated
    on its own, as interviews repeat their questions, stays.

    Counting sequences means tokenizing every line above, so it is done only for a line
    whose first sentences (of four words or more) are found word for word in two lines
    above: most pages have none, and a copy of the story starts like the story.
    """
    text, lines = ctx.text, ctx.lines
    starts = [ln.start for ln in lines]
    taken: set[int] = set()
    first: dict[tuple[str, ...], int] = {}  # each four-word sequence: the line it first appeared in
    indexed = 0  # lines above this one are in `first`

    def kept_lines_with(needle: str, end: int) -> Iterator[Line]:
        """The kept lines above ``end`` holding ``needle``, top down."""
        pos = text.find(needle, 0, end)
        while pos >= 0:
            i = bisect.bisect_right(starts, pos) - 1
            if ctx.kept(i) and i not in taken:
                yield lines[i]
            pos = text.find(needle, lines[i].stop, end)

    def grams(line: Line) -> list[tuple[str, ...]]:
        words = _TOKEN.findall(line.text.casefold())
        return [tuple(words[k : k + 4]) for k in range(len(words) - 3)]

    min_words, min_sources = p["min_words"], p["min_sources"]
    for ln in ctx.content():
        prefix = _cut_off(ln.text)
        if (
            prefix is not None
            and len(prefix) >= p["min_chars"]
            and any(_continues(other, prefix) for other in kept_lines_with(prefix, ln.start))
        ):
            taken.add(ln.index)
            yield ln.index
            continue
        t = ln.text.strip()
        if ln.words < min_words or text.find(t[:_COPY_HEAD], 0, ln.start) < 0:
            continue  # the usual case: a line that does not start like anything above
        found: set[int] = set()  # lines above holding its first sentences
        for part in _CLAUSE_BREAK.splititer(t):
            if len(part.split()) < 4:
                continue
            line = next(kept_lines_with(part, ln.start), None)
            if line is None:
                break  # the usual case: a sentence of its own
            found.add(line.index)
            if len(found) >= min_sources:
                break
        if len(found) < min_sources:
            continue
        for above in lines[indexed : ln.index]:
            if not above.blank and ctx.kept(above.index) and above.index not in taken:
                for g in grams(above):
                    first.setdefault(g, above.index)
        indexed = ln.index
        mine = grams(ln)
        sources = Counter(first[g] for g in mine if g in first)
        drawn = sum(n >= 3 for n in sources.values())  # lines it draws on
        if sum(sources.values()) >= p["min_share"] * len(mine) and drawn >= min_sources:
            taken.add(ln.index)
            yield ln.index


_PROSE_WORDS = 15  # a line this long that ends a sentence reads as a paragraph


@register(
    "dateline-start",
    rank=38,
    params={
        "opening": (Regex, None),
        "max_lines_above": (int, 12),
        "min_words": (int, 20),
        "max_prose_above": (int, 1),
    },
    summary="the kept lines above a story's opening dateline ('BUFFALO, N.Y. — …', "
    "'HANOI, Vietnam (AP) — …'), near the top: headlines, deks, captions and promos",
)
def dateline_start(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The first paragraph of at least ``min_words`` words that opens with a dateline (the
    ``opening`` pattern matches at its start), among
    the first ``max_lines_above`` + 1 kept lines, is where the story starts: the kept lines
    above it go. Not when more than ``max_prose_above`` of them read as paragraphs (15 words
    or more, ending a sentence): those are the story's own (a round-up whose second part
    opens with a dateline), not a caption or a dek."""
    above: list[Line] = []
    for ln in ctx.content():
        if ln.words >= p["min_words"] and p["_opening"].match(ln.text):
            if sum(_paragraph(a) for a in above) <= p["max_prose_above"]:
                yield from (a.index for a in above)
            return
        if len(above) == p["max_lines_above"]:
            return
        above.append(ln)


def _paragraph(line: Line) -> bool:
    """Whether a line reads as a paragraph of prose: long enough, and ending a sentence."""
    return line.words >= _PROSE_WORDS and (_ends_prose(line.text) or _ends_sentence(line.text))


@register(
    "repeated-headline",
    rank=40,
    params={"head_lines": (int, 25), "min_words": (int, 3)},
    summary="the last line left repeats a line from the head of the document",
)
def repeated_headline(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    last = None
    for ln in ctx.content():
        last = ln
    if last is None or last.words < p["min_words"]:
        return
    key = normalise(last.text)
    limit = min(ctx.head_limit(p["head_lines"]), last.index)
    if any(not ln.blank and normalise(ln.text) == key for ln in ctx.lines[:limit]):
        yield last.index


def _prepare_phrase_count(values: dict[str, Any]) -> dict[str, Any]:
    alternatives = sorted({normalise(ph) for ph in values["phrases"]}, key=len, reverse=True)
    # Spaces match runs of spaces and tabs, never a line break: a phrase stays inside a line.
    branches = [regex.escape(a).replace(r"\ ", r"[^\S\r\n]+") for a in alternatives]
    values = dict(values)
    values["_pattern"] = regex.compile(rf"(?<!\w)(?:{'|'.join(branches)})(?!\w)", regex.IGNORECASE | regex.V0)
    values["_literals"] = required_literals(values["_pattern"].pattern)
    # How many of the phrases a line may hold: those found whole in the line with its spaces
    # collapsed (where a phrase matches, it is there). A line whose bound is short of min_hits
    # is skipped without running the alternation over it.
    values["_possible"] = LiteralCount([required_literals(regex.escape(a)) for a in alternatives])
    if values["min_hits"] < 1:
        raise ValueError("min_hits must be at least 1")
    return values


@register(
    "phrase-count",
    rank=0,
    params={"phrases": (list, None), "min_hits": (int, 2), "min_words": (int, 0), "max_words": (int, 0)},
    summary="a line holding at least min_hits different phrases of the list (max_words 0: any length)",
    prepare=_prepare_phrase_count,
)
def phrase_count(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    pattern: regex.Pattern[str] = p["_pattern"]
    possible: LiteralCount = p["_possible"]
    hits: dict[int, set[str]] = {}
    if ctx.literal_lines is not None:
        # Only lines holding a literal can hit; a phrase never spans lines, so scanning each
        # of them finds what one scan of the whole text finds there.
        for i in sorted(ctx.literal_lines):
            ln = ctx.lines[i]
            if ln.words < p["min_words"] or (p["max_words"] and ln.words > p["max_words"]):
                continue  # would be dropped below whatever it holds
            if possible.count(" ".join(ln.text.split())) < p["min_hits"]:
                continue  # too few of the phrases are here to make min_hits
            for m in pattern.finditer(ctx.text, ln.start, ln.end):
                hits.setdefault(i, set()).add(normalise(m.group()))
    else:
        # One scan of the whole text; each hit is filed under the line it starts in.
        starts = [ln.start for ln in ctx.lines]
        for m in pattern.finditer(ctx.text):
            hits.setdefault(bisect.bisect_right(starts, m.start()) - 1, set()).add(normalise(m.group()))
    for i, found in sorted(hits.items()):
        ln = ctx.lines[i]
        if len(found) < p["min_hits"] or ln.words < p["min_words"]:
            continue
        if p["max_words"] and ln.words > p["max_words"]:
            continue
        yield i


_TOKEN = regex.compile(r"\w+", regex.V0)


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


# A line of program code, as technical posts quote it: an import, a definition, an
# assignment, a method call, a line ending a statement or opening a block. Its words are
# no language's, so stop words cannot tell it from a menu; the signs of code can.
_CODE_OPENING = r"""(?x)^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]+[\w.*(]
    |import[ \t]+[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*$|def[ \t]+\w+[ \t]*\(|class[ \t]+\w+[ \t]*[(:]
    |return[ \t]+(?:[\w.]+\(|[\w.]+;?[ \t]*$)|\#include[ \t]*[<"]|(?:var|let|const)[ \t]+\w+[ \t]*=)"""
_CODE_START = re.compile(_CODE_OPENING)
# A listing has at least one such opening: a page without any is not searched line by line.
# (The standard library's engine scans a whole page for it three times as fast as regex.)
_CODE_IN_TEXT = re.compile(_CODE_OPENING, re.MULTILINE)
_CODE = regex.compile(
    r"""(?x)
    [\w\])]\s*(?:[-+*/]?=|==|!=|=>|->)\s*[\w\[({"'-]
    | \w\.\w+\(
    | [;{]\s*$
    """,
    regex.V0,
)
_MARKUP = regex.compile(r"""<[/!]?[A-Za-z]|\w=["']|/>""", regex.V0)
_CODE_SIGNS = frozenset("()[]{}=;:._<>\"'/\\+*,$#@")
_CODE_SHARE = 0.08  # the least share of a code line's visible characters that are such signs


def _code(text: str) -> bool:
    """Whether a line reads as program code: it opens like an import or a definition, or it
    has a statement's shape and signs make up a share of it that prose seldom has."""
    if _CODE_START.match(text) is not None:
        return True
    if _CODE.search(text) is None or _MARKUP.search(text) is not None:
        return False  # markup a page leaked into its text is no listing
    visible = "".join(text.split())
    return sum(c in _CODE_SIGNS for c in visible) >= _CODE_SHARE * len(visible)


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
    find = _TOKEN.findall
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
    code = _CODE_IN_TEXT.search(ctx.text) is not None  # whether the page may quote code
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
            sentence = dense and weights[ln.index] >= sentence_words and _ends_sentence(ln.text)
            out.append("text" if sentence else "code" if code and _code(ln.text) else "short")
        else:
            out.append("text" if dense else "code" if code and _code(ln.text) else "bad")
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
        "languages": (list, list(DEFAULT_LANGUAGES)),
        "length_low": (int, 70),
        "stopwords_low": (float, 0.25),
        "sentence_words": (int, 4),
        "line_penalty": (int, 12),
        "removed_penalty": (int, 6),
        "inner_run": (int, 3),
        "min_lines": (int, 20),
        "min_noise_fraction": (float, 0.3),
        "table_digits": (float, 0.4),
        "table_weight": (float, 0.25),
        "min_core_words": (int, 30),
        "list_rows": (int, 4),
    },
    summary="whole-page text: everything outside the article core (the run of lines where text "
    "outweighs noise most), and runs of noise lines inside it",
    prepare=_load_stoplists,
)
def page_lines(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
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
