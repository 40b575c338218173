"""Runs of repeated lines → rules of the project's format: matcher, category, description,
evidence and examples.

Per run of lines:

- lines that do not vary become one phrase list (whole-line phrases, which compare lines as
  the key did: case, spaces and decoration set aside);
- lines that vary in their numbers or dates become one line pattern when that is safe
  (``shapes.safe_to_vary``), else the lines seen join the phrase list.

A rule's category is the one a base rule gives the line when it matches the line on its own;
else it is guessed from the run's shape, and the description says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import regex

from ..lines import phrase_key, word_count
from ..model import Category
from ..pipeline import Cleaner
from ..schema import compile_pattern
from . import toml
from .find import Candidate, Found
from .shapes import DECORATION_CLASS, is_date_only, safe_to_vary
from .story import is_title

MAX_EXAMPLES = 6  # examples to remove per rule: the first lines of its run
MAX_SEEN = 10  # pages listed as a rule's evidence
KEEP_WORDS = (8, 60)  # the length of story line preferred as the example to keep
GUARD_SHARE = 0.3  # a rule that took this share of a page may take a whole page
KEEP_PAGES = 20  # pages searched for a story paragraph to keep
SHORT_WORDS = 4  # a menu item or link label
TITLE_MIN_WORDS = 6  # a title in a list of other stories (a guess at its category)
TITLE_LIST = 3  # titles that make a run a list of other stories (a guess at its category)
_ID_WORD = regex.compile(r"[a-z0-9]+")
_KEY_WORD = regex.compile(r"\w{4,}")


@dataclass(frozen=True, slots=True)
class MinedRule:
    id: str
    category: Category
    description: str
    seen: tuple[str, ...]
    remove: tuple[str, ...]
    keep: tuple[str, ...]
    phrases: tuple[str, ...] = ()
    pattern: str | None = None
    max_removed_fraction: float | None = None

    def to_toml(self) -> str:
        entries: list[tuple[str, toml.Value]] = [
            ("id", self.id),
            ("category", self.category.value),
            ("description", self.description),
            ("seen", self.seen),
        ]
        if self.pattern is not None:
            entries.append(("line", self.pattern))
        else:
            entries.append(("phrases", self.phrases))
        if self.max_removed_fraction is not None:
            entries.append(("max_removed_fraction", self.max_removed_fraction))
        entries += [("examples.remove", self.remove), ("examples.keep", self.keep)]
        return "[[rule]]\n" + toml.table(entries, literal_keys=("line",))


def slug(text: str, words: int = 4) -> str:
    """Lower-case ASCII words joined by ``-``: ``Today's Paper`` → ``today-s-paper``."""
    return "-".join(_ID_WORD.findall(text.lower())[:words])


def site_slug(site: str | None) -> str:
    return slug(site.removeprefix("www."), 12) if site else ""


def _line(c: Candidate) -> str:
    return c.variants.most_common(1)[0][0]


def _guess_category(cands: Sequence[Candidate]) -> tuple[Category, str]:
    lines = [_line(c) for c in cands]
    words = [word_count(t) for t in lines]
    if any("©" in t for t in lines):
        return Category.COPYRIGHT, "it holds ©"
    if all(is_date_only(c.shape) for c in cands):
        return Category.METADATA, "a date"
    if sum(is_title(t) and word_count(t) >= TITLE_MIN_WORDS for t in lines) >= TITLE_LIST:
        return Category.RELATED, "a list of titles, as of other stories"
    if len(lines) >= 3 and sum(w <= SHORT_WORDS for w in words) * 3 >= len(lines) * 2:
        return Category.NAVIGATION, "a run of short lines, as a menu or a list of links is"
    return Category.BOILERPLATE, "a line or run of lines no other kind fits"


@dataclass(frozen=True, slots=True)
class Part:
    """What one rule of a run takes: phrases or a pattern, and the candidates behind it."""

    cands: tuple[Candidate, ...]
    phrases: tuple[str, ...]
    pattern: str | None
    remove: tuple[str, ...]


