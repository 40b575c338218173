"""``cleaner mine``: a site's repeated lines become a draft rule file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError, WriteError
from ..io import existing, write_atomic
from ..read import DEFAULT_MIN_CONFIDENCE, is_jsonl_name
from . import common
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_WRITE,
    INPUTS,
    JSONL,
    OUTPUTS,
    DetectEncodingOpt,
    FallbackEncodingOpt,
    MaxBytesOpt,
    NoDefaultsOpt,
    RulesOpt,
    UrlOpt,
    err,
    fail,
    shown,
    warn,
)


@common.command("mine", short_help="Mine a site's repeated lines into a draft rule file.")
def mine(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Pages to mine: files and directories (text and HTML, as clean finds them), one JSON "
            "Lines file, or - for standard input.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="OUT",
            help="A .toml file for the pages of one site, or a folder that gets one <site>.toml per site.",
            show_default=False,
            rich_help_panel=OUTPUTS,
        ),
    ],
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Replace rule files that exist.", rich_help_panel=OUTPUTS),
    ] = False,
    min_docs: Annotated[
        int | None,
        typer.Option(
            "--min-docs",
            metavar="N",
            help="Mine lines seen on at least N pages of a site (default: 3). The default was chosen "
            "by measurement: see docs/mine.md.",
            show_default=False,
        ),
    ] = None,
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            metavar="NAME",
            help="The site of the pages that have no URL (no canonical link, --url or --url-field); "
            "without it they are one group, and its pack is not scoped to a site.",
        ),
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultsOpt = False,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="auto|text|html|jsonl",
            help="What the inputs are, as for clean.",
            rich_help_panel=INPUTS,
        ),
    ] = "auto",
    url: UrlOpt = None,
    max_bytes: MaxBytesOpt = "64M",
    fallback_encoding: FallbackEncodingOpt = None,
    detect_encoding: DetectEncodingOpt = False,
    text_field: Annotated[
        str,
        typer.Option(
            "--text-field", metavar="NAME", help="The field holding the text.", rich_help_panel=JSONL
        ),
    ] = "text",
    url_field: Annotated[
        str | None,
        typer.Option(
            "--url-field",
            metavar="NAME",
            help="The field with each record's page URL.",
            rich_help_panel=JSONL,
        ),
    ] = None,
) -> None:
    """Mine the lines that repeat across the pages of each site into a draft rule pack per site.

    Lines and runs of lines seen on at least --min-docs pages of a site (numbers and dates set
    aside) become rules scoped to that site, each saying how many pages it was seen on, with
    its evidence (seen) and examples: the real lines to remove, and a real story line of the
    same pages to keep. Lines the loaded rules already remove are not mined, nor lines that
    sit among a story's paragraphs (docs/mine.md says how that is told). Read the draft, then
    use it with cleaner clean --rules OUT; cleaner rules test --rules OUT passes on it.

    Exit status: 0 done; 2 usage or rule-file error, or a rule file exists (nothing written);
    3 some inputs could not be read (the others were mined); 4 a rule file could not be
    written.
    """
    from .. import mine as mining  # the mining code is loaded only by this command

    min_docs = mining.DEFAULT_MIN_DOCS if min_docs is None else min_docs
    if min_docs < 2:
        fail("--min-docs must be at least 2: a line on one page does not repeat")
    options = common.read_options(
        format=format,
        url=url,
        max_bytes=max_bytes,
        fallback_encoding=fallback_encoding,
        detect_encoding=detect_encoding,
        min_confidence=DEFAULT_MIN_CONFIDENCE,
        formats=("auto", "text", "html", "jsonl"),
    )
    for p in paths:
        if str(p) != "-" and not p.exists():
            fail(f"{p}: no such file or directory")
    stream = format == "jsonl" or (format == "auto" and len(paths) == 1 and is_jsonl_name(str(paths[0])))
    with common.rule_errors():
        base = mining.base_rules(rules or (), defaults=not no_default_rules)
    how = mining.Reading(options, stream, text_field, url_field)
    pages, problems = mining.read_pages(paths, how, output)
    for problem in problems:
        warn(f"warning: {problem}")
    groups = mining.group_by_site(pages, site)
    try:
        targets = mining.output_paths(output, sorted(groups, key=lambda k: (k is None, k or "")))
    except UsageError as e:
        fail(str(e))
    if not overwrite and (found := next((p for p in targets.values() if existing(p)), None)):
        fail(f"{found} exists; use --overwrite to replace it")
    for pack in mining.mine(pages, min_docs=min_docs, site=site, rules=base):
        name = pack.site or "pages without a site"
        if not pack.rules:
            why = (
                "fewer pages than --min-docs"
                if pack.pages < min_docs
                else "no line repeats on enough of them"
            )
            err.print(f"{shown(name)}: {_pages(pack.pages)}, {why}; nothing written", markup=False)
            continue
        target = targets[pack.site]
        try:
            write_atomic(target, pack.to_toml().encode("utf-8"))
        except WriteError as e:
            fail(str(e), EXIT_WRITE)
        written = f"{len(pack.rules)} rule{'s' * (len(pack.rules) != 1)}"
        err.print(f"{shown(name)}: {_pages(pack.pages)}, {written} -> {shown(str(target))}", markup=False)
    if not pages:
        warn("no pages to mine")
    raise typer.Exit(EXIT_FAILED if problems else EXIT_OK)


def _pages(n: int) -> str:
    return f"{n} page{'s' * (n != 1)}"
