"""The page: one HTML file, its data embedded as JSON and drawn by its own script."""

from __future__ import annotations

import html
import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from ..model import Category, Result
from .gold import document, kept_ranges
from .run import (
    BUILTIN_DESCRIPTIONS,
    CONTEXT,
    DEFAULT_MAX_CHARS,
    EXAMPLES_PER_RULE,
    EXCERPT,
    FULL,
    LISTED,
    SPAN_EDGE,
    SPANS_ONLY,
    SURROGATE,
    WHOLE_FIRST,
    ReviewDoc,
    ReviewRun,
)

# -- the page ----------------------------------------------------------------------------------


def page_for_result(name: str, text: str, result: Result, descriptions: Mapping[str, str]) -> str:
    """The page for one file cleaned in this process (``cleaner explain FILE --html``)."""
    return page(
        ReviewRun(name, (document(name, text, result),)),
        title=f"cleaner explain: {name}",
        descriptions=descriptions,
    )


def page(
    run: ReviewRun,
    *,
    title: str | None = None,
    descriptions: Mapping[str, str] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> str:
    """The review page of ``run``: one HTML file with its data, style and script inline."""
    descriptions = {**BUILTIN_DESCRIPTIONS, **(descriptions or {})}
    title = title or f"cleaner review: {run.source}"
    tiers = _tiers(run.docs, max_chars)
    rules = sorted({r for d in run.docs for s in d.spans for r in (s.rule, *s.rules)})
    rule_at = {r: i for i, r in enumerate(rules)}
    cats = list(Category)
    rule_cat = {s.rule: s.category for d in run.docs for s in d.spans}
    data = {
        "cats": [c.value for c in cats],
        "rules": [
            [r, cats.index(rule_cat[r]) if r in rule_cat else -1, descriptions.get(r, "")] for r in rules
        ],
        "gold": any(d.gold is not None for d in run.docs),
        "docs": [_doc_data(d, tier, rule_at, cats) for d, tier in zip(run.docs, tiers, strict=True)],
    }
    template = resources.files("cleaner.review").joinpath("page.html").read_text(encoding="utf-8")
    values = {
        "title": _esc(title),
        "source": _esc(run.source),
        "note": _esc(_budget_note(tiers, max_chars)),
        "data": _script_json(data),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m[1]], template)  # one pass: values are not rescanned


def _priority(doc: ReviewDoc) -> tuple[int, int, int]:
    harm = doc.gold.harm_words if doc.gold else 0
    return (0 if doc.problem or doc.error else 1, -harm, -doc.removed_chars)


def _review_order(docs: Sequence[ReviewDoc]) -> list[int]:
    """The order in which documents get text: problems and errors; then the first
    ``EXAMPLES_PER_RULE`` documents of every rule, so that filtering by any rule shows text;
    then by harm and characters removed."""
    ranked = sorted(range(len(docs)), key=lambda i: _priority(docs[i]))
    failed = [i for i in ranked if docs[i].problem or docs[i].error]
    per_rule: dict[str, list[int]] = {}
    for i in ranked:
        for rule in dict.fromkeys(s.rule for s in docs[i].spans):
            found = per_rule.setdefault(rule, [])
            if len(found) < EXAMPLES_PER_RULE:
                found.append(i)
    examples = [found[k] for k in range(EXAMPLES_PER_RULE) for found in per_rule.values() if k < len(found)]
    return list(dict.fromkeys([*failed, *examples, *ranked]))


def _tiers(docs: Sequence[ReviewDoc], budget: int) -> list[int]:
    """How much of each document to embed: the first ``WHOLE_FIRST`` in review order whole
    (within a quarter of the budget), excerpts for as many others as fit, then whole texts."""
    order = _review_order(docs)
    tiers = [LISTED] * len(docs)
    first = budget // 4
    for i in order[:WHOLE_FIRST]:
        text = docs[i].text
        if text is not None and len(text) <= first:
            tiers[i] = FULL
            first -= len(text)
            budget -= len(text)
    for i in order:
        cost = _excerpt_cost(docs[i])
        if tiers[i] == LISTED and cost <= budget:
            tiers[i] = EXCERPT if docs[i].text is not None else SPANS_ONLY
            budget -= cost
    for i in order:
        text = docs[i].text
        if tiers[i] == EXCERPT and text is not None and len(text) - _excerpt_cost(docs[i]) <= budget:
            budget -= len(text) - _excerpt_cost(docs[i])
            tiers[i] = FULL
    return tiers


def _excerpt_cost(doc: ReviewDoc) -> int:
    """Characters an excerpt embeds: removals (long ones cut) and the context either side."""
    cost = sum(min(s.end - s.start, 2 * SPAN_EDGE) for s in doc.spans)
    if doc.text is None:
        return cost
    ranges = kept_ranges(doc.spans, len(doc.text))
    return cost + sum(min(b - a, _room(i, len(ranges))) for i, (a, b) in enumerate(ranges))


