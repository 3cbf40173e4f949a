"""synctool.fleet.refs: the branch a fleet update uses for a release."""

from __future__ import annotations

import subprocess

import pytest

from synctool.fleet.refs import default_branch_name


@pytest.mark.parametrize(
    ("ref", "branch"),
    [
        ("v1.2.0", "synctool/update-1.2.0"),  # a version, normalised
        ("1.2.0", "synctool/update-1.2.0"),
        ("v2.0.0-rc.1", "synctool/update-2.0.0rc1"),
        ("release/2024 q1", "synctool/update-release-2024-q1"),  # never a slash
        ("feature~1^2:x", "synctool/update-feature-1-2-x"),
        ("..", "synctool/update-latest"),  # nothing usable left
        ("-x-", "synctool/update-x"),
        (None, "synctool/update-HEAD"),
    ],
)
def test_the_branch_is_named_by_the_release_and_safe_for_git(
    ref: str | None, branch: str
) -> None:
    assert default_branch_name(ref) == branch
    check = subprocess.run(
        ["git", "check-ref-format", "--branch", branch], capture_output=True
    )
    assert check.returncode == 0, branch
