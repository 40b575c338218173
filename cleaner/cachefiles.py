"""The files of the cleaner's cache folder: where the folder is, how a file in it is read
(only one of our own) and how one is written (whole or not at all), the folder keeping the
newest few of each kind.

``CLEANER_CACHE_DIR`` names the folder (default: ``$XDG_CACHE_HOME/cleaner``, else
``~/.cache/cleaner``); set to an empty string, it switches the cache off. It holds the
compiled rules (``cache.py``) and the stop lists' index (``matchers/stoplists.py``).
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

CACHE_ENV = "CLEANER_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is switched off."""
    given = os.environ.get(CACHE_ENV)
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cleaner"


def read_own(path: Path) -> bytes | None:
    """The bytes of a cache file, or None when it is missing, unreadable or not the user's
    own: only a file of our own is trusted to unpickle or unmarshal."""
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if hasattr(os, "getuid") and st.st_uid != os.getuid():
                return None
            return f.read()
    except (OSError, ValueError):  # missing, unreadable, or a name the system refuses
        return None


def write_whole(path: Path, data: bytes, pattern: str, keep: int) -> None:
    """Write a cache file whole or not at all (a new name, then renamed over), then keep the
    ``keep`` most recently written files of the folder matching ``pattern``. A folder that
    cannot be written, or a full disk, leaves the cache as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        files = sorted(path.parent.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink()
    except (OSError, ValueError):
        with suppress(OSError, ValueError):
            tmp.unlink()
