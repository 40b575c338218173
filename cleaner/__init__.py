"""cleaner: strips boilerplate from article text and reports every span it removed."""

from .errors import CleanerError, DocumentError, RuleFileError, RuleProblem, UsageError
from .loader import default_rules_dir, load_rules, parse_rules_text
from .model import Category, Result, Span, Zone, restore
from .pipeline import Cleaner

__all__ = [
    "Category",
    "Cleaner",
    "CleanerError",
    "DocumentError",
    "Result",
    "RuleFileError",
    "RuleProblem",
    "Span",
    "UsageError",
    "Zone",
    "default_rules_dir",
    "load_rules",
    "parse_rules_text",
    "restore",
]
