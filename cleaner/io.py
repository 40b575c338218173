"""Writing results: atomic outputs, the report writer, and what a killed run leaves behind.

Every output of every mode is written here: to a temporary file beside it (``.<name>.
cleaner-<pid>.tmp``), moved into place only when complete, so that an output that exists
is always whole (I7). The report is written one whole record at a time and cut back to its
last whole line when a write fails (I5).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from .errors import WriteError

# Temporary files are ".<name>.cleaner-<pid>.tmp" beside their output; a resumed or
# overwriting run removes the ones a killed run left behind.
TEMP_NAME = re.compile(r"^\..+\.cleaner-\d+\.tmp$")
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def temp_path(path: Path) -> Path:
    """The temporary file an output is written to before it is moved into place."""
    return path.with_name(f".{path.name}.cleaner-{os.getpid()}.tmp")


def write_fd(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to a file descriptor."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_all(stream: IO[bytes], data: bytes) -> None:
    """Write every byte of ``data`` to a binary stream.

    A buffered stream can take only part of a large write and keep the error for the next
    call (a pipe whose reader went away after the first 64 KiB), so call until all is taken.
    """
    view = memoryview(data)
    while view:
        n = stream.write(view)
        if not n:
            raise OSError(errno.EIO, "the stream took no bytes")
        view = view[n:]


@contextmanager
def _temp_fd(path: Path, *, make_parents: bool) -> Iterator[int]:
    """A file descriptor onto ``temp_path(path)``; when the block ends without an exception
    it is closed and the file moved into place as ``path``, otherwise the file is removed."""
    tmp = temp_path(path)
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | O_CLOEXEC, 0o666)
    except OSError as e:
        raise WriteError(path, e) from None
    open_fd: int | None = fd
    try:
        yield fd
        open_fd = None
        os.close(fd)
        os.replace(tmp, path)
    except BaseException as e:
        if open_fd is not None:
            with suppress(OSError):
                os.close(open_fd)
        with suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise WriteError(path, e) from None
        raise


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` when the block ends without an exception.

    It is written under ``temp_path(path)`` and moved into place; on any exception the
    temporary file is removed, so ``path`` is either as before or complete. Raises
    ``WriteError`` when the file cannot be opened, written, finished or moved.
    """
    with _temp_fd(path, make_parents=False) as fd:
        stream = os.fdopen(fd, "wb", closefd=False)
        try:
            yield stream
            stream.flush()  # the last bytes are written here
        finally:
            with suppress(OSError):
                stream.close()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` as ``path`` through a temporary file (creating its folder);
    ``WriteError`` when that fails: an output that exists is always complete."""
    with _temp_fd(path, make_parents=True) as fd:
        write_fd(fd, data)


class Report:
    """The JSONL report, written one whole record at a time, without buffering.

    A record that cannot be written whole is cut off again, so the file always ends with a
    complete line (I5). ``keep`` bytes of an earlier report stay at its head (resume);
    otherwise the report is a new file that replaces any earlier one.
    """

    def __init__(self, path: Path, keep: int = 0) -> None:
        self.path = path
        self.size = keep
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not keep:  # a new file: an earlier report (held open, hard-linked) stays whole
                path.unlink(missing_ok=True)
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | O_CLOEXEC, 0o666)
        except OSError as e:
            raise WriteError(path, e) from None
        try:
            if os.fstat(self.fd).st_size != keep:  # (a no-op truncate would still touch mtime)
                os.ftruncate(self.fd, keep)
            os.lseek(self.fd, keep, os.SEEK_SET)
        except OSError as e:
            os.close(self.fd)
            raise WriteError(path, e) from None

    def write(self, line: bytes) -> None:
        try:
            write_fd(self.fd, line)
        except BaseException as e:
            with suppress(OSError):
                os.ftruncate(self.fd, self.size)
                os.lseek(self.fd, self.size, os.SEEK_SET)
            if isinstance(e, OSError):
                raise WriteError(self.path, e) from None
            raise
        self.size += len(line)

    def close(self) -> None:
        os.close(self.fd)


def probe_writable(directory: Path) -> None:
    """Create ``directory`` and a file in it, then remove the file; ``WriteError`` if it fails.

    Run before any input is read, so a read-only or missing output location stops a run
    (exit 4) before it starts rather than at its first output.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".probe.cleaner-{os.getpid()}.tmp"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_CLOEXEC, 0o600))
        os.unlink(probe)
    except OSError as e:
        raise WriteError(directory, e) from None


def remove_stale_temps(outdir: Path) -> list[Path]:
    """Remove the temporary files a killed run left under ``outdir``; return them."""
    removed = []
    for dirpath, _, filenames in os.walk(outdir):
        for name in filenames:
            if TEMP_NAME.match(name):
                path = Path(dirpath, name)
                with suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


def remove_output(path: Path) -> None:
    """An earlier run's output for a document that now has none (overwrite or resume) goes,
    so that the outputs always match the report."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as e:
        raise WriteError(path, e) from None
