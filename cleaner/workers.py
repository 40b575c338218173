"""Worker processes for a directory run: results in input order, and no hang when one dies.

The workers are forked once, so they share what the parent built (the compiled rules)
rather than rebuilding it. Each holds at most ``WINDOW`` documents at a time; the parent
hands out the next as results come back and yields them in order.

What ``multiprocessing.Pool`` does not: a worker that dies (the OOM killer, a ``kill -9``)
ends the run at once with ``WorkerDied``, naming the documents it held, instead of leaving
the parent waiting for a result that never comes. Workers ignore SIGINT and SIGTERM, which
are the parent's to handle (a signal to the whole process group then stops the run the way
one to the parent does), and die quietly when the parent is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Generator, Sequence
from contextlib import suppress
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from .errors import WorkerDied

T = TypeVar("T")
R = TypeVar("R")
WINDOW = 2  # documents a worker holds at once: one in hand, one queued behind it


def _serve(conn: Connection, func: Callable[[Any], Any], parents: list[Connection]) -> None:
    """A worker's loop: clean what the parent sends, send back each result.

    ``parents`` are the parent's ends of the pipes forked into this worker (its own and the
    earlier workers'): closed here, so that when the parent dies every pipe ends."""
    for end in parents:
        end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # A parent that is gone closes the pipe: writing to it then ends the worker quietly.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg is None:
            break
        index, item = msg
        try:
            conn.send((index, func(item)))
        except (BrokenPipeError, OSError):
            break
    os._exit(0)  # no exit handlers or buffers of the parent's to run in the child


class _Worker(Generic[T]):
    def __init__(self, ctx: Any, func: Callable[[T], Any], earlier: list[_Worker[T]]) -> None:
        self.conn, child = ctx.Pipe()
        parents = [self.conn, *(w.conn for w in earlier)]
        self.process = ctx.Process(target=_serve, args=(child, func, parents), daemon=True)
        self.process.start()
        child.close()
        self.held: deque[int] = deque()


def ordered_map(
    func: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    *,
    name: Callable[[T], str] = str,
    abandon: Callable[[T, int], None] | None = None,
) -> Generator[R, None, None]:
    """``func`` of every item, computed in ``workers`` forked processes, yielded in order.

    When the generator is closed early (the run was asked to stop, or an output could not
    be written) the documents in hand are finished first, so their outputs are complete.
    On ``KeyboardInterrupt`` (a second Ctrl-C) and when a worker dies, the workers are
    killed at once and ``abandon(item, pid)`` is called for every item a worker held, to
    remove what that worker left half-written. Raises ``WorkerDied``.
    """
    ctx = multiprocessing.get_context("fork")
    pool: list[_Worker[T]] = []
    for _ in range(workers):
        pool.append(_Worker(ctx, func, pool))
    results: dict[int, R] = {}
    sent = done = 0
    clean_exit = False
    try:
        while done < len(items):
            while sent < len(items):
                worker = min(pool, key=lambda w: len(w.held))
                if len(worker.held) >= WINDOW:
                    break
                try:
                    worker.conn.send((sent, items[sent]))
                except OSError:  # it died while it held nothing
                    worker.process.join()
                    raise WorkerDied(worker.process.pid or 0, worker.process.exitcode, []) from None
                worker.held.append(sent)
                sent += 1
            if done in results:
                value = results.pop(done)
                done += 1
                yield value
                continue
            _receive(pool, results, items, name)
        clean_exit = True
    except GeneratorExit:
        # Stopped on purpose: what is in hand finishes, so no output is left half-written.
        while any(w.held for w in pool):
            _receive(pool, results, items, name)
        clean_exit = True
        raise
    finally:
        _shut_down(pool, items, graceful=clean_exit, abandon=abandon)


def _receive(
    pool: list[_Worker[Any]], results: dict[int, Any], items: Sequence[Any], name: Callable[[Any], str]
) -> None:
    """Wait for the next result of any worker; ``WorkerDied`` when one dies holding work."""
    busy = [w for w in pool if w.held]
    ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
    for worker in busy:
        if worker.conn in ready or worker.process.sentinel in ready:
            try:
                # A result sent just before the worker ended is still read; then the pipe ends.
                while worker.conn.poll():
                    index, value = worker.conn.recv()
                    worker.held.remove(index)
                    results[index] = value
            except (EOFError, OSError):
                pass
            ended = worker.process.sentinel in ready or not worker.process.is_alive()
            if ended and (worker.held or worker.process.exitcode not in (0, None)):
                worker.process.join()
                raise WorkerDied(
                    worker.process.pid or 0,
                    worker.process.exitcode,
                    [name(items[i]) for i in worker.held],
                )


def _shut_down(
    pool: list[_Worker[Any]],
    items: Sequence[Any],
    *,
    graceful: bool,
    abandon: Callable[[Any, int], None] | None,
) -> None:
    for worker in pool:
        if graceful:
            with suppress(OSError):
                worker.conn.send(None)
        else:
            worker.process.kill()
    for worker in pool:
        worker.process.join()
        worker.conn.close()
        if not graceful and abandon is not None:
            for index in worker.held:
                abandon(items[index], worker.process.pid or 0)
