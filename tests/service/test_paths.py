"""synctool.service.paths: the one rule for a path synctool writes in a service."""

from __future__ import annotations

import pytest

from synctool.errors import BlueprintError
from synctool.service.paths import check_relpath, is_reserved
from synctool.tree import is_safe_path as is_safe
from synctool.tree import path_problem


@pytest.mark.parametrize(
    ("rel", "problem"),
    [
        ("src/app.py", None),
        ("a/.gitignore", None),
        ("..hidden/x", None),  # a name starting with dots is a name
        ("/etc/passwd", "outside"),
        ("../x", "outside"),
        ("a/../../x", "outside"),
        (".git/config", "git"),
        ("sub/.GIT/hooks/pre-commit", "git"),  # any case: case-insensitive disks
        ("", "unusable"),
        ("a//b", "unusable"),
        ("./a", "unusable"),
        ("a/./b", "unusable"),
        ("a/", "unusable"),
        ("a\\b", "unusable"),
        ("a\0b", "unusable"),
    ],
)
def test_each_path_is_given_the_rule_it_breaks(rel: str, problem: str | None) -> None:
    assert path_problem(rel) == problem
    assert is_safe(rel) is (problem is None)


@pytest.mark.parametrize(
    ("rel", "message", "hint"),
    [
        (
            "../up.txt",
            "the blueprint renders a path outside the service: '../up.txt'.",
            "Fix the template's file names; nothing was written.",
        ),
        (
            ".git/hooks/post-checkout",
            "the blueprint renders into .git: '.git/hooks/post-checkout'.",
            "Remove it from the template; synctool never writes into .git.",
        ),
        (
            "a\\b.txt",
            "the blueprint renders an unusable path: 'a\\\\b.txt'.",
            "Use plain relative paths (no backslashes, no empty parts).",
        ),
    ],
)
def test_a_refused_path_says_why_and_what_to_fix(
    rel: str, message: str, hint: str
) -> None:
    with pytest.raises(BlueprintError) as caught:
        check_relpath(rel)
    assert caught.value.message == message
    assert caught.value.hint == hint
    assert caught.value.exit_code == 2


def test_a_safe_path_passes() -> None:
    check_relpath("deploy/values.yaml")


@pytest.mark.parametrize(
    ("rel", "reserved"),
    [
        (".synctool.yml", True),
        (".synctool.lock", True),
        (".SYNCTOOL.LOCK", True),
        (".synctool-journal/manifest.json", True),
        (".synctool-anything", True),
        ("docs/.synctool.yml", False),  # deeper down it is the user's file
        ("synctool.yml", False),
        (".synctoolrc", False),
    ],
)
def test_synctool_state_is_reserved_only_at_the_root(rel: str, reserved: bool) -> None:
    assert is_reserved(rel) is reserved
