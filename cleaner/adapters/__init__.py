"""Doors onto the cleaner for distributed engines: ``cleaner.adapters.dask`` (Dask bags and
dataframes), ``cleaner.adapters.hf`` (Hugging Face ``datasets``) and
``cleaner.adapters.datatrove`` (a datatrove pipeline step).

Each imports its engine itself, only when it is imported, so this package needs neither.
What they share is here: a ``CleanerSpec``, the picklable description of a cleaner that
travels to the workers, where the cleaner is built once per process, not once per record
or per task.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..loader import load_rules
from ..pipeline import Cleaner
from ..schema import Rule

__all__ = ["CleanerSpec", "cleaner_spec"]

_CACHE_SIZE = 4  # cleaners kept per process; a worker seldom sees more than one rule set
_cache: OrderedDict[CleanerSpec, Cleaner] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class CleanerSpec:
    """A cleaner's rules (pickled) and options, identified by ``digest``.

    Made by ``cleaner_spec`` on the client, where the rule files are read and checked once
    (a ``RuleFileError`` is raised there, before any work is sent out); the workers never
    read rule files, so the files need not exist on them. ``cleaner()`` gives the cleaner,
    built on first use in each process and then kept (a few per process, by ``digest`` and
    options).
    """

    digest: str
    options: tuple[tuple[str, Any], ...]
    rules: bytes = field(repr=False, compare=False)

    def cleaner(self) -> Cleaner:
        with _lock:
            found = _cache.get(self)
            if found is not None:
                _cache.move_to_end(self)
                return found
        built = Cleaner(rules=pickle.loads(self.rules), **dict(self.options))
        with _lock:
            _cache[self] = built
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return built


def cleaner_spec(
    rules: Sequence[Rule] | None = None,
    *,
    rule_paths: Sequence[Path | str] = (),
    default_rules: bool = True,
    **options: Any,
) -> CleanerSpec:
    """The spec of ``Cleaner(rules, rule_paths=..., default_rules=..., **options)``.

    ``options`` are ``Cleaner``'s keyword options (``doc_timeout``, ``max_spans``, ...). The
    cleaner is built here too, which checks the options and readies it for this process.
    """
    if rules is None:
        rules = load_rules(rule_paths, defaults=default_rules)
    blob = pickle.dumps(tuple(rules), protocol=pickle.HIGHEST_PROTOCOL)
    built = Cleaner(rules=rules, **options)
    spec = CleanerSpec(hashlib.sha256(blob).hexdigest(), tuple(sorted(options.items())), blob)
    with _lock:
        _cache[spec] = built
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return spec
