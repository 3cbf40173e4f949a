"""What a killed sync left, dealt with before anything else: a stage never
written (removed), or a journal, finished (or rolled back when its --abort
had begun); and `sync --abort`. Edits made after the kill are kept beside
themselves and recorded in the lock as conflicts."""

from __future__ import annotations

from pathlib import Path

from synctool import ui
from synctool.errors import InputError, SynctoolError
from synctool.service import journal
from synctool.service import mutex as servicelock
from synctool.service.declared import not_a_service
from synctool.service.lock import dump_lock
from synctool.service.lockread import load_lock
from synctool.service.names import DECLARED, JOURNAL, LOCK
from synctool.sync.stage import Stage
from synctool.tree import FileEntry

STAGE_REMOVED = (
    f"Removed {JOURNAL}/, left by a sync killed while it was staging its files: "
    "none of them had been written to the service."
)


def require_service(root: Path, *, abort: bool) -> None:
    """A synctool service, not busy with a sync of another process."""
    # A pending journal first: a kill can leave .synctool.yml inside it.
    if not (root / DECLARED).is_file() and not journal.pending(root):
        raise not_a_service(root, hint=not abort)
    journal.check_free(root)


def finish_interrupted(
    root: Path, stage: Stage, *, dry_run: bool, json: bool
) -> tuple[journal.Kept, ...]:
    """What a killed sync left: a stage never written (removed), or a
    journal (finished, or rolled back if its --abort had begun)."""
    if not dry_run and journal.discard_stage(root):
        ui.info(STAGE_REMOVED)
    if not journal.pending(root):
        return ()
    if dry_run:
        raise InputError(
            "an interrupted sync is pending.",
            "Run `synctool sync` to finish it or `synctool sync --abort` to undo it.",
        )
    stage.now(
        "interrupted while resuming an interrupted sync; its journal is kept.",
        "Run `synctool sync` to finish it or `synctool sync --abort` to undo it.",
    )
    resumed = journal.resume(root)
    stage.now("interrupted: nothing more was written (the interrupted sync is done).")
    if resumed.rolled_back:
        ui.warning(
            "finished undoing an interrupted sync (its --abort had begun) "
            "before doing anything else."
        )
    else:
        ui.warning("finished an interrupted sync before doing anything else.")
    _record_kept(root, resumed.kept)
    report_kept(resumed.kept, finished=not resumed.rolled_back, json=json)
    return tuple(resumed.kept)


def abort(root: Path) -> tuple[journal.Kept, ...] | None:
    """`sync --abort`: roll the interrupted sync back; what was kept, or None
    when there was only a stage that never started writing (removed)."""
    require_service(root, abort=True)
    with servicelock.held(root, "synctool sync --abort"):
        if not journal.pending(root):
            if journal.discard_stage(root):
                return None
            raise InputError("there is no interrupted sync to abort.")
        kept = journal.abort(root)
        _record_kept(root, kept)
        return tuple(kept)


def _record_kept(root: Path, kept: list[journal.Kept]) -> None:
    """Record each edit moved beside itself as a conflict in the lock now on
    disk, so that `synctool check` reports it until it is resolved."""
    moved = {k.kept: "your-version" for k in kept if k.kept != k.path}
    if not moved:
        return
    try:
        lock = load_lock(root)
    except SynctoolError:
        return  # no readable lock: the report above is all there is
    lock = lock._replace(conflicts={**lock.conflicts, **moved})
    # through the journal, as every write of the lock: all or nothing
    journal.apply(root, {LOCK: FileEntry(dump_lock(lock).encode())})


def report_kept(
    kept: list[journal.Kept] | tuple[journal.Kept, ...], *, finished: bool, json: bool
) -> None:
    """The files edited after the interruption, moved beside themselves, and
    the folders made where the sync deleted a file, left in place."""
    state = "finished" if finished else "restored"
    moved = [k for k in kept if k.kept != k.path]
    for item in moved:
        ui.action(
            "create",
            item.kept,
            f"your edit of {item.path}, made after the interruption",
            stderr=json,  # stdout holds the JSON document
        )
    if moved:
        ui.warning(
            f"{len(moved)} file(s) were edited after the sync was interrupted: your "
            f"version is kept beside each as .local ({', '.join(k.kept for k in moved)}), "
            f"the {state} version is in place. Merge them by hand and delete the "
            ".local files."
        )
    folders = [k.path for k in kept if k.kept == k.path]
    if folders:
        ui.warning(
            f"the interrupted sync deletes the file {', '.join(folders)}, where you "
            "made a folder after the interruption: your folder is kept as it is."
        )
