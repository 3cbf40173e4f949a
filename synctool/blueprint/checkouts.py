"""Checkouts of a blueprint at a commit, kept so that later renders skip the clone.

copier clones a git template for every render: `git clone`, a checkout,
then the git calls that describe the commit (its hash, `git describe`, the
version, the index's file modes). A commit's files never change, so the
first render at a commit keeps its clone and what git said of it in the
user cache folder; later renders of that commit, in this
process or another (a fleet's workers), read them from there instead.

An entry is written to a temporary name and renamed into place whole, so a
reader never sees half an entry; anything unreadable is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from synctool import folders

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: clones are not serialised
    fcntl = None  # type: ignore[assignment]

_FORMAT = 1
_META = "meta.json"
_TREE = "tree"


class Checkout(NamedTuple):
    root: Path  # the template's clone at the commit
    meta: dict[str, Any]  # what git said of the commit (see speedups.py)


def cache_dir() -> Path:
    return folders.cache("checkouts")


def _key(url: str, ref: str, commit: str) -> str:
    # The ref is part of the key: `git describe` and the version read from it
    # depend on which tag was asked for when several name one commit.
    blob = json.dumps([_FORMAT, url, ref, commit])
    return hashlib.sha256(blob.encode()).hexdigest()


def find(url: str, ref: str, commit: str) -> Checkout | None:
    entry = cache_dir() / _key(url, ref, commit)
    try:
        meta = json.loads((entry / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        return None
    if meta.get("commit_hash") != commit or not (entry / _TREE).is_dir():
        return None
    return Checkout(entry / _TREE, meta)


def keep(url: str, ref: str, commit: str, clone: Path, meta: dict[str, Any]) -> None:
    """Take ``clone`` (a fresh clone at ``commit``, which the caller no longer
    needs) into the cache with ``meta``, for later renders.

    The clone is moved, not copied, when it is on the cache's file system.
    """
    if meta.get("commit_hash") != commit:
        return  # the ref moved between resolving it and cloning it
    entry = cache_dir() / _key(url, ref, commit)
    if entry.exists():
        return
    tmp: Path | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        _drop_leftovers(entry.parent)
        tmp = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".tmp-"))
        try:
            os.rename(clone, tmp / _TREE)
        except OSError:  # another file system: copy it
            shutil.copytree(clone, tmp / _TREE, symlinks=True)
        (tmp / _META).write_text(json.dumps({**meta, "format": _FORMAT}), "utf-8")
        os.rename(tmp, entry)  # fails if another process got there first: fine
        tmp = None
    except OSError:
        pass  # a cache that cannot be written only costs speed
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _drop_leftovers(folder: Path) -> None:
    """Entries half-written by a process killed a day or more ago."""
    import time

    for stale in folder.glob(".tmp-*"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > 86400:
                shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def clone_lock(url: str) -> Iterator[None]:
    """One clone of a remote blueprint at a time on this machine.

    copier clones a remote template through one shared mirror of it (`git
    remote update`, `git worktree add`); two processes doing that at once (a
    fleet's workers, a sync's two renders) can break each other's clone.
    """
    if fcntl is None:  # pragma: no cover
        yield
        return
    key = hashlib.sha256(url.encode()).hexdigest()[:32]
    try:
        folder = cache_dir().parent / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / f"{key}.lock", "w")  # noqa: SIM115 - closed below
    except OSError:
        yield  # no lock without a cache folder: as copier alone would do
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # releases the lock
