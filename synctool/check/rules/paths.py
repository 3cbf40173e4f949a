"""Path patterns of rules and waivers: gitignore-style, compiled once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import pathspec


def _pattern_flavour() -> str:
    # pathspec 1.x calls git's flavour "gitignore" and deprecates the old
    # "gitwildmatch" name; 0.12 (still allowed by pyproject) knows only the latter.
    try:
        pathspec.util.lookup_pattern("gitignore")
    except KeyError:
        return "gitwildmatch"
    return "gitignore"


_FLAVOUR = _pattern_flavour()


class PathMatcher:
    """gitignore-style patterns compiled once (see `compile_paths`).

    Without negations the include patterns become one regex, several times
    faster than PathSpec.match_file on the 10,000 paths of a large repo.
    `include_regex` is a necessary condition for a match, so `evaluate` can
    join every rule's into one prefilter that skips most paths in one call.
    """

    __slots__ = ("_fast", "_spec", "include_regex", "patterns")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self._spec = pathspec.PathSpec.from_lines(_FLAVOUR, patterns)
        includes: list[str] = []
        negated = opaque = False
        for raw, pattern in zip(patterns, self._spec.patterns, strict=True):
            if pattern.include is None:
                raise ValueError(f"{raw!r} is not a path pattern (a comment?)")
            if not pattern.include:
                negated = True
            elif isinstance(pattern, pathspec.RegexPattern) and pattern.regex:
                includes.append(pattern.regex.pattern)
            else:
                opaque = True  # a pattern type we cannot see into
        self.include_regex = None if opaque else union_regex(includes)
        fast = None if negated else self.include_regex
        self._fast = re.compile(fast) if fast is not None else None

    def __call__(self, path: str) -> bool:
        if self._fast is not None:
            return self._fast.match(path) is not None
        return self._spec.match_file(path)


def union_regex(regexes: Sequence[str]) -> str | None:
    """One alternation of `regexes`, or None if they don't combine (e.g. two
    define the same group name)."""
    joined = "|".join(f"(?:{r})" for r in regexes) or "(?!)"
    try:
        re.compile(joined)
    except re.error:
        return None
    return joined


@lru_cache(maxsize=1024)
def compile_paths(patterns: tuple[str, ...]) -> PathMatcher:
    """The matcher for `patterns`; raises ValueError for an invalid pattern."""
    return PathMatcher(patterns)