def parts_of(cands: Sequence[Candidate]) -> list[Part]:
    fixed: list[Candidate] = []
    varying: list[Candidate] = []
    for c in cands:
        (varying if c.shape.varies and safe_to_vary(c.shape) else fixed).append(c)
    parts: list[Part] = []
    if fixed:
        phrases: dict[str, str] = {}
        remove: list[str] = []
        for c in fixed:
            # a line that does not vary needs one phrase; one that varies unsafely, each line seen
            lines = [_line(c)] if not c.shape.varies else list(c.variants)
            for line in lines:
                key = phrase_key(line)
                if key and key not in phrases:
                    phrases[key] = phrase_key(line, fold=False)
                    remove.append(line)
        parts.append(Part(tuple(fixed), tuple(phrases.values()), None, tuple(remove[:MAX_EXAMPLES])))
    if varying:
        bodies = list(dict.fromkeys(c.shape.pattern_body() for c in varying))
        body = bodies[0] if len(bodies) == 1 else "(?:" + "|".join(bodies) + ")"
        pattern = f"(?i)^{DECORATION_CLASS}{body}{DECORATION_CLASS}$"
        remove = [line for c in varying for line, _ in c.variants.most_common(2)]
        parts.append(Part(tuple(varying), (), pattern, tuple(remove[:MAX_EXAMPLES])))
    return parts


def _unique_id(base_id: str, used: set[str]) -> str:
    rid, n = base_id, 2
    while rid in used:
        rid, n = f"{base_id}-{n}", n + 1
    used.add(rid)
    return rid


