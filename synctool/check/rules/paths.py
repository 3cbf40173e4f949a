"""Path patterns of rules and waivers: gitignore-style, compiled once."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from synctool.check.rules.globs import FLOATING, glob_regex


def _pathspec(patterns: tuple[str, ...]) -> Any:
    """pathspec's PathSpec of ``patterns`` (git's flavour), imported on use."""
    import pathspec

    # pathspec 1.x calls git's flavour "gitignore" and deprecates the old
    # "gitwildmatch" name; 0.12 (still allowed by pyproject) knows only the latter.
    try:
        pathspec.util.lookup_pattern("gitignore")
        flavour = "gitignore"
    except KeyError:
        flavour = "gitwildmatch"
    return pathspec.PathSpec.from_lines(flavour, patterns)


class PathMatcher:
    """gitignore-style patterns compiled once (see `compile_paths`).

    Plain patterns (names, `*`, `?`, `**`: synctool.check.rules.globs) become
    regexes here; a list holding any other is pathspec's. Without negations
    the include patterns become one regex, several times faster than
    PathSpec.match_file on the 10,000 paths of a large repo.
    `includes` (the include patterns' regexes; None: unknown) is a necessary
    condition for a match, so `evaluate` can join every rule's into one
    prefilter that skips most paths in one call.
    """

    __slots__ = ("_match", "includes", "patterns")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        plain = [glob_regex(p) for p in patterns]
        if None in plain:
            self.includes, self._match = _from_pathspec(patterns)
            return
        rules = [(include, regex) for include, regex in filter(None, plain)]
        self.includes = tuple(rx for include, rx in rules if include)
        if all(include for include, _ in rules):
            fast = re.compile(union_regex(self.includes) or "(?!)").match
            self._match = lambda path: fast(path) is not None
            return
        # The last pattern that selects a path decides, as in .gitignore.
        last_first = [(include, re.compile(rx).match) for include, rx in rules[::-1]]

        def match(path: str) -> bool:
            return next((inc for inc, m in last_first if m(path)), False)

        self._match = match

    def __call__(self, path: str) -> bool:
        return self._match(path)


def _from_pathspec(
    patterns: tuple[str, ...],
) -> tuple[tuple[str, ...] | None, Callable[[str], bool]]:
    import pathspec

    spec = _pathspec(patterns)
    includes: list[str] = []
    negated = opaque = False
    for raw, pattern in zip(patterns, spec.patterns, strict=True):
        if pattern.include is None:
            raise ValueError(f"{raw!r} is not a path pattern (a comment?)")
        if not pattern.include:
            negated = True
        elif isinstance(pattern, pathspec.RegexPattern) and pattern.regex:
            includes.append(pattern.regex.pattern)
        else:
            opaque = True  # a pattern type we cannot see into
    # pathspec searches: a regex not anchored with ^ (`**/` is "/") may
    # match anywhere, so it cannot join a prefilter that matches from the start.
    if opaque or any(not r.startswith("^") for r in includes):
        return None, spec.match_file
    include_regex = union_regex(includes)
    if include_regex is None:
        return None, spec.match_file
    if negated:
        return tuple(includes), spec.match_file
    fast = re.compile(include_regex).match
    return tuple(includes), lambda path: fast(path) is not None


def union_regex(regexes: Sequence[str]) -> str | None:
    """One alternation of `regexes` (matched from the start), or None if they
    don't combine (e.g. two define the same group name). Each is tried once,
    and the floating ones share one walk over the folders: a path no rule
    names is rejected in about a microsecond."""
    unique = list(dict.fromkeys(regexes))
    floating = [r.removeprefix(FLOATING) for r in unique if r.startswith(FLOATING)]
    parts = [f"(?:{r})" for r in unique if not r.startswith(FLOATING)]
    if floating:
        parts.append(FLOATING + "(?:" + "|".join(f"(?:{r})" for r in floating) + ")")
    joined = "|".join(parts) or "(?!)"
    try:
        re.compile(joined)
    except re.error:
        return None
    return joined


@lru_cache(maxsize=1024)
def compile_paths(patterns: tuple[str, ...]) -> PathMatcher:
    """The matcher for `patterns`; raises ValueError for an invalid pattern."""
    return PathMatcher(patterns)
