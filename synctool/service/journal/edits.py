"""A journal met again: the user's edits made since the interruption moved aside."""

from __future__ import annotations

import os
from pathlib import Path

from synctool.service.fsops import safe_target
from synctool.service.journal.disk import FOLDER, digest, exists, fsync_dir, is_folder
from synctool.service.journal.outcome import Kept
from synctool.service.journal.record import Op, journal_dir, read_ops
from synctool.tree import LOCAL_SUFFIX, free_name


def keep_edits(root: Path, *, forward: bool) -> list[Kept]:
    """Move aside, as ``<file>.local``, every file edited since the interruption
    that finishing (``forward``) or rolling back the journal would replace."""
    ops = read_ops(root)
    taken = {op.path for op in ops}
    kept = []
    for op in ops:
        if forward and op.delete and _holds_yours(root, op, ops):
            kept.append(Kept(op.path, op.path))  # a folder: finishing leaves it
            continue
        if not op.recorded or not _at_risk(root, op, forward=forward):
            continue
        name = free_name(
            op.path + LOCAL_SUFFIX, lambda p: p in taken or exists(root / p)
        )
        taken.add(name)
        target = safe_target(root, op.path)
        os.replace(target, safe_target(root, name))
        kept.append(Kept(op.path, name))
    if kept:
        fsync_dir(root)
    return kept


def _at_risk(root: Path, op: Op, *, forward: bool) -> bool:
    """Whether ``op``'s path holds something the journal did not leave there
    and that rolling ``forward`` (or back) would replace or remove."""
    jdir = journal_dir(root)
    target = root / op.path
    current = digest(target)
    if current is None or current == FOLDER:
        return False  # nothing to lose; a folder is refused by the move itself
    new, old = exists(jdir / "new" / op.n), exists(jdir / "old" / op.n)
    if forward:
        if not op.delete and not new:
            return False  # written already: finishing never touches it again
        expected = None if old else op.before
    elif old:
        expected = op.after if not op.delete and not new else None
    elif not op.delete and not new and op.existed is False:
        expected = op.after  # created by the sync: a roll back removes it
    else:
        return False  # never touched, or restored already: a roll back leaves it
    return current != expected


def _holds_yours(root: Path, op: Op, ops: list[Op]) -> bool:
    """A folder where ``op`` deletes a file, holding more than this sync's
    writes: the user's, which finishing leaves in place."""
    target = root / op.path
    if not is_folder(target):
        return False
    written = {o.path for o in ops if not o.delete}
    return any(
        p.relative_to(root).as_posix() not in written
        for p in target.rglob("*")
        if not is_folder(p)
    )