def _room(i: int, n: int) -> int:
    """Kept text an excerpt shows of kept range ``i`` of ``n``: the context after the removal
    before it (for the first range, the document's opening lines, which name it) and before
    the removal after it (none after the last)."""
    return CONTEXT * (1 + (i < n - 1))


def _budget_note(tiers: list[int], max_chars: int) -> str:
    n = Counter(tiers)
    if not n[EXCERPT] and not n[LISTED]:
        return "Every document is embedded whole."
    parts = [f"Embedded whole: {n[FULL]:,} documents"]
    if n[EXCERPT]:
        parts.append(
            f"as excerpts: {n[EXCERPT]:,} ({CONTEXT} characters around each removal; removals over "
            f"{2 * SPAN_EDGE} characters cut in the middle)"
        )
    if n[LISTED]:
        parts.append(f"listed with their spans' places but no text: {n[LISTED]:,}")
    return (
        "; ".join(parts) + f". The page holds at most {max_chars:,} characters of text (--max-chars), given "
        f"to errors, then {EXAMPLES_PER_RULE} documents of every rule, then the most removed, the first "
        f"{WHOLE_FIRST} whole. Every document and span is counted in full; search finds only embedded text."
    )


def _doc_data(doc: ReviewDoc, tier: int, rule_at: Mapping[str, int], cats: list[Category]) -> dict[str, Any]:
    harm = set(doc.gold.harm) if doc.gold else set()
    spans = [
        [s.start, s.end, rule_at[s.rule], cats.index(s.category), _span_text(s.text, tier),
         [rule_at[r] for r in s.rules[1:]], int(i in harm)]
        for i, s in enumerate(doc.spans)
    ]  # fmt: skip
    out: dict[str, Any] = {
        "n": doc.name, "st": doc.status, "f": doc.format, "ci": doc.chars_in, "co": doc.chars_out,
        "e": doc.error, "w": list(doc.warnings), "pb": doc.problem, "k": tier, "rc": doc.removed_chars,
        "s": spans, "p": _pieces(doc, tier) if tier in (FULL, EXCERPT) else None, "ln": doc.line,
    }  # fmt: skip
    if doc.gold is not None:
        g = doc.gold
        out["g"] = [g.harm_words, g.missed_words, g.precision, g.recall, g.f1, len(g.missed)]
    return out


def _span_text(text: str, tier: int) -> str | list[Any] | None:
    """The span's text as embedded: whole, cut in the middle (``[head, n cut, tail]``) or none."""
    if tier == LISTED:
        return None
    if tier == FULL or len(text) <= 2 * SPAN_EDGE:
        return text
    return [text[:SPAN_EDGE], len(text) - 2 * SPAN_EDGE, text[-SPAN_EDGE:]]


def _pieces(doc: ReviewDoc, tier: int) -> list[Any]:
    """The text as the script draws it: a string is kept text, ``[string]`` kept text the gold
    lacks, an integer ``i >= 0`` removed span ``i``, and ``-n`` that ``n`` kept characters are
    not embedded."""
    assert doc.text is not None
    text = doc.text
    out: list[Any] = []
    missed = doc.gold.missed if doc.gold else ()
    ranges = kept_ranges(doc.spans, len(text))
    for i, (a, b) in enumerate(ranges):
        head, tail = (a, b), None
        if tier == EXCERPT and b - a > _room(i, len(ranges)):
            head = (a, a + CONTEXT)
            tail = (b - CONTEXT if i < len(ranges) - 1 else b, b)
        _kept(out, text, *head, missed)
        if tail is not None:
            out.append(-(tail[0] - head[1]))
            _kept(out, text, *tail, missed)
        if i < len(doc.spans):
            out.append(i)
    return [p for p in out if p != ""]


def _kept(out: list[Any], text: str, a: int, b: int, missed: Sequence[tuple[int, int]]) -> None:
    k = max(bisect_right(missed, (a, a)) - 1, 0)  # the last missed range starting before ``a``
    while a < b:
        while k < len(missed) and missed[k][1] <= a:
            k += 1
        if k < len(missed) and missed[k][0] < b:
            m0, m1 = max(missed[k][0], a), min(missed[k][1], b)
            if m0 > a:
                out.append(text[a:m0])
            out.append([text[m0:m1]])
            a = m1
        else:
            out.append(text[a:b])
            a = b


def _script_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` can end or open a tag,
    and lone surrogates (bytes kept by ``surrogateescape``) become escapes UTF-8 can carry."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch in "<>&\u2028\u2029":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _esc(text: str) -> str:
    return html.escape(SURROGATE.sub("\ufffd", text), quote=True)
