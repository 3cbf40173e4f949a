"""A rule's regular expressions, matched within a time budget.

A blueprint's rule runs on every commit of every service, so a pattern that
backtracks without end (`(a|aa)+$` against a long line of `a`s) must not hang
`check`. Python's `re` cannot be stopped once it matches; the `regex` module
reads the same syntax (lookarounds included) and gives up at a timeout. Each
rule has ``BUDGET`` seconds per file; one that runs out is reported as an
error naming the rule and the file (see `kinds`), not tried on the rest.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

BUDGET_ENV = "SYNCTOOL_RULE_TIMEOUT"
DEFAULT_BUDGET = 2.0  # seconds per rule and file: real rules take milliseconds


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
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """``pattern`` as a rule means it: multi-line (`^`, `$` per line)."""
    import regex

    try:
        return regex.compile(pattern, regex.MULTILINE | regex.VERSION0)
    except regex.error as exc:
        try:  # the reason as Python's re words it, where re refuses it too
            re.compile(pattern, re.MULTILINE)
        except re.error as plain:
            raise PatternError(str(plain)) from None
        raise PatternError(str(exc)) from None


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

    def search(self, pattern: str, text: str) -> regex.Match[str] | None:
        try:
            return compile_pattern(pattern).search(text, timeout=self.left(pattern))
        except TimeoutError:
            raise OutOfTime(pattern, self.seconds) from None

    def finditer(self, pattern: str, text: str) -> Iterator[regex.Match[str]]:
        matches = compile_pattern(pattern).finditer(text, timeout=self.left(pattern))
        while True:
            try:
                match = next(matches)
            except StopIteration:
                return
            except TimeoutError:
                raise OutOfTime(pattern, self.seconds) from None
            yield match
