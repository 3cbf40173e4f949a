"""Step 2 and its redo: each staged change moved into place, the old file kept."""

from __future__ import annotations

import os
from pathlib import Path

from synctool.errors import SynctoolError
from synctool.service.fsops import safe_target
from synctool.service.journal.disk import (
    FOLDER,
    digest,
    exists,
    is_folder,
    prune,
    remove,
)
from synctool.service.journal.outcome import OpFailed
from synctool.service.journal.record import (
    Op,
    close,
    journal_dir,
    read_ops,
    rolling_back,
)
from synctool.service.journal.steps import step


def roll_forward(root: Path) -> None:
    """Finish applying a staged journal; safe to call again after a kill."""
    try:
        roll_forward_ops(root, first=True)
    except OpFailed as exc:
        raise exc.error from None


def roll_forward_ops(root: Path, *, first: bool = False) -> None:
    """``first``: the sync's own apply, which also stops when a file changed
    since it was staged (a resume has kept such edits aside already)."""
    if rolling_back(root):
        raise RuntimeError("a journal being rolled back must not be rolled forward")
    for op in read_ops(root):
        try:
            if first and _changed_since_staged(root, op):
                raise OpFailed(op.path, OSError("saved while the sync was writing"))
            _forward_one(root, op)
        except OSError as exc:
            raise OpFailed(op.path, exc) from exc
        except SynctoolError as exc:  # a folder swapped for a link that leaves
            raise OpFailed(op.path, exc) from exc
    close(root)


def _changed_since_staged(root: Path, op: Op) -> bool:
    """A file (not a folder, which this sync's own deletes may empty) that
    holds something else than when the sync staged its change."""
    if not op.recorded or op.before == FOLDER:
        return False
    return digest(root / op.path) != op.before


def _forward_one(root: Path, op: Op) -> None:
    jdir = journal_dir(root)
    n, rel = op.n, op.path
    target = safe_target(root, rel)
    new, old = jdir / "new" / n, jdir / "old" / n
    if op.delete:
        if is_folder(target):
            pass  # never the file it deletes: the user's, or this sync's writes
        elif exists(target) and not exists(old):
            os.replace(target, old)
            step(f"delete {rel}")
        elif exists(target):
            target.unlink()  # backup already taken by an earlier attempt
        prune(root, target.parent)
        return
    if not exists(new):
        return  # moved into place by an earlier attempt
    folder = target.is_dir() and not target.is_symlink()
    if exists(target) and not exists(old) and not folder:
        os.replace(target, old)
        step(f"backup {rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        target.rmdir()  # emptied by this sync's deletes (checked beforehand)
    elif exists(target):
        remove(target)
    os.replace(new, target)
    step(f"write {rel}")
