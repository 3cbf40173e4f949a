"""`synctool check --fix`: repair what is safely repairable.

Restores blueprint-managed files that drifted or went missing, from the
blueprint rendered at the locked version. A drifted file whose edits are not
committed is first copied beside itself (`<file>.local`), so no change is lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from synctool import git
from synctool.blueprint import sources
from synctool.blueprint.rendercache import cached_render
from synctool.check import drift
from synctool.errors import GitError, SynctoolError
from synctool.service import fsops
from synctool.service.files import ServiceFiles
from synctool.service.lock import NESTED_REPO, Lock
from synctool.tree import LOCAL_SUFFIX, free_name


def fix(root: Path, lock: Lock, files: ServiceFiles) -> Iterator[tuple[str, str, str]]:
    """Yield (verb, path, detail) for each repair made."""
    broken = []
    foreign = drift.nested_repos(root, lock, files)
    for path, locked in sorted(lock.files.items()):
        if locked.ownership != "managed" or drift.inside(path, foreign):
            continue  # another git repository's files are never written
        if lock.conflicts.get(path) == NESTED_REPO:
            continue
        data = files.read(path)
        if data is None or not drift.same_content(data, locked.sha256):
            broken.append(path)
    if not broken:
        return
    source = sources.resolve_source(lock.blueprint, root)
    ref = lock.commit if source.kind == "git" else None
    try:
        rendered = cached_render(
            source,
            ref,
            lock.answers,
            defaults=True,
            interactive=False,
            trust=False,
            recorded=lock.answers,
            operation="update",  # the render a sync's base is: the same files
            dest=root,
        )
    except SynctoolError as exc:
        yield (
            "skip",
            ", ".join(broken),
            f"cannot render the locked blueprint: {exc.message}",
        )
        return
    for path in broken:
        entry = rendered.tree.get(path)
        digest = lock.files[path].sha256
        if digest is None:  # it may hold a secret answer, which is never recorded
            yield (
                "skip",
                path,
                "locked without a hash (it may hold a secret): restore it by hand",
            )
            continue
        if entry is None or hashlib.sha256(entry.data).hexdigest() != digest:
            yield (
                "skip",
                path,
                "the locked blueprint version no longer renders it identically",
            )
            continue
        target = fsops.safe_target(root, path)
        if target.is_dir() and not target.is_symlink():
            # A folder where the blueprint's file belongs: its files are the
            # team's, never removed to make room.
            yield (
                "skip",
                path,
                f"a folder stands where this blueprint-managed file belongs: move "
                f"{path}/ aside, then run `synctool check --fix` again",
            )
            continue
        current = files.read(path)
        if current is not None and _uncommitted(root, path, current):
            kept = free_name(path + LOCAL_SUFFIX, lambda p: _exists(root / p))
            fsops.write_entry(
                fsops.safe_target(root, kept), entry._replace(data=current)
            )
            yield (
                "create",
                kept,
                "your uncommitted version: carry over what you need, then delete it",
            )
        if target.is_symlink():
            target.unlink()
        fsops.write_entry(target, entry)
        yield (
            "restore" if current is not None else "create",
            path,
            "from the blueprint",
        )


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _uncommitted(root: Path, path: str, current: bytes) -> bool:
    """Whether ``current`` differs from the committed version (or nothing is committed)."""
    try:
        committed = git.run_bytes(["show", f"HEAD:./{path}"], cwd=root)
    except GitError:
        return True
    # A CRLF checkout of the committed file is the committed file.
    return committed.replace(b"\r\n", b"\n") != current.replace(b"\r\n", b"\n")
