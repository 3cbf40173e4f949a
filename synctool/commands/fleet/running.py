"""Every repo through the pool, with live progress; Ctrl-C stops handing out work."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from synctool import ui
from synctool.fleet.mapper import mapper

T = TypeVar("T")
R = TypeVar("R")


def _indexed(fn: Callable[[T], R], item: tuple[int, T]) -> tuple[int, R]:
    return item[0], fn(item[1])


def run_all(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    jobs: int,
    title: str,
    describe: Callable[[R], tuple[str, str, str]],
    not_done: Callable[[T], R],
) -> list[R]:
    """``fn`` over every task with live progress; results in the tasks' order.

    On Ctrl-C nothing more is started; the repos in flight finish (in the
    pool) and count; ``not_done`` gives a record for each task that has none
    (never started, or stopped in this process), and Interrupted carries
    them all so that the caller still reports what happened.
    """
    if not tasks:
        return []
    results: dict[int, R] = {}
    with mapper(min(jobs, len(tasks))) as map_fn:
        # Submitted before the progress display starts its thread: the pool
        # forks its workers here.
        done = map_fn(functools.partial(_indexed, fn), enumerate(tasks))
        try:
            with ui.fleet_progress(len(tasks), title) as progress:
                for index, result in done:
                    results[index] = result
                    progress(*describe(result))
        except KeyboardInterrupt:
            ui.warning(
                "interrupted: starting no more repositories; waiting for those in flight."
            )
            results.update(done.stop())
            records = [
                results[i] if i in results else not_done(task)
                for i, task in enumerate(tasks)
            ]
            raise Interrupted(records) from None
    return [results[i] for i in range(len(tasks))]


class Interrupted(Exception):
    """Ctrl-C during a fleet run: every task's record, the missing ones made up."""

    def __init__(self, records: list[Any]) -> None:
        super().__init__("interrupted")
        self.records = records
