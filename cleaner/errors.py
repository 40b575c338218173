"""One base error and its kinds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class CleanerError(Exception):
    """Base of every error this package raises on purpose."""


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One thing wrong in one rule file."""

    file: str
    rule: str  # rule id, or "-" when the problem is not inside a rule
    field: str  # the key concerned, or "-"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.rule}: {self.field}: {self.message}"


class RuleFileError(CleanerError):
    """Every problem found in every rule file, raised once."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(CleanerError):
    """Arguments that cannot work together (an output inside an input, say)."""


class DocumentError(CleanerError):
    """A document that could not be processed; the batch goes on."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class WriteError(CleanerError):
    """An output or the report could not be written; the batch stops there (exit 4)."""

    def __init__(self, path: object, cause: OSError) -> None:
        self.path = path
        self.cause = cause
        super().__init__(f"cannot write {path}: {cause.strerror or cause}")


class WorkerDied(CleanerError):
    """A worker process died while it held documents; ``inputs`` names them."""

    def __init__(self, pid: int, exitcode: int | None, inputs: Sequence[str]) -> None:
        self.pid = pid
        self.exitcode = exitcode
        self.inputs = list(inputs)
        how = f"killed by signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
        held = ", ".join(self.inputs) or "nothing"
        super().__init__(f"worker process {pid} died ({how}) while cleaning {held}")
