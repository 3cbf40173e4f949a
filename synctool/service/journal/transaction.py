"""A sync's changes applied all or nothing: staged, moved in, undone on failure."""

from __future__ import annotations

import contextlib
import shutil
import signal
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from synctool.errors import SynctoolError
from synctool.service.fsops import safe_target
from synctool.service.journal.back import roll_back
from synctool.service.journal.disk import digest, entry_digest
from synctool.service.journal.forward import roll_forward_ops
from synctool.service.journal.outcome import (
    UNDO,
    ApplyFailed,
    OpFailed,
    SyncInterrupted,
    why,
)
from synctool.service.journal.record import journal_dir, pending
from synctool.service.journal.stage import check_free, check_layout, stage
from synctool.service.names import JOURNAL
from synctool.tree import FileEntry


def apply(
    root: Path,
    changes: Mapping[str, FileEntry | None],
    *,
    read: Mapping[str, FileEntry] | None = None,
) -> None:
    """Write ``changes`` (path -> entry, or None to delete) all or nothing.

    ``read``: what the merge read of the files it replaces. A file saved
    since (the user's editor, while the sync ran) is never overwritten: the
    sync stops before writing, or rolls back if the save lands mid-write.
    """
    jdir = journal_dir(root)
    check_free(root)
    if pending(root):  # never discard a journal that may hold the user's files
        raise RuntimeError("a pending journal must be finished or rolled back first")
    if jdir.exists():
        shutil.rmtree(jdir)  # an unfinished stage: the service was never touched
    for rel in changes:
        safe_target(root, rel)  # refuse a bad path before anything is written
    check_layout(root, changes)
    for rel, seen in (read or {}).items():
        if rel in changes and digest(root / rel) != entry_digest(seen):
            raise ApplyFailed(
                f"{rel} changed while the sync ran (saved after the merge read it); "
                "nothing was written.",
                "Run the sync again: it merges the file as it is now.",
            )
    try:
        stage(root, changes)
    except OSError as exc:
        shutil.rmtree(jdir, ignore_errors=True)
        raise ApplyFailed(
            f"could not stage the sync's files in {JOURNAL} ({why(exc)}); "
            "nothing was written.",
            "Free the space or fix the permissions, and run again.",
        ) from None
    except KeyboardInterrupt:
        shutil.rmtree(jdir, ignore_errors=True)
        raise SyncInterrupted("interrupted: nothing was written.") from None
    try:
        roll_forward_ops(root, first=True)
    except OpFailed as exc:
        undone = _undo_after_failure(root)
        what = f"could not write {exc.rel} ({exc.why})"
        if undone:
            raise ApplyFailed(
                f"{what}: the sync was rolled back, every file is as it was.",
                f"Fix {exc.rel} (permissions, a folder in its place) and run again.",
            ) from None
        raise ApplyFailed(
            f"{what}; the sync stopped half-way and its journal is kept in {JOURNAL}.",
            f"Fix {exc.rel}, then {UNDO}.",
        ) from None
    except KeyboardInterrupt:
        if _undo_after_failure(root):
            raise SyncInterrupted(
                "interrupted: the sync was rolled back, every file is as it was."
            ) from None
        raise SyncInterrupted(
            f"interrupted half-way through writing; the journal is kept in {JOURNAL}.",
            f"To finish, {UNDO}.",
        ) from None


def _undo_after_failure(root: Path) -> bool:
    """Roll back after a failed or interrupted apply; False if that failed too."""
    try:
        with _no_ctrl_c():
            roll_back(root)
    except (OpFailed, OSError, KeyboardInterrupt, SynctoolError):
        return False
    return True


@contextlib.contextmanager
def _no_ctrl_c() -> Iterator[None]:
    """A roll back is short: a second Ctrl-C waits for it rather than break it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
