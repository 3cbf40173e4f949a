"""A rule's regular expressions, matched within a time budget.

A blueprint's rule runs on every commit of every service, so a pattern that
backtracks without end (`(a|aa)+$` against a long line of `a`s) must not hang
`check`. Each rule has ``budget_seconds()`` per file (``DEFAULT_BUDGET``, or
``SYNCTOOL_RULE_TIMEOUT``); one that runs out is
reported as an error naming the rule and the file (see `kinds`), not tried on
the rest.

Python's `re` stops only for a signal, and checks for one as it backtracks.
On the main thread of a Unix process (a `check`, a fleet worker) a pattern is
matched by `re` under an interval timer (SIGALRM) set to the time left. On
another thread, on Windows, while some other code owns SIGALRM, and for the
syntax only it reads (`[[:alpha:]]`, `\\p{L}`), the `regex` module matches
it with its own timeout: the same syntax, imported only then.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import regex

BUDGET_ENV = "SYNCTOOL_RULE_TIMEOUT"
DEFAULT_BUDGET = 2.0  # seconds per rule and file: real rules take milliseconds

T = TypeVar("T")


class PatternError(ValueError):
    """Not a valid regular expression (the message says why)."""


class OutOfTime(Exception):
    """A rule's pattern did not finish within its budget on one file."""

    def __init__(self, pattern: str, seconds: float) -> None:
        super().__init__(pattern)
        self.pattern = pattern
        self.seconds = seconds


def budget_seconds() -> float:
    """The budget per rule and file: ``SYNCTOOL_RULE_TIMEOUT`` or the default."""
    raw = os.environ.get(BUDGET_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_BUDGET
    return value if value > 0 else DEFAULT_BUDGET


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str] | regex.Pattern[str]:
    """``pattern`` as a rule means it: multi-line (`^`, `$` per line). `re`
    compiles it where it reads it as `regex` does; else `regex` does."""
    with warnings.catch_warnings():
        # `[[:alpha:]]`: re warns it will read it differently; regex reads a class
        warnings.simplefilter("error", FutureWarning)
        try:
            return re.compile(pattern, re.MULTILINE)
        except (re.error, FutureWarning) as exc:
            refused = exc
    import regex

    try:
        return _with_regex(pattern)
    except regex.error as exc:  # the reason as re words it, where re refused it
        reason = refused if isinstance(refused, re.error) else exc
        raise PatternError(str(reason)) from None


@lru_cache(maxsize=512)
def _with_regex(pattern: str) -> regex.Pattern[str]:
    import regex

    return regex.compile(pattern, regex.MULTILINE | regex.VERSION0)


class Clock:
    """The time left to one rule on one file."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = budget_seconds() if seconds is None else seconds
        self._deadline = time.monotonic() + self.seconds

    def left(self, pattern: str) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise OutOfTime(pattern, self.seconds)
        return remaining

    def search(
        self, pattern: str, text: str
    ) -> re.Match[str] | regex.Match[str] | None:
        compiled, seconds = compile_pattern(pattern), self.left(pattern)
        if isinstance(compiled, re.Pattern) and _alarm_usable():
            return self._alarmed(pattern, seconds, lambda: compiled.search(text))
        try:
            return _with_regex(pattern).search(text, timeout=seconds)
        except TimeoutError:
            raise OutOfTime(pattern, self.seconds) from None

    def finditer(self, pattern: str, text: str) -> Iterator[Any]:
        compiled, seconds = compile_pattern(pattern), self.left(pattern)
        if isinstance(compiled, re.Pattern) and _alarm_usable():
            # All at once: the timer must never go off in the caller's code.
            yield from self._alarmed(
                pattern, seconds, lambda: [*compiled.finditer(text)]
            )
            return
        matches = _with_regex(pattern).finditer(text, timeout=seconds)
        while True:
            try:
                match = next(matches)
            except StopIteration:
                return
            except TimeoutError:
                raise OutOfTime(pattern, self.seconds) from None
            yield match

    def _alarmed(self, pattern: str, seconds: float, call: Callable[[], T]) -> T:
        global _armed
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        try:
            _armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                return call()
            finally:  # a timer going off in here is still caught below
                signal.setitimer(signal.ITIMER_REAL, 0)
                _armed = False
        except _Expired:
            raise OutOfTime(pattern, self.seconds) from None
        finally:
            signal.signal(signal.SIGALRM, previous)  # SIGALRM as it was


class _Expired(Exception):
    """SIGALRM while a pattern was being matched."""


_armed = False  # only while `re` matches under the timer


def _on_alarm(signum: int, frame: object) -> None:
    if _armed:
        raise _Expired
    # else it went off as the match ended: nothing to stop


def _alarm_usable() -> bool:
    """Whether `re` can be stopped here by SIGALRM: a Unix main thread, with
    SIGALRM free (its default action, no timer set)."""
    if not hasattr(signal, "setitimer"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    # someone else's alarm: leave it alone
    return signal.getsignal(signal.SIGALRM) is signal.SIG_DFL and not any(
        signal.getitimer(signal.ITIMER_REAL)
    )
