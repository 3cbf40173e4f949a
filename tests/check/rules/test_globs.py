"""Plain path patterns (synctool.check.rules.globs) select exactly the files
pathspec selects, and every other pattern is left to pathspec."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctool.check.rules.globs import glob_regex
from synctool.check.rules.paths import _pathspec as pathspec_of
from synctool.check.rules.paths import compile_paths

SEGMENTS = ["a", "b", "ab", "a.b", ".a", "ba", "a-b", "b.ab"]
PATTERN_PARTS = ["a", "b", "*", "**", "?", "a*", "*b", "*.b", ".a", "a?", "**a", "?*"]

paths = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4).map("/".join)


def _patterns(parts: list[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda neg, lead, parts, trail: (
            ("!" if neg else "")
            + ("/" if lead else "")
            + "/".join(parts)
            + ("/" if trail else "")
        ),
        st.booleans(),
        st.booleans(),
        st.lists(st.sampled_from(parts), min_size=1, max_size=3),
        st.booleans(),
    )


patterns = _patterns(PATTERN_PARTS)
# `[ab]` is not plain: a list holding one is matched by pathspec itself.
any_patterns = _patterns([*PATTERN_PARTS, "[ab]", "a[.]b"])


def _pathspec(patterns: list[str], path: str) -> bool:
    return bool(pathspec_of(tuple(patterns)).match_file(path))


@settings(max_examples=3000, deadline=None)
@given(patterns, paths)
def test_a_plain_pattern_selects_what_pathspec_selects(pattern: str, path: str) -> None:
    translated = glob_regex(pattern)
    assert translated is not None, pattern
    include, regex = translated
    assert include == (not pattern.startswith("!"))
    spec = pathspec_of((pattern.removeprefix("!"),))
    assert (re.match(regex, path) is not None) == spec.match_file(path), (
        pattern,
        path,
        regex,
    )


@settings(max_examples=1000, deadline=None)
@given(st.lists(any_patterns, min_size=1, max_size=4), paths)
def test_a_list_of_patterns_selects_what_pathspec_selects(
    patterns: list[str], path: str
) -> None:
    assert compile_paths(tuple(patterns))(path) == _pathspec(patterns, path)


@pytest.mark.parametrize(
    ("pattern", "selected", "not_selected"),
    [
        (
            "Dockerfile",
            ["Dockerfile", "app/Dockerfile", "Dockerfile/x"],
            ["Dockerfile.dev"],
        ),
        ("*.pem", ["a.pem", "keys/b.pem"], ["a.pem.txt", "pem"]),
        (
            ".github/workflows/*.yml",
            [".github/workflows/ci.yml"],
            ["x/.github/workflows/ci.yml", ".github/workflows/a/ci.yml"],
        ),
        ("/README.md", ["README.md"], ["docs/README.md"]),
        ("docs/", ["docs/a.md", "x/docs/b.md"], ["docs"]),
        ("docs/**", ["docs/a.md", "docs/a/b.md"], ["docs", "x/docs/a.md"]),
        ("**/tests/*.py", ["tests/a.py", "x/y/tests/a.py"], ["tests/a/b.txt"]),
        ("a/**/b", ["a/b", "a/x/y/b", "a/b/c"], ["x/a/b"]),
        ("id_rsa*", ["id_rsa", "home/id_rsa.pub"], ["my_id_rsa"]),
        ("?.txt", ["a.txt", "d/b.txt"], ["ab.txt", ".txt"]),
        ("*/", ["a/b", "a/b/c", "a\nb/c"], ["a"]),  # matched nothing before globs.py
        ("**/", ["a/b", "a/b/c", "a\nb/c"], ["a"]),
    ],
)
def test_what_a_pattern_selects(
    pattern: str, selected: list[str], not_selected: list[str]
) -> None:
    matcher = compile_paths((pattern,))
    assert [p for p in selected + not_selected if matcher(p)] == selected
    assert [p for p in selected + not_selected if _pathspec([pattern], p)] == selected


def test_a_later_negation_unselects_and_a_later_pattern_selects_again() -> None:
    matcher = compile_paths((".env", ".env.*", "!.env.example", ".env.example.local"))
    assert [
        p
        for p in [
            ".env",
            ".env.prod",
            ".env.example",
            ".env.example.local",
            "a/.env.example",
        ]
        if matcher(p)
    ] == [
        ".env",
        ".env.prod",
        ".env.example.local",
    ]


@pytest.mark.parametrize(
    "pattern", ["[ab].txt", r"\!x", "a b", "#comment", "", "/", "a//b", "é.txt", "x\\*"]
)
def test_other_patterns_are_left_to_pathspec(pattern: str) -> None:
    assert glob_regex(pattern) is None
