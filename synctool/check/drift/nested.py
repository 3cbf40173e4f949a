"""Folders that are other git repositories (nested or submodules), and
whether a locked file holds what the lock applied."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection
from pathlib import Path

from synctool.check.rules import FileSource
from synctool.service.lock import NESTED_REPO, Lock, LockedFile


def nested_repos(root: Path, lock: Lock, files: FileSource) -> frozenset[str]:
    """The folders holding locked files that are other git repositories: a
    nested repository or checked-out submodule (its own `.git`), or a
    submodule git records (a listed path that is a folder of the lock's)."""
    from synctool.service.worktree import outermost

    listed = set(files.paths())

    def is_repo(folder: str) -> bool:
        path = root / folder
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            return False  # a link or a file where a folder was: not a repository
        # git lists a submodule as one path (a gitlink); only a real folder
        # can be one.
        return folder in listed or os.path.lexists(path / ".git")

    return frozenset(outermost(lock.files, is_repo))


def inside(path: str, folders: Collection[str]) -> bool:
    """``path`` is inside one of ``folders``."""
    parts = path.split("/")
    return any("/".join(parts[:n]) in folders for n in range(1, len(parts)))


def applied(data: bytes | None, locked: LockedFile | None) -> bool:
    """A blueprint change inside another repository is applied there: the
    file is as the lock records it (gone, for a file the blueprint removed)."""
    if locked is None:
        return data is None
    return data is not None and same_content(data, locked.sha256)


def not_applied(root: Path, lock: Lock) -> list[str]:
    """The blueprint changes inside other git repositories still not applied."""
    left = []
    for path, kind in sorted(lock.conflicts.items()):
        if kind != NESTED_REPO:
            continue
        try:
            data: bytes | None = (root / path).read_bytes()
        except OSError:
            data = None
        if not applied(data, lock.files.get(path)):
            left.append(path)
    return left


def same_content(data: bytes, sha: str | None) -> bool:
    """The locked content, byte for byte or as a CRLF checkout of it.

    ``sha`` None: locked without a hash (it may hold a secret): nothing to
    compare against, so never drift."""
    if sha is None or hashlib.sha256(data).hexdigest() == sha:
        return True
    return (
        b"\r\n" in data
        and hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest() == sha
    )
