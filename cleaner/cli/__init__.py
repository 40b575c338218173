"""The command line: one thin module per command, each a door onto the core."""

from __future__ import annotations

from . import clean, eval, explain, mine, review, rules  # noqa: F401 - each registers its command on the app
from .common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
