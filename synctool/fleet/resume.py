"""What an earlier `fleet update` left behind: a branch that holds the target.

A re-run must not redo (and never force-push over) a branch a team may be
resolving conflicts on; the branch itself is the state, so the fleet keeps
no resume file of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from synctool import git
from synctool.check import drift
from synctool.errors import GitError
from synctool.fleet import clones
from synctool.service.files import ServiceFiles
from synctool.service.lockread import load_lock
from synctool.service.names import LOCK
from synctool.sync.labels import lock_label


class Earlier(NamedTuple):
    remote: str | None  # the origin's branch as last fetched: the push lease
    done: str | None  # a commit of an earlier run that reached the target


class Finished(NamedTuple):
    from_version: str  # on the default branch
    to_version: str  # on the earlier run's branch
    conflicts: tuple[str, ...]  # still unresolved there


def remote_sha(root: Path, branch: str) -> str | None:
    return git.resolve_commit(root, f"refs/remotes/origin/{branch}")


def earlier_branch(
    root: Path, branch: str, ref: str | None, blueprint: str, *, push: bool
) -> Earlier:
    """The branch an earlier run left, and whether it already holds ``ref``.

    With --push only the origin counts (a commit never pushed is not done);
    without, the branch committed in the clone counts too.
    """
    remote = remote_sha(root, branch)
    candidates = [remote]
    if not push:
        candidates.append(git.resolve_commit(root, f"refs/heads/{branch}"))
    for sha in candidates:
        if sha is None:
            continue
        try:
            data = YAML(typ="safe").load(git.run(["show", f"{sha}:{LOCK}"], root))
        except (GitError, YAMLError):
            continue
        if (
            isinstance(data, dict)
            and data.get("ref") == ref
            and data.get("blueprint") == blueprint
        ):
            return Earlier(remote, sha)
    return Earlier(remote, None)


def inspect(clone: clones.Clone, sha: str) -> Finished:
    """The earlier run's branch, as it is now (a team may have resolved it)."""
    before = lock_label(load_lock(clone.path))
    clones.checkout(clone, sha)
    lock = load_lock(clone.path)
    markers = drift.conflict_markers(lock, ServiceFiles(clone.path))
    conflicts = tuple(sorted({f.path for f in markers if f.path}))
    return Finished(before, lock_label(lock), conflicts)
