"""Mining a site's repeated lines into a draft rule pack: ``cleaner mine``.

A crawl holds many pages of each site, and every page of a site carries the same menus,
footers, promos and widgets. ``mine`` finds the lines and runs of lines that repeat across
the pages of a site (``find``), leaves out those the base rules already remove and those
that belong to a story, and writes the rest as ordinary rules (``rules``), one pack per
site, scoped to it. Each rule says how many pages it was seen on and carries its evidence
and examples; the pack is checked by running every example before it is returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UsageError
from ..loader import load_rules, parse_rules_text
from ..pipeline import Cleaner
from ..ruletest import check_example, slow_patterns
from ..schema import Kind, Rule
from . import toml
from .find import Page, find_repeats
from .guard import LeftOut, guard_runs
from .inputs import Reading, group_by_site, read_pages
from .rules import MinedRule, RuleBuilder, signatures, site_slug

__all__ = [
    "DEFAULT_MIN_DOCS",
    "Page",
    "MinedPack",
    "Reading",
    "base_rules",
    "group_by_site",
    "mine",
    "mine_group",
    "output_paths",
    "read_pages",
]

# Lines on fewer pages than this are not mined (see docs/mine.md for the measurement).
DEFAULT_MIN_DOCS = 3
# Base rules whose removals do not count as "already removed": the whole-page line classes
# judge a line by its neighbours and words, not by what it says, so a pack must not rely on them.
CONTEXT_HEURISTICS = ("page-lines",)


@dataclass(frozen=True, slots=True)
class MinedPack:
    """The rules mined from one group of pages. ``site`` is None for pages with no site."""

    site: str | None
    pages: int  # pages read
    distinct: int  # pages once copies of one story count once
    min_docs: int
    rules: tuple[MinedRule, ...]
    requires: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # ids of rules whose own examples failed, not written
    left_out: tuple[LeftOut, ...] = ()  # runs that cost a story its lines, not written

    @property
    def file_name(self) -> str:
        return file_name(self.site)

    def to_toml(self) -> str:
        where = f"{self.pages} pages of {self.site}" if self.site else f"{self.pages} pages"
        head = toml.comment(
            f"Mined by `cleaner mine` from {where}: lines seen on {self.min_docs} or more of them.\n"
            "A draft: read each rule, delete what should stay, then check it with\n"
            "`cleaner rules test --rules THIS-FILE` and use it with `cleaner clean --rules THIS-FILE`.\n"
            "While it says `mined = true`, its rules take the lines they match and the whole-page\n"
            "heuristic takes no story prose on their account; set it to false once you trust them."
        )
        for gone in self.left_out:
            more = f" and {gone.lines - 1} more lines" if gone.lines > 1 else ""
            head += toml.comment(
                f"Left out: {gone.first!r}{more}: with them the loaded rules took {gone.lost} of the "
                f"{gone.words} story words of {gone.page}."
            )
        for rid in self.dropped:
            head += toml.comment(f"Left out: {rid}: its own examples failed.")
        pack: list[tuple[str, toml.Value]] = [
            ("name", f"mined-{site_slug(self.site)}" if self.site else "mined"),
            ("description", _pack_description(self)),
        ]
        if self.site:
            pack.append(("sites", [self.site]))
        if self.requires:
            pack.append(("requires", self.requires))
        pack.append(("mined", True))  # see the comment above, and docs/mine.md
        body = "\n".join(r.to_toml() for r in self.rules)
        return f"{head}[pack]\n{toml.table(pack)}\n{body}"


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(site: str | None) -> str:
    """``<site>.toml`` (signs a file name should not hold become ``-``), or ``mined.toml``."""
    name = _UNSAFE_NAME.sub("-", site).strip(".-") if site else ""
    return f"{name}.toml" if name else "mined.toml"


def output_paths(out: Path, sites: Sequence[str | None]) -> dict[str | None, Path]:
    """Where each site's pack goes: ``out`` itself when it names a ``.toml`` file (one site
    only), else ``out/<site>.toml``. ``UsageError`` for a file and several sites."""
    if out.name.lower().endswith(".toml"):
        if len(sites) > 1:
            shown = ", ".join(s or "(no site)" for s in sites[:5]) + (" ..." if len(sites) > 5 else "")
            raise UsageError(
                f"{out}: the pages are from {len(sites)} sites ({shown}); give a folder to write "
                "one pack per site"
            )
        return dict.fromkeys(sites, out)
    return {s: out / file_name(s) for s in sites}


def _pack_description(pack: MinedPack) -> str:
    where = f"the pages of {pack.site}" if pack.site else "these pages"
    n = len(pack.rules)
    text = f"Lines that repeat across {where}: menus, footers, promos, widgets ({n} rule{'s' * (n != 1)})."
    if pack.requires:
        text += " Pages given without a URL get these rules when they hold one of the 'requires' lines."
    return text


def base_rules(rule_paths: Sequence[Path | str] = (), *, defaults: bool = True) -> tuple[Rule, ...]:
    """The rules mining starts from: lines they remove are not mined again."""
    return load_rules(rule_paths, defaults=defaults)


def mine(
    docs: Sequence[Page],
    *,
    min_docs: int = DEFAULT_MIN_DOCS,
    site: str | None = None,
    rules: Sequence[Rule] | None = None,
) -> list[MinedPack]:
    """One pack per site of ``docs`` (see ``inputs.site_of``), in order of the sites' names.

    ``rules`` are the base rules (default: the default packs). Groups with fewer pages
    than ``min_docs`` give a pack without rules.
    """
    if min_docs < 2:
        raise ValueError("min_docs must be at least 2: a line on one page does not repeat")
    rules = tuple(rules) if rules is not None else base_rules()
    base = Cleaner(rules=[r for r in rules if r.heuristic not in CONTEXT_HEURISTICS])
    groups = group_by_site(docs, site)
    return [
        mine_group(groups[key], key, min_docs=min_docs, base=base, rules=rules)
        for key in sorted(groups, key=lambda k: (k is None, k or ""))
    ]


def mine_group(
    docs: Sequence[Page], site: str | None, *, min_docs: int, base: Cleaner, rules: Sequence[Rule]
) -> MinedPack:
    """The pack of one group of pages, its rules checked against their own examples."""
    if len(docs) < min_docs:
        return MinedPack(site, len(docs), len(docs), min_docs, ())
    found = find_repeats(docs, base, min_docs)
    builder = RuleBuilder(found, site, base)

    def build(runs: Sequence[Sequence[str]]) -> list[Rule]:
        """The rules ``runs`` become, unscoped: the guard cleans pages that may have no URL."""
        mined = builder.rules(runs)
        return (
            list(parse_rules_text(MinedPack(None, 0, 0, min_docs, tuple(mined)).to_toml())) if mined else []
        )

    runs, left_out = guard_runs(found, rules, build)
    mined = builder.rules(runs)
    requires = signatures(found, runs) if site and not all(d.url for d in docs) else ()
    pack = MinedPack(site, len(docs), found.distinct, min_docs, tuple(mined), requires, (), tuple(left_out))
    return verify(pack, rules)


def verify(pack: MinedPack, rules: Sequence[Rule]) -> MinedPack:
    """``pack`` without the rules whose examples fail, with the base rules loaded and without
    them, or whose pattern backtracks badly: what ``cleaner rules test`` would report."""
    dropped: list[str] = list(pack.dropped)
    while pack.rules:
        loaded = parse_rules_text(pack.to_toml(), pack.file_name)
        bad = {s.rule.id for s in slow_patterns(r for r in loaded if r.kind is Kind.LINE)}
        for cleaner in (Cleaner(rules=[*rules, *loaded]), Cleaner(rules=loaded)):
            for rule in loaded:
                outcomes = [check_example(cleaner, rule, "remove", ex) for ex in rule.examples_remove]
                outcomes += [check_example(cleaner, rule, "keep", ex) for ex in rule.examples_keep]
                if not all(o.passed for o in outcomes):
                    bad.add(rule.id)
        if not bad:
            break
        dropped += sorted(bad)
        pack = replace(pack, rules=tuple(r for r in pack.rules if r.id not in bad))
    return replace(pack, dropped=tuple(dropped))
