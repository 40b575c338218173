"""A story's head: the headline, the kicker and dek around it, the author's name under it,
and what sits above an opening dateline."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

import regex

from ..lines import Line
from .registry import Context, Param, Regex, register
from .text import CLOSERS, ends_prose, ends_sentence, row_shape, rows_alike

# A name on a line of its own: two to four capitalised words (initials and the rule's
# name particles allowed), perhaps after one of its leads ('By'), and no question or
# exclamation mark after them. The rule's ``not_names`` (words no name holds) rule out a
# title-case subheading ('What Happens Next'); the marks, a question in a language that
# capitalises its nouns ('War Mikao Usui Schamane?').
_NAME_WORD = r"\p{Lu}[\p{L}'’.-]*"


def _prepare_headline(values: dict[str, Any]) -> dict[str, Any]:
    lead = "|".join(regex.escape(w) for w in values["name_leads"])
    words = "|".join([_NAME_WORD, *(regex.escape(w) for w in values["name_particles"])])
    leads = rf"(?:(?i:{lead})\s+)?" if lead else ""
    name = rf"^\W*{leads}{_NAME_WORD}(?:\s+(?:{words})){{1,3}}[^\w?!¿¡]*$"
    return {
        **values,
        "_not_names": frozenset(w.casefold() for w in values["not_names"]),
        "_name": regex.compile(name, regex.V0),
    }


def _is_name(text: str, p: Mapping[str, Any]) -> bool:
    return bool(p["_name"].match(text)) and not any(w.casefold() in p["_not_names"] for w in text.split())


def _byline_head(lines: list[Line], p: Mapping[str, Any]) -> list[Line]:
    """The lines a story's head ends with its author's name: the kicker, headline and dek
    above a name line, and the name, when the story's first paragraph follows it. The
    head must open with a title (no closing punctuation); at most one of its lines may end
    a statement ('.' or '!': the dek, a headline may ask a question), and at most one may
    be as long as a dek, so that paragraphs above a title-case subheading stay."""
    for pos in range(len(lines) - 2, 0, -1):  # the last name line that fits
        name, after, above = lines[pos], lines[pos + 1], lines[:pos]
        if not _is_name(name.text, p):
            continue
        if after.words < p["body_words"] or not ends_sentence(after.text):
            continue
        if ends_sentence(above[0].text) or any(ln.words > p["head_line_words"] for ln in above):
            continue
        statements = sum(ln.text.rstrip().rstrip(CLOSERS)[-1:] in (".", "!") for ln in above)
        if statements <= 1 and sum(ln.words >= p["dek_words"] for ln in above) <= 1:
            return lines[: pos + 1]
    return []


@register(
    "headline",
    rank=30,
    params={
        "min_words": Param(int, 3, "the least words the title has"),
        "max_words": Param(int, 20, "the most words a line of the head has"),
        "head_lines": Param(
            int, 1, "with more than 1, every title-like line the text opens with, within this many"
        ),
        "sentence_words": Param(int, 6, "the least words of the story's first sentence after the head"),
        "title_question_words": Param(int, 4, "a title that asks a question has at least this many words"),
        "title_question_share": Param(float, 0.75, "and at least this share of them capitalised"),
        "byline_lines": Param(
            int, 0, "with more than 0, a head of at most this many lines ending in the author's name"
        ),
        "name_leads": Param(list, [], "words a name line may start with ('By'), in any case"),
        "name_particles": Param(list, [], "lower-case words a name may hold ('van', 'de')"),
        "not_names": Param(
            list, [], "words no author's name holds: a title-case line with one is a subheading"
        ),
        "head_line_words": Param(int, 40, "with byline_lines, no line of the head above the name is longer"),
        "dek_words": Param(
            int, 20, "with byline_lines, at most one line above the name is this long (the dek)"
        ),
        "body_words": Param(int, 10, "with byline_lines, the least words of the paragraph after the name"),
        "list_rows": Param(
            int, 4, "a text that opens with this many rows of one shape opens with a list (0: never)"
        ),
    },
    prepare=_prepare_headline,
    summary="the first line left, when it reads as a title (short, no closing punctuation); "
    "with head_lines above 1, the lines of that kind the text opens with (kicker, headline, "
    "author's name), up to the first sentence; with byline_lines, a head of at most that many "
    "lines that ends with the author's name on a line of its own (a dek included)",
)
def headline(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The first line left when it reads as a title (``min_words`` to ``max_words`` words,
    no closing punctuation, or a question with nearly every word capitalised). With
    ``head_lines`` above 1, every line of that kind the text opens with (a section label,
    the headline, the author's name, at least one of ``min_words``) when a sentence of
    ``sentence_words`` or more follows within ``head_lines`` lines, else only the first.

    With ``byline_lines``, first a head that ends with the author's name on a line of its
    own within that many lines (two to four capitalised words, perhaps after one of
    ``name_leads``, with ``name_particles`` between them, none of them in ``not_names``):
    the name and everything above it go when the head opens with a title, at most one line
    above ends with '.' or '!', at most one has ``dek_words`` words or more and none more
    than ``head_line_words``, and a paragraph of ``body_words`` words or more that ends
    like a sentence follows the name."""
    lines = list(islice(ctx.content(), max(p["head_lines"], p["byline_lines"]) + 1))
    if len(lines) < 2:
        return
    if p["byline_lines"] and (head := _byline_head(lines[: p["byline_lines"] + 1], p)):
        yield from (ln.index for ln in head)
        return
    lines = lines[: p["head_lines"] + 1]
    heads: list[Line] = []
    opened = False  # whether the story's first sentence follows them within head_lines
    for ln in lines:
        if ln.words > p["max_words"] or (ends_sentence(ln.text) and not _title_question(ln.text, p)):
            opened = ln.words >= p["sentence_words"]  # not 'player.setav health .'
            break
        heads.append(ln)
    if not opened:
        # The text may open with a list or a table: only its first line may go, as before,
        # and not when it is the first row of a list (a schedule, results: rows of one shape).
        heads = heads[:1]
        if _opens_list(ctx, p["list_rows"]):
            return
    # the title among them must be one (min_words); labels and names around it may be short
    if any(ln.words >= p["min_words"] for ln in heads):
        yield from (ln.index for ln in heads)


