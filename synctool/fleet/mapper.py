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
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class MapFn(Protocol):
    def __call__(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...


def _serial(fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    return map(fn, items)


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; the parent alone handles it:
    # the repos in progress finish (no clone is left half-committed), the
    # rest are cancelled.
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
        yield _serial
        return
    # concurrent.futures, not multiprocessing.Pool: its workers are not
    # daemons, so a sync may start processes of its own (the two renders run
    # side by side). fork is the cheap start on Linux; elsewhere spawn.
    method = "fork" if sys.platform == "linux" else "spawn"
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context(method), initializer=_ignore_sigint
    )

    def pooled(fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        futures = [pool.submit(fn, item) for item in items]
        return (future.result() for future in as_completed(futures))

    try:
        yield pooled
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
