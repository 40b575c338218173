"""What every command shares: the app, messages and exit codes, the options of rules, limits
and reading, and the cleaner they build.

Only the command line imports typer; the commands translate arguments and write results.
"""

from __future__ import annotations

import codecs
import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import typer.core

from ..document import FORMATS, HTML_FALLBACKS, ReadOptions
from ..errors import RuleFileError
from ..pipeline import DEFAULT_DOC_TIMEOUT, DEFAULT_MAX_REMOVED_FRACTION, DEFAULT_MAX_SPANS, Cleaner
from ..read import DEFAULT_MIN_CONFIDENCE, ENCODING_ERRORS, DecodePolicy

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_FAILED, EXIT_WRITE = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT; SIGTERM gives 143
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader of standard output went away
EXIT_WORKER = 5  # a worker process died (the OOM killer, a kill): stopped early, resumable


class _Console:
    """rich's console, imported and made when something is first printed: most runs print
    nothing to it, and importing rich would add about a tenth of a second to every start."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


err: Any = _Console(stderr=True, highlight=False, soft_wrap=True)
out: Any = _Console(highlight=False)

# Help sections, in the order a reader looks for them.
RULES = "Rules"
INPUTS = "Inputs"
DECODING = "Decoding"
OUTPUTS = "Outputs and the report"
JSONL = "JSON Lines"
LIMITS = "Limits"
RUN = "Running"


class Command(typer.core.TyperCommand):
    """A command whose help reads like a manual page: the usage, the description, then the
    options in sections (``rich_help_panel`` names an option's section), each option with
    its value's name and what it does, at the terminal's width."""

    # (typer brings a click of its own in some versions: the arguments are typed loosely.)
    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = ["[OPTIONS]"]
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                name = _argument_name(param) + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        formatter.write_usage(ctx.command_path, " ".join(pieces))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                # the value's name and its help, without the type tag typer adds
                arguments.append((_argument_name(param), param.help or ""))
                continue
            row = param.get_help_record(ctx)
            if row is None:
                continue
            else:
                sections.setdefault(getattr(param, "rich_help_panel", None) or "Options", []).append(row)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        for name, rows in sections.items():
            with formatter.section(name):
                formatter.write_dl(rows)


def _argument_name(param: Any) -> str:
    return str(param.metavar or (param.name or "").upper())


class Group(typer.core.TyperGroup):
    """A group of commands with the same manual-page help as ``Command``."""


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def typer_app(help: str) -> typer.Typer:
    return typer.Typer(
        add_completion=False,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        cls=Group,
        context_settings=CONTEXT,
        help=help,
    )


app = typer_app(
    "Strip boilerplate (donation pleas, photo credits, navigation, sponsored slots...) from "
    "article text, and report every removed span with the rule that removed it."
)


def command(name: str | None = None, *, short_help: str | None = None) -> Any:
    """``app.command`` with the manual-page help; ``short_help`` is its line in the list of
    commands."""
    return app.command(name, cls=Command, context_settings=CONTEXT, short_help=short_help)


def shown(text: str) -> str:
    """``text`` as it can be printed anywhere: lone surrogates (from file names that are not
    UTF-8) become ``\\udcXX``, as the report writes them."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err.print(f"cleaner: {shown(message)}", markup=False)
    raise typer.Exit(code)


def warn(message: str) -> None:
    err.print(f"cleaner: {shown(message)}", markup=False)


@contextmanager
def rule_errors() -> Iterator[None]:
    try:
        yield
    except RuleFileError as e:
        err.print(f"cleaner: {len(e.problems)} problem(s) in the rule files:", markup=False)
        for p in e.problems:
            err.print(f"  {p}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None


# -- rules and limits -------------------------------------------------------------------------

RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        help="A rule file or a folder of *.toml rule files, added to the default packs. Repeat for more.",
        metavar="PATH",
        show_default=False,
        rich_help_panel=RULES,
    ),
]
NoDefaultsOpt = Annotated[
    bool,
    typer.Option(
        "--no-default-rules",
        help="Leave the shipped rule packs out; use only --rules.",
        rich_help_panel=RULES,
    ),
]
DocTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--doc-timeout",
        metavar="SECONDS",
        help="Time limit (CPU seconds) of one document, for every million characters of it: it grows "
        "with the document, and bounds a pathological rule. A rule that runs past its share is "
        "skipped for that document (warning rule_timeout:<id>, exit 3); the other rules still "
        "clean it.",
        rich_help_panel=LIMITS,
    ),
]
MaxSpansOpt = Annotated[
    int,
    typer.Option(
        "--max-spans",
        metavar="N",
        help="More matches than this in one document leave it unchanged (too_many_matches).",
        rich_help_panel=LIMITS,
    ),
]
MaxRemovedOpt = Annotated[
    float,
    typer.Option(
        "--max-removed-fraction",
        metavar="F",
        help="The largest share of a document's characters one rule may remove, for rules that do "
        "not set their own; over it the document is left unchanged (guard: too_much_removed).",
        rich_help_panel=LIMITS,
    ),
]
CheckStableOpt = Annotated[
    bool,
    typer.Option(
        "--check-stable",
        help="Clean each output once more and report unstable: true when more would go.",
        rich_help_panel=LIMITS,
    ),
]
UntilStableOpt = Annotated[
    bool,
    typer.Option(
        "--until-stable",
        help="Clean again until nothing more goes (at most 10 passes, one time limit).",
        rich_help_panel=LIMITS,
    ),
]
RepairOpt = Annotated[
    bool,
    typer.Option(
        "--repair-mojibake",
        help='Repair text whose UTF-8 was once read as Latin-1 or Windows-1252 ("isnâ€™t") with '
        "ftfy before cleaning. Its spans then index the repaired text: the record keeps ftfy's "
        'plan (repair), repaired_sha256, and format "repaired" for a text file.',
        rich_help_panel=DECODING,
    ),
]