def _opens_list(ctx: Context, rows: int) -> bool:
    """Whether the text left opens with ``rows`` lines of one row shape (separators or a
    leading number: '1a etapa: 10 de março – Interlagos', '2a etapa: 8 de abril – …')."""
    head = list(islice(ctx.content(), rows))
    if not rows or len(head) < rows:
        return False
    base = row_shape(head[0].text)
    return (base[0] or bool(base[1])) and all(rows_alike(row_shape(ln.text), base) for ln in head[1:])


def _title_question(text: str, p: Mapping[str, Any]) -> bool:
    """Whether a line is a title that asks a question: it ends with '?' and nearly all its
    words are capitalised ('Is An Oxygen Bar In Delhi Offering Fresh Air?'), which a
    sentence that asks one ('Why did the council vote against it?') is not."""
    core = text.rstrip().rstrip(CLOSERS)
    if not core.endswith("?"):
        return False
    words = [w for w in text.split() if w[0].isalpha()]
    share = p["title_question_share"]
    return len(words) >= p["title_question_words"] and sum(w[0].isupper() for w in words) >= share * len(
        words
    )


@register(
    "dateline-start",
    rank=38,
    params={
        "opening": Param(
            Regex, None, "what the start of the story's opening paragraph matches: its dateline"
        ),
        "max_lines_above": Param(int, 12, "the most kept lines above it"),
        "min_words": Param(int, 20, "the least words of that paragraph"),
        "max_prose_above": Param(int, 1, "the most lines above it that read as paragraphs"),
        "prose_words": Param(
            int, 15, "a line of this many words or more that ends a sentence reads as a paragraph"
        ),
    },
    summary="the kept lines above a story's opening dateline ('BUFFALO, N.Y. — …', "
    "'HANOI, Vietnam (AP) — …'), near the top: headlines, deks, captions and promos",
)
def dateline_start(ctx: Context, p: Mapping[str, Any]) -> Iterator[int]:
    """The first paragraph of at least ``min_words`` words that opens with a dateline (the
    ``opening`` pattern matches at its start), among
    the first ``max_lines_above`` + 1 kept lines, is where the story starts: the kept lines
    above it go. Not when more than ``max_prose_above`` of them read as paragraphs
    (``prose_words`` or more, ending a sentence): those are the story's own (a round-up whose second part
    opens with a dateline), not a caption or a dek."""
    above: list[Line] = []
    for ln in ctx.content():
        if ln.words >= p["min_words"] and p["_opening"].match(ln.text):
            if sum(_paragraph(a, p["prose_words"]) for a in above) <= p["max_prose_above"]:
                yield from (a.index for a in above)
            return
        if len(above) == p["max_lines_above"]:
            return
        above.append(ln)


def _paragraph(line: Line, words: int) -> bool:
    """Whether a line reads as a paragraph of prose: long enough, and ending a sentence."""
    return line.words >= words and (ends_prose(line.text) or ends_sentence(line.text))
