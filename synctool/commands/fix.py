"""`synctool check --fix`: repair what is safely repairable.

Restores blueprint-managed files that drifted or went missing, from the
blueprint rendered at the locked version. A drifted file whose edits are not
committed is first copied beside itself (`<file>.local`), so no change is lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from synctool import drift, fsops, git, sources
from synctool.errors import GitError, SynctoolError
from synctool.model import Lock
from synctool.rendercache import cached_render
from synctool.servicefiles import ServiceFiles

LOCAL_SUFFIX = ".local"


def fix(root: Path, lock: Lock, files: ServiceFiles) -> Iterator[tuple[str, str, str]]:
    """Yield (verb, path, detail) for each repair made."""
    broken = []
    for path, locked in sorted(lock.files.items()):
        if locked.ownership != "managed":
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
        current = files.read(path)
        if current is not None and _uncommitted(root, path, current):
            kept = _free_name(root, path + LOCAL_SUFFIX)
            fsops.write_entry(
                fsops.safe_target(root, kept), entry._replace(data=current)
            )
            yield ("create", kept, "your uncommitted version, kept")
        target = fsops.safe_target(root, path)
        if target.is_symlink():
            target.unlink()
        fsops.write_entry(target, entry)
        yield (
            "restore" if current is not None else "create",
            path,
            "from the blueprint",
        )


def _free_name(root: Path, wanted: str) -> str:
    """``wanted``, or ``wanted.1``, ``wanted.2``...: never overwrite a kept copy."""
    name, n = wanted, 0
    while (root / name).exists() or (root / name).is_symlink():
        n += 1
        name = f"{wanted}.{n}"
    return name


def _uncommitted(root: Path, path: str, current: bytes) -> bool:
    """Whether ``current`` differs from the committed version (or nothing is committed)."""
    try:
        committed = git.run_bytes(["show", f"HEAD:./{path}"], cwd=root)
    except GitError:
        return True
    # A CRLF checkout of the committed file is the committed file.
    return committed.replace(b"\r\n", b"\n") != current.replace(b"\r\n", b"\n")