class RuleBuilder:
    """Writes the rules of one group's runs.

    What it works out once per line, page and run is kept (the category a base rule gives a
    line, where each line stands on each page, each page's story paragraphs, the rules of a
    run), so that the story guard can build the pack for many sets of runs cheaply.
    """

    def __init__(self, found: Found, site: str | None, base: Cleaner) -> None:
        self.found = found
        self.site = site
        self.base = base
        self.prefix = f"sites.{site_slug(site)}" if site else "mined"
        # per candidate key: page -> (characters its lines take there, index of its first line)
        self.spots: dict[str, dict[int, tuple[int, int]]] = {k: {} for k in found.candidates}
        self.stories: list[list[tuple[str, str, frozenset[str], int]]] = []
        for d, page in enumerate(found.pages):
            for ln in page:
                if not ln.gone and ln.key in self.spots:
                    size, first = self.spots[ln.key].get(d, (0, ln.index))
                    self.spots[ln.key][d] = (size + ln.size, first)
            self.stories.append(
                [
                    (ln.text, phrase_key(ln.text), _words(ln.text), word_count(ln.text))
                    for ln in page
                    if ln.story
                ]
            )
        self.categories: dict[str, tuple[Category, str, str] | None] = {}
        self.drafts: dict[tuple[str, ...], list[tuple[str, MinedRule]]] = {}

    def rules(self, runs: Sequence[Sequence[str]] | None = None) -> list[MinedRule]:
        """The rules of ``runs`` (default: every run found), with ids unique in the pack."""
        used: set[str] = set()
        out: list[MinedRule] = []
        for run in self.found.runs if runs is None else runs:
            key = tuple(run)
            if key not in self.drafts:
                self.drafts[key] = self._draft(run)
            for base_id, rule in self.drafts[key]:
                out.append(replace(rule, id=_unique_id(base_id, used)))
        return out

    def share(self, keys: set[str]) -> float:
        """The largest share of a page's characters that lines with these keys took."""
        taken: Counter[int] = Counter()
        for key in keys:
            for d, (size, _) in self.spots[key].items():
                taken[d] += size
        return max((n / len(self.found.docs[d].text) for d, n in taken.items()), default=0.0)

    def _draft(self, run: Sequence[str]) -> list[tuple[str, MinedRule]]:
        """A run's rules, each with the id it would like: phrases and a pattern."""
        cands = [self.found.candidates[k] for k in run]
        default = self._category([_line(c) for c in cands])
        if default is not None:
            category, rid, line = default
            why = f"Its category is the one the rule {rid} gives {line!r}, which it also matches."
        else:
            category, shape = _guess_category(cands)
            why = f"Category {category.value}: a guess from the shape of its run ({shape})."
        out: list[tuple[str, MinedRule]] = []
        for part in parts_of(cands):
            keys = {c.key for c in part.cands}
            docs = sorted({d for c in part.cands for d in c.docs})
            keep = self._keep(docs, part)
            if keep is None:
                continue  # no story line to show what the rule keeps: not written
            named = part.cands[0].shape.literal if part.pattern else part.remove[0]  # no number in an id
            seen = list(dict.fromkeys(self.found.docs[d].url or self.found.docs[d].source for d in docs))
            description = f"{self._describe(part, keys)} {why}"
            if len(seen) > MAX_SEEN:
                description += f" 'seen' lists the first {MAX_SEEN}."
            share = self.share(keys)
            guard = None
            if share >= GUARD_SHARE:
                guard = 1.0
                description += f" It took up to {share:.0%} of a page, so it may take most of one."
            rule = MinedRule(
                "", category, description, tuple(seen[:MAX_SEEN]), part.remove, (keep,), part.phrases,
                part.pattern, max_removed_fraction=guard,
            )  # fmt: skip
            out.append((f"{self.prefix}.{slug(named) or 'lines'}", rule))
        return out

    def _category(self, lines: Sequence[str]) -> tuple[Category, str, str] | None:
        """The category most of the lines get from a base rule that matches them on their own,
        with one such rule and line; None when no base rule matches any."""
        hits: list[tuple[Category, str, str]] = []
        for line in lines:
            if line not in self.categories:
                # as ``rules test`` runs an example: every scope open, the line alone
                result = self.base._clean(line, url=None, all_scopes=True, guard=False)
                span = next((s for s in result.spans if s.category is not Category.WHITESPACE), None)
                self.categories[line] = (span.category, span.rule, line) if span is not None else None
            hit = self.categories[line]
            if hit is not None:
                hits.append(hit)
        if not hits:
            return None
        top, _ = Counter(c for c, _, _ in hits).most_common(1)[0]
        return next(h for h in hits if h[0] is top)

    def _keep(self, docs: Sequence[int], part: Part) -> str | None:
        """A story paragraph of the rule's pages (the first ``KEEP_PAGES``) that the rule does
        not take: one that shares a word with the rule's lines when there is one, of a
        readable length when there is one."""
        matches = compile_pattern(part.pattern, False) if part.pattern else None
        phrases = {phrase_key(p) for p in part.phrases}
        words = frozenset().union(*(_words(line) for line in part.remove))
        best: tuple[tuple[int, int, int], str] | None = None
        for d in docs[:KEEP_PAGES]:
            for text, key, own, n in self.stories[d]:
                if key in phrases or (matches is not None and matches.search(text)):
                    continue
                rank = (0 if own & words else 1, 0 if KEEP_WORDS[0] <= n <= KEEP_WORDS[1] else 1, n)
                if best is None or rank < best[0]:
                    best = (rank, text)
        return best[1] if best else None

    def _describe(self, part: Part, keys: set[str]) -> str:
        found = self.found
        counts = sorted(len(c.families) for c in part.cands)
        seen = f"{counts[0]}" if counts[0] == counts[-1] else f"{counts[0]} to {counts[-1]}"
        site = f" {self.site}" if self.site else ""
        where = f"of the {found.distinct}{site} pages mined"
        place = self._place(keys)
        if part.pattern is not None:
            shown = ", ".join(repr(line) for line in part.remove[:2])
            what = "A line that varies" if len(part.cands) == 1 else f"{len(part.cands)} lines that vary"
            return f"{what} only in numbers or dates ({shown}), {place} of the pages; seen on {seen} {where}."
        if len(part.phrases) == 1:
            return f"A line {place} of the pages, seen on {seen} {where}."
        together = " that stand together" if len(part.cands) > 1 else ""
        return f"{len(part.phrases)} lines{together} {place} of the pages, each seen on {seen} {where}."

    def _place(self, keys: set[str]) -> str:
        """Where on the pages the lines begin, on average: near the top, in the middle, near
        the foot."""
        first: dict[int, int] = {}
        for key in keys:
            for d, (_, index) in self.spots[key].items():
                first[d] = min(first.get(d, index), index)
        spots = [index / max(1, self.found.pages[d][-1].index) for d, index in first.items()]
        mean = sum(spots) / len(spots) if spots else 0.5
        return "near the top" if mean < 1 / 3 else "near the foot" if mean > 2 / 3 else "in the middle"


def _words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _KEY_WORD.findall(text))


def signatures(found: Found, runs: Sequence[Sequence[str]], count: int = 5) -> tuple[str, ...]:
    """Lines of ``runs`` that most of the group's pages hold word for word, longest first among
    the commonest: a pack's ``requires``, so that it applies to pages given without a URL."""
    fixed = [found.candidates[k] for run in runs for k in run if not found.candidates[k].shape.varies]
    ranked = sorted(fixed, key=lambda c: (-len(c.families), -len(_line(c))))
    out: list[str] = []
    for c in ranked:
        line = _line(c)
        if word_count(line) >= 2 and line not in out:
            out.append(line)
        if len(out) == count:
            break
    return tuple(out)
