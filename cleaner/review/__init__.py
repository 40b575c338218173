"""The review page: one self-contained HTML file showing a run's removed spans in place.

``load_run`` reads a report and rebuilds each document's input from its output and spans
(the report replays: ``restore(clean, spans)``). ``with_gold`` builds the same documents
from an evaluation, marking harm and missed noise against the gold. ``page`` turns either
into HTML that loads nothing from the network: one compact JSON block of data, and the
page's own script, which draws the summary, the list (only the rows in view) and one
document at a time.

What is embedded: every document's record and every span's place and rule, always. Text
is kept within a budget of characters (``max_chars``), in review order (problems and
errors; a few documents of every rule; then by harm with a gold and by characters
removed): the first ``WHOLE_FIRST`` are embedded whole, every other document gets an
excerpt (its opening, each removal with ``CONTEXT`` characters either side, removals longer
than ``2 * SPAN_EDGE`` cut in the middle) while the budget lasts, then whole texts while it
still lasts. The page says what
did not fit.

Nothing here imports the command-line layer.
"""

from __future__ import annotations

from .gold import document, gold_marks, rule_descriptions, with_gold
from .page import page, page_for_result
from .run import DEFAULT_MAX_CHARS, GoldCase, GoldMarks, ReviewDoc, ReviewRun, find_report, load_run

__all__ = [
    "DEFAULT_MAX_CHARS",
    "GoldCase",
    "GoldMarks",
    "ReviewDoc",
    "ReviewRun",
    "document",
    "find_report",
    "gold_marks",
    "load_run",
    "page",
    "page_for_result",
    "rule_descriptions",
    "with_gold",
]
