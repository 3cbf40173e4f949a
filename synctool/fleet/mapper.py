"""Run one function over many repos: serially, or in a pool of processes.

With one job it is the builtin ``map``: same process, debuggable, and the
tests' monkeypatches apply. Otherwise a process pool (rendering and merging
are CPU-bound, so threads would queue on the GIL), always behind a context
manager so that an interrupt or an error never leaves workers behind.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Results(Protocol[R]):
    """The results of a map, as they finish; ``stop`` on Ctrl-C."""

    def __iter__(self) -> Iterator[R]: ...

    def stop(self) -> list[R]:
        """Start nothing more; wait for the work in flight and return its
        results (those not yet handed out)."""
        ...


class MapFn(Protocol):
    def __call__(self, fn: Callable[[T], R], items: Iterable[T]) -> Results[R]: ...


class _Serial(Generic[T, R]):
    """The builtin map: an interrupt stops the item at work in this process."""

    def __init__(self, fn: Callable[[T], R], items: Iterable[T]) -> None:
        self._results = map(fn, items)

    def __iter__(self) -> Iterator[R]:
        return self._results

    def stop(self) -> list[R]:
        return []


class _Pooled(Generic[T, R]):
    """At most ``jobs`` items handed to the pool at once, so that a stop
    leaves nothing queued behind the work in flight (a queued item would
    still run, and push, after Ctrl-C)."""

    def __init__(
        self,
        pool: ProcessPoolExecutor,
        jobs: int,
        fn: Callable[[T], R],
        items: Iterable[T],
    ) -> None:
        self._pool, self._jobs, self._fn = pool, jobs, fn
        self._items = iter(items)
        self._pending: set[Future[R]] = set()
        self._ready: list[Future[R]] = []
        self._stopped = False
        self._fill()

    def _fill(self) -> None:
        while not self._stopped and len(self._pending) < self._jobs:
            try:
                item = next(self._items)
            except StopIteration:
                return
            self._pending.add(self._pool.submit(self._fn, item))

    def __iter__(self) -> Iterator[R]:
        return self

    def __next__(self) -> R:
        if not self._ready:
            if not self._pending:
                raise StopIteration
            done, self._pending = wait(self._pending, return_when=FIRST_COMPLETED)
            self._ready.extend(done)
            self._fill()
        return self._ready.pop(0).result()

    def stop(self) -> list[R]:
        self._stopped = True
        done, self._pending = wait(self._pending), set()
        futures, self._ready = [*self._ready, *done.done], []
        return [f.result() for f in futures]


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; the parent alone handles it:
    # the repos in progress finish (no clone is left half-committed), the
    # rest are never started.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def mapper(jobs: int) -> Iterator[MapFn]:
    """A map function for ``jobs`` workers; results arrive as they finish.

    Callers must not rely on order: the pool yields in completion order so a
    progress display can show each repo the moment it is done. The pool's
    map submits everything at once, so the workers start during the call,
    before the caller starts a progress display (a thread) around the results.
    """
    if jobs <= 1:
        yield _Serial
        return
    # concurrent.futures, not multiprocessing.Pool: its workers are not
    # daemons, so a sync may start processes of its own (the two renders run
    # side by side). fork is the cheap start on Linux; elsewhere spawn.
    method = "fork" if sys.platform == "linux" else "spawn"
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context(method), initializer=_ignore_sigint
    )

    def pooled(fn: Callable[[T], R], items: Iterable[T]) -> Results[R]:
        return _Pooled(pool, jobs, fn, items)

    try:
        yield pooled
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
