"""The commit `fleet update` makes on its branch, and the push that never
overwrites a branch holding work synctool did not make."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from synctool import git
from synctool.errors import GitError
from synctool.fleet import clones

if TYPE_CHECKING:
    from synctool.fleet.update import UpdateRecord


# The trailer of every commit `fleet update` makes: a branch holding other
# commits is a team's work, never overwritten by a later run.
TRAILER = "Synctool-Fleet-Update:"
_OLD_BODY = "synctool fleet update moved this service from blueprint"


def not_ours(root: Path, default_branch: str, tip: str) -> list[str]:
    """The commits on ``tip`` (newest first) that are not on the default
    branch and that `fleet update` did not make."""
    out = git.run(
        [
            "log",
            "--format=%H%x00%B%x1e",
            f"refs/remotes/origin/{default_branch}..{tip}",
        ],
        root,
    )
    found = []
    for record in out.split("\x1e"):
        sha, _, body = record.strip().partition("\0")
        if sha and TRAILER not in body and _OLD_BODY not in body:
            found.append(sha)
    return found


def message(record: UpdateRecord, blueprint: str) -> str:
    subject = f"Update blueprint {record.from_version} -> {record.to_version}"
    if record.conflicts:
        subject += f" ({len(record.conflicts)} conflict(s))"
    body = [
        f"synctool fleet update moved this service from blueprint "
        f"{record.from_version} to {record.to_version} ({blueprint}): "
        f"{record.files_changed} file(s) changed.",
    ]
    if record.conflicts:
        body += [
            "",
            "Conflicts to resolve (markers in the files, or a .blueprint copy "
            "beside a binary file; `synctool check` passes when none are left):",
            *(f"- {path}" for path in record.conflicts),
        ]
    body += ["", f"{TRAILER} {record.to_version}"]
    return subject + "\n\n" + "\n".join(body) + "\n"


@functools.cache
def _has_identity() -> bool:
    """Whether git knows who commits (asked once: clones share the user's config)."""
    if "GIT_AUTHOR_EMAIL" in os.environ:
        return True
    try:
        return bool(git.run(["config", "--get", "user.email"]).strip())
    except GitError:
        return False


def commit(root: Path, branch: str, message: str) -> str:
    """Commit on ``branch``; return the commit's sha."""
    # No hooks: a pre-commit `synctool check` would refuse the conflict markers
    # this commit carries on purpose, for the team to resolve in review. The
    # user's identity when git has one; synctool's otherwise (a CI runner).
    git.run(
        ["-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", message],
        root,
        env=None if _has_identity() else git.COMMIT_ENV,
    )
    # git just wrote the branch as a loose ref: read it, a process less per repo.
    try:
        sha = (root / ".git/refs/heads" / branch).read_text(encoding="ascii").strip()
    except OSError:
        sha = ""
    if len(sha) in (40, 64):
        return sha
    return git.run(["rev-parse", "HEAD"], root).strip()


def push(root: Path, branch: str, seen: str | None) -> None:
    """Push the branch; overwrite the origin's only if it is as we last saw it."""
    try:
        git.run(
            [
                "push",
                "--quiet",
                "--no-verify",
                f"--force-with-lease=refs/heads/{branch}:{seen or ''}",
                "origin",
                f"HEAD:refs/heads/{branch}",
            ],
            root,
            env=clones.git_env(),
            timeout=git.network_timeout(),
        )
    except GitError as exc:
        raise GitError(f"committed, but the push failed: {exc.message}") from None
