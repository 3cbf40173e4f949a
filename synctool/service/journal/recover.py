"""A journal left by a kill, finished (`synctool sync`) or undone (`--abort`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from synctool.service.journal.back import roll_back
from synctool.service.journal.edits import keep_edits
from synctool.service.journal.forward import roll_forward_ops
from synctool.service.journal.outcome import (
    UNDO,
    ApplyFailed,
    Kept,
    OpFailed,
    Resumed,
    SyncInterrupted,
    why,
)
from synctool.service.journal.record import pending, rolling_back
from synctool.service.names import JOURNAL


def finish(root: Path) -> bool:
    """Finish a pending journal the way it was going; True if it was rolled back."""
    return resume(root).rolled_back


def resume(root: Path) -> Resumed:
    """Finish a pending journal the way it was going (`synctool sync`), the
    files edited since the interruption kept beside (``Resumed.kept``)."""
    if rolling_back(root):
        return Resumed(True, abort(root))
    kept = keep_edits(root, forward=True)
    _resumed(root, roll_forward_ops, kept)
    return Resumed(False, kept)


def abort(root: Path) -> list[Kept]:
    """Roll back a pending journal (`synctool sync --abort`); the files the
    user edited since, which the roll back would replace, are kept beside."""
    kept = keep_edits(root, forward=False) if pending(root) else []
    _resumed(root, roll_back, kept)
    return kept


def _resumed(root: Path, step: Callable[[Path], None], kept: list[Kept]) -> None:
    """Run a roll forward or back of a journal met again, saying what is
    left when a path cannot be written or Ctrl-C stops it (and where the
    user's edits already moved aside are)."""
    moved = [k.kept for k in kept if k.kept != k.path]
    also = (
        f" Your edits made after the interruption are kept as {', '.join(moved)}."
        if moved
        else ""
    )
    try:
        step(root)
    except (OpFailed, OSError) as exc:
        rel = exc.rel if isinstance(exc, OpFailed) else str(exc.filename or "")
        reason = exc.why if isinstance(exc, OpFailed) else why(exc)
        shown = _shown(root, rel)
        raise ApplyFailed(
            f"could not write {shown} ({reason}) while resuming the interrupted "
            f"sync; its journal is kept in {JOURNAL}.{also}",
            f"Fix {shown}, then {UNDO}.",
        ) from None
    except KeyboardInterrupt:
        raise SyncInterrupted(
            "interrupted while resuming the interrupted sync; its journal is kept "
            f"in {JOURNAL}.{also}",
            f"To finish, {UNDO}.",
        ) from None


def _shown(root: Path, rel: str) -> str:
    path = Path(rel)
    if path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return rel
