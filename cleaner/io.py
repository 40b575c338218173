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
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from .errors import WriteError

# Temporary files are ".<name>.cleaner-<pid>.tmp" beside their output; a resumed or
# overwriting run removes the ones a killed run left behind.
TEMP_NAME = re.compile(r"^\..+\.cleaner-(\d+)\.tmp$")
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)


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


# -- where an output goes -----------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def target(path: Path) -> tuple[Path, bool]:
    """Where writing ``path`` lands, and whether it is a stream to write into.

    The policy of every output and report, as ``sort -o`` and ``tee`` have it: a path that
    exists and is not a regular file (a character device such as ``/dev/null``, a FIFO, a
    symlink to one) is opened and written into, never replaced; a symlink to a regular file
    (or to nothing yet) is followed, so its target is replaced and the link stays; anything
    else is a regular file, written to a temporary file beside it and moved into place.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path, False
    except OSError:
        return path, False  # let the write itself say what is wrong
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except OSError:
            return Path(os.path.realpath(path)), False  # a dangling link: its target is created
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            # opened through the link itself: /proc/self/fd/1 leads to a pipe no path names
            return path, True
        return Path(os.path.realpath(path)), False
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return path, False  # (a directory: the write says "Is a directory")
    return path, True


def is_stream(path: Path) -> bool:
    """Whether ``path`` exists as something that is written into, not replaced (a device,
    a FIFO, a symlink to one)."""
    return target(path)[1]


def existing(path: Path) -> bool:
    """Whether ``path`` holds an earlier result: a regular file (through a symlink too).
    A device or FIFO holds none: writing into it replaces nothing."""
    real, stream = target(path)
    return not stream and os.path.lexists(real) and not real.is_dir()


@contextmanager
def _open_stream(path: Path) -> Iterator[int]:
    try:
        fd = os.open(path, os.O_WRONLY | O_CLOEXEC | _O_NOCTTY)
    except OSError as e:
        raise WriteError(path, e) from None
    try:
        yield fd
    except OSError as e:
        raise WriteError(path, e) from None
    finally:
        with suppress(OSError):
            os.close(fd)


@contextmanager
def _temp_fd(path: Path, *, make_parents: bool) -> Iterator[int]:
    """A file descriptor to write ``path`` through (see ``target``): for a regular file, onto
    ``temp_path`` beside it, closed and moved into place when the block ends without an
    exception and removed otherwise; for a device or FIFO, onto the path itself."""
    path, stream = target(path)
    if stream:
        with _open_stream(path) as fd:
            yield fd
        return
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
    temporary file is removed, so ``path`` is either as before or complete. A device or
    FIFO is written into instead (see ``target``). Raises ``WriteError`` when the file
    cannot be opened, written, finished or moved.
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
    """Write ``data`` as ``path`` through a temporary file (creating its folder), or into it
    when it is a device or FIFO; ``WriteError`` when that fails: an output that exists is
    always complete."""
    with _temp_fd(path, make_parents=True) as fd:
        write_fd(fd, data)


class Report:
    """The JSONL report, written one whole record at a time, without buffering.

    A record that cannot be written whole is cut off again, so the file always ends with a
    complete line (I5). ``keep`` bytes of an earlier report stay at its head (resume);
    otherwise the report is a new file that replaces any earlier one.
    """

    def __init__(self, path: Path, keep: int = 0) -> None:
        path, stream = target(path)
        self.path = path
        self.size = keep
        if stream:  # a device or FIFO: written into, never truncated or replaced
            self.size = 0
            try:
                self.fd = os.open(path, os.O_WRONLY | O_CLOEXEC | _O_NOCTTY)
            except OSError as e:
                raise WriteError(path, e) from None
            self.truncate = False
            return
        self.truncate = True
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
            if self.truncate:
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
    """Remove the temporary files a killed run left under ``outdir``; return them. A file of
    a process that is still running is left alone."""
    removed = []
    for dirpath, _, filenames in os.walk(outdir):
        for name in filenames:
            removed += _remove_if_stale(Path(dirpath, name))
    return removed


def remove_stale_temps_of(path: Path) -> list[Path]:
    """Remove the temporary files a killed run left for the output ``path``; return them."""
    real, stream = target(path)
    if stream:
        return []
    try:
        names = os.listdir(real.parent)
    except OSError:
        return []
    prefix = f".{real.name}.cleaner-"
    return [p for name in names if name.startswith(prefix) for p in _remove_if_stale(real.parent / name)]


def _remove_if_stale(path: Path) -> list[Path]:
    m = TEMP_NAME.match(path.name)
    if m is None or (int(m.group(1)) != os.getpid() and _alive(int(m.group(1)))):
        return []
    with suppress(FileNotFoundError):
        path.unlink()
        return [path]
    return []


def remove_output(path: Path) -> None:
    """An earlier run's output for a document that now has none (overwrite or resume) goes,
    so that the outputs always match the report."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as e:
        raise WriteError(path, e) from None