def build_cleaner(
    rules: Sequence[Path] | None,
    no_default_rules: bool,
    *,
    doc_timeout: float = DEFAULT_DOC_TIMEOUT,
    max_spans: int = DEFAULT_MAX_SPANS,
    max_removed_fraction: float = DEFAULT_MAX_REMOVED_FRACTION,
    check_stable: bool = False,
    until_stable: bool = False,
    repair_mojibake: bool = False,
) -> Cleaner:
    if no_default_rules and not rules:
        fail("--no-default-rules needs at least one --rules PATH")
    with rule_errors():
        try:
            cleaner = Cleaner(
                rule_paths=list(rules or ()),
                default_rules=not no_default_rules,
                doc_timeout=doc_timeout,
                max_spans=max_spans,
                max_removed_fraction=max_removed_fraction,
                check_stable=check_stable,
                until_stable=until_stable,
                repair_mojibake=repair_mojibake,
            )
        except ValueError as e:
            fail(str(e))
    if not cleaner.rules:
        where = ", ".join(str(p) for p in rules or ())
        warn(f"warning: no rules loaded (from {where}): nothing will be removed; outputs equal inputs")
    # Frozen, what start-up built is not scanned again by every collection (nor copied into
    # forked workers by it). The cycles compiling the rules leaves were collected when they
    # were compiled (``cache.load_compiled``).
    gc.freeze()
    return cleaner


