"""Named heuristics, one module per family; importing the package registers them all.

- ``credits``: truncated-caption, credit-group
- ``page_lines``: page-lines (whole-page text), with ``stoplists``, the languages it reads by,
  and ``regions``, the walls, threads and signs it judges a page's regions by
- ``neighbours``: follows, teaser, sandwich
- ``comments``: comment-thread
- ``head``: headline, dateline-start
- ``repeats``: repeated-text, repeated-headline
- ``phrase_count``: phrase-count
"""

from __future__ import annotations

from . import comments, credits, head, neighbours, page_lines, phrase_count, repeats  # noqa: F401 - they register
from .registry import HEURISTICS, Context, HeuristicSpec, Param, Regex, RuleIds

__all__ = ["HEURISTICS", "Context", "HeuristicSpec", "Param", "Regex", "RuleIds"]
