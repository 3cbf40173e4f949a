"""A render in a second process while this one renders the other side.

The two renders of a sync (base and theirs) are independent and each is
mostly CPU: on two cores they take the time of one.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any, TypeVar, cast

_T = TypeVar("_T")


@contextmanager
def in_background(
    fn: Callable[..., _T], *args: Any, fork: bool
) -> Iterator[Callable[[], _T]]:
    """Run ``fn(*args)`` in a forked process while the caller works; yield a
    function that waits for its result (or runs it here without fork).

    The two renders of a sync (base and theirs) are independent and each is
    mostly CPU: on two cores they take the time of one. The side process
    dies with this one (a SIGKILL of the sync leaves no render behind) and
    is ended when the caller leaves early (an error, Ctrl-C).
    """
    if (
        not fork
        or (os.cpu_count() or 1) < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield lambda: fn(*args)
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    worker = context.Process(
        target=_side, args=(writer, reader, os.getpid(), fn, args), daemon=True
    )
    worker.start()
    writer.close()

    def result() -> _T:
        try:
            status, value = reader.recv()
        except EOFError:
            raise RuntimeError(
                f"the side process rendering the base died (exit {worker.exitcode})"
            ) from None
        if status == "error":
            raise value
        return cast(_T, value)

    try:
        yield result
    finally:
        reader.close()
        if worker.is_alive():
            worker.kill()
        worker.join()


def _side(
    writer: Connection,
    reader: Connection,
    parent: int,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    """The forked side process: run ``fn`` and send back its outcome."""
    reader.close()
    _die_with_parent(parent)
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # sent to the parent, raised there
        outcome = ("error", exc)
    try:
        writer.send(outcome)
    except Exception as exc:  # an unpicklable value or error
        writer.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    writer.close()


def _die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends, even by SIGKILL: the kernel's
    parent-death signal on Linux, and a watch on the parent pid everywhere."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


_PR_SET_PDEATHSIG = 1