# -- how documents are read ---------------------------------------------------------------------

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        metavar="URL",
        help="The page URL of every input, for site rules (for HTML, in place of the page's canonical link).",
        rich_help_panel=INPUTS,
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="auto|text|html",
        help="What the inputs are. auto: HTML by extension (.html, .htm, .xhtml, also .gz) or by "
        "its first bytes, else text. HTML goes through trafilatura first.",
        rich_help_panel=INPUTS,
    ),
]
MaxBytesOpt = Annotated[
    str,
    typer.Option(
        "--max-bytes",
        metavar="N",
        help="Fail inputs larger than N bytes (HTML: once decompressed) with too_large, unread. "
        "Suffixes K, M, G (powers of 1024).",
        rich_help_panel=INPUTS,
    ),
]
EncodingErrorsOpt = Annotated[
    str,
    typer.Option(
        "--encoding-errors",
        metavar="strict|surrogateescape",
        help="strict: invalid UTF-8 fails with decode. surrogateescape: keep each invalid byte "
        "as a lone surrogate and write it back, so the bytes round-trip.",
        rich_help_panel=DECODING,
    ),
]
FallbackEncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--fallback-encoding",
        metavar="NAME",
        help="A codec (cp1252, latin-1, ...) to decode inputs that are not valid UTF-8; "
        "recorded as encoding_source fallback.",
        show_default=False,
        rich_help_panel=DECODING,
    ),
]
DetectEncodingOpt = Annotated[
    bool,
    typer.Option(
        "--detect-encoding",
        help="Guess the encoding of inputs that are not valid UTF-8 (charset_normalizer); the guess "
        "and its confidence are recorded, and a guess below --min-confidence fails.",
        rich_help_panel=DECODING,
    ),
]
MinConfidenceOpt = Annotated[
    float,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        metavar="X",
        help="The lowest confidence --detect-encoding accepts.",
        rich_help_panel=DECODING,
    ),
]
AllowNulOpt = Annotated[
    bool,
    typer.Option(
        "--allow-nul",
        help="Read text holding NUL bytes as text instead of failing it as binary.",
        rich_help_panel=DECODING,
    ),
]
HtmlFallbackOpt = Annotated[
    str,
    typer.Option(
        "--html-fallback",
        metavar="none|text",
        help="text: clean a page in which neither trafilatura nor resiliparse finds text as plain "
        "text (with a warning) instead of recording empty_extraction.",
        rich_help_panel=DECODING,
    ),
]


def parse_size(text: str, option: str = "--max-bytes") -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(?:([KMG])i?B?)?\s*", text, re.I)
    if not m:
        fail(f"{option} must be a number of bytes, optionally with K, M or G, not {text!r}")
    size = int(m[1]) * 1024 ** " KMG".index((m[2] or " ").upper())
    if size < 1:
        fail(f"{option} must be at least 1")
    return size


def read_options(
    *,
    format: str,
    url: str | None,
    max_bytes: str = "64M",
    encoding_errors: str = "strict",
    fallback_encoding: str | None = None,
    detect_encoding: bool = False,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    allow_nul: bool = False,
    html_fallback: str = "none",
    formats: Sequence[str] = FORMATS,
) -> ReadOptions:
    """How each document is read, from the options of a command; exit 2 when one is wrong."""
    if format not in formats:
        fail(f"--format must be one of {', '.join(formats)}, not {format!r}")
    if encoding_errors not in ENCODING_ERRORS:
        fail(
            f"--encoding-errors must be strict or surrogateescape, not {encoding_errors!r}; "
            "bytes are never replaced"
        )
    if html_fallback not in HTML_FALLBACKS:
        fail(f"--html-fallback must be none or text, not {html_fallback!r}")
    if fallback_encoding is not None:
        try:
            codecs.lookup(fallback_encoding)
            b"x".decode(fallback_encoding)  # LookupError for codecs that are not text encodings
        except LookupError:
            fail(f"--fallback-encoding: unknown text encoding {fallback_encoding!r}")
        except UnicodeDecodeError:
            pass
    policy = DecodePolicy(
        errors=encoding_errors,
        fallback=fallback_encoding,
        detect=detect_encoding,
        min_confidence=min_confidence,
        allow_nul=allow_nul,
    )
    return ReadOptions(
        format=format if format in FORMATS else "auto",
        url=url,
        decoding=policy,
        max_bytes=parse_size(max_bytes),
        html_fallback=html_fallback,
    )
