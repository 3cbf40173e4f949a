"""Step 1: every new content written into the journal, nothing into the service."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from synctool.errors import InputError
from synctool.service.fsops import write_entry
from synctool.service.journal.disk import digest, entry_digest, exists, fsync_tree
from synctool.service.journal.record import journal_dir, pending, write_manifest
from synctool.service.journal.steps import step
from synctool.service.names import JOURNAL, STATE_FILES
from synctool.tree import FileEntry

_LAST = STATE_FILES


def check_free(root: Path) -> None:
    """Refuse a service whose journal name is taken by something of the user's."""
    jdir = journal_dir(root)
    if jdir.is_symlink() or (jdir.exists() and not jdir.is_dir()):
        raise InputError(
            f"{JOURNAL} in the service is not synctool's: synctool keeps an "
            "interrupted sync's files in a folder of that name.",
            f"Rename or remove your {JOURNAL} and run again; nothing was written.",
        )


def discard_stage(root: Path) -> bool:
    """Remove a journal a sync left while still staging (killed before its
    manifest was written: nothing of it reached the service). True if one
    was there."""
    jdir = journal_dir(root)
    if pending(root) or jdir.is_symlink() or not jdir.is_dir():
        return False
    shutil.rmtree(jdir)
    return True


def stage(root: Path, changes: Mapping[str, FileEntry | None]) -> None:
    jdir = journal_dir(root)
    (jdir / "new").mkdir(parents=True)
    (jdir / "old").mkdir()
    ops = []
    for n, (rel, entry) in enumerate(_in_order(changes)):
        if entry is not None:
            write_entry(jdir / "new" / str(n), entry)
            step(f"stage {rel}")
        target = root / rel
        existed = exists(target) and not (target.is_dir() and not target.is_symlink())
        ops.append(
            {
                "n": n,
                "path": rel,
                "delete": entry is None,
                "existed": existed,
                "before": digest(target),
                "after": None if entry is None else entry_digest(entry),
            }
        )
    fsync_tree(jdir / "new")
    write_manifest(root, ops)
    step("manifest")


def _in_order(
    changes: Mapping[str, FileEntry | None],
) -> list[tuple[str, FileEntry | None]]:
    """Deletes first, deepest first (a folder may become a file); then writes;
    synctool's own files last, so a half-applied sync never claims it is done."""
    deletes = sorted(
        (r for r, e in changes.items() if e is None), key=lambda r: (-r.count("/"), r)
    )
    writes = sorted(
        (r for r, e in changes.items() if e is not None), key=lambda r: (r in _LAST, r)
    )
    return [(r, changes[r]) for r in [*deletes, *writes]]


def check_layout(root: Path, changes: Mapping[str, FileEntry | None]) -> None:
    """Refuse, before writing, a file that would land on a folder of the
    user's files, or under a file that stays."""
    deleted = {r for r, e in changes.items() if e is None}
    for rel, entry in changes.items():
        if entry is None:
            continue
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            path = root / parent
            if exists(path) and not path.is_dir() and parent not in deleted:
                raise InputError(
                    f"the blueprint puts {rel} inside {parent}, which is a file here.",
                    f"Move or remove {parent}, commit, and sync again; nothing was written.",
                )
        target = root / rel
        if target.is_dir() and not target.is_symlink():
            left = [
                p.relative_to(root).as_posix()
                for p in target.rglob("*")
                if not p.is_dir() and p.relative_to(root).as_posix() not in deleted
            ]
            if left:
                raise InputError(
                    f"the blueprint turns the folder {rel} into a file, but it holds "
                    f"your files ({', '.join(left[:3])}).",
                    "Move them, commit, and sync again; nothing was written.",
                )
