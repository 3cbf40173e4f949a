"""The roll back: every file the journal touched goes back to what it was."""

from __future__ import annotations

import os
from pathlib import Path

from synctool.service.fsops import safe_target
from synctool.service.journal.disk import exists, fsync_dir, remove
from synctool.service.journal.outcome import OpFailed
from synctool.service.journal.record import (
    ROLLING_BACK,
    Op,
    close,
    journal_dir,
    pending,
    read_ops,
)
from synctool.service.journal.steps import step


def roll_back(root: Path) -> None:
    """Undo a staged journal: every file goes back to what it was before."""
    jdir = journal_dir(root)
    if pending(root):
        ops = read_ops(root)
        mark = jdir / ROLLING_BACK
        if not mark.exists():
            mark.touch()
            fsync_dir(jdir)
        for op in reversed(ops):
            try:
                _back_one(root, op)
            except OSError as exc:
                raise OpFailed(op.path, exc) from exc
    close(root)


def _back_one(root: Path, op: Op) -> None:
    jdir = journal_dir(root)
    target = safe_target(root, op.path)
    new, old = jdir / "new" / op.n, jdir / "old" / op.n
    if exists(old):
        if target.is_dir() and not target.is_symlink():
            target.rmdir()  # a folder of the user's files is never removed
        elif exists(target):
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, target)
    elif _created_here(op, new, target):
        remove(target)
    step(f"restore {op.path}")


def _created_here(op: Op, new: Path, target: Path) -> bool:
    """The file at ``target`` was written by this sync where there was none.

    Without a backup in ``old/``, a path that held a file before is either
    untouched or already restored: it stays.
    """
    if op.delete or exists(new) or not exists(target):
        return False
    if target.is_dir() and not target.is_symlink():
        return False  # a sync writes files and links: a folder is the user's, restored
    if op.existed is not None:
        return not op.existed
    return True  # a journal written before ``existed`` was recorded
