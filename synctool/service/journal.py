"""Apply a set of file changes to a service as one unit, surviving kills.

Protocol (all inside ``<service>/.synctool-journal/``, same filesystem, so
every move is an atomic rename):

1. stage: every new content is written to ``new/<n>``; then ``manifest.json``
   is written beside and renamed into place. Until the manifest exists the
   service is untouched and a leftover journal is simply discarded.
2. apply: per change, the current file (if any) is moved to ``old/<n>``, then
   ``new/<n>`` is moved to the path. Both moves are idempotent to redo.
3. done: the journal folder is removed.

A journal left by a kill is finished by the next ``synctool sync`` (roll
forward) or undone by ``synctool sync --abort`` (roll back from ``old/``).
A roll back first leaves a ``rolling-back`` mark: once begun, a journal is
only ever rolled back, whichever command meets it next, so a kill during
``--abort`` never ends in a mix of both versions. Each op records whether
its path held a file before the sync, so a roll back done twice never takes
a restored file for one the sync created.

Each op also records what its path held before the sync and what the sync
writes there (digests of mode and content). A journal met again by a later
command (``resume``) first compares the tree with them: a file the user
edited after the interruption, which finishing or rolling back would replace
or remove, is first moved beside itself as ``<file>.local``; never lost.

A write that fails mid-apply, or a Ctrl-C, rolls the service back at once
(``ApplyFailed``/``SyncInterrupted`` say so); only when that roll back fails
too is the journal left, and the message says what to run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from synctool.errors import EXIT_INTERRUPTED, BlueprintError, InputError, SynctoolError
from synctool.merge.records import LOCAL_SUFFIX, free_name
from synctool.service.fsops import safe_target, write_entry
from synctool.service.model import JOURNAL
from synctool.service.staging import SYMLINK_MODE
from synctool.tree import FileEntry

_LAST = (".synctool.yml", ".synctool.lock")
_MANIFEST = "manifest.json"
_ROLLING_BACK = "rolling-back"
_UNDO = "run `synctool sync` to finish it or `synctool sync --abort` to undo it"


class ApplyFailed(SynctoolError):
    """A write failed mid-apply: rolled back, or a journal left (the message says)."""


class SyncInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sync, with the state the service is in (exit 130)."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.reported = False  # printed already (the command line exits silently)


class Kept(NamedTuple):
    """A file edited after the interruption, moved beside itself."""

    path: str
    kept: str


class Resumed(NamedTuple):
    rolled_back: bool
    kept: list[Kept]


class _OpFailed(Exception):
    """An op that could not be done: its path, why, and the original error."""

    def __init__(self, rel: str, error: OSError | SynctoolError) -> None:
        super().__init__(rel)
        self.rel = rel
        self.error = error
        self.why = _why(error)


class Change(NamedTuple):
    path: str
    entry: FileEntry | None  # None: delete the file


# Tests set this to kill the process between steps; production leaves it None.
step_hook: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if step_hook is not None:
        step_hook(name)


def journal_dir(root: Path) -> Path:
    return root / JOURNAL


def pending(root: Path) -> bool:
    """A journal whose changes were staged but not completely applied."""
    return (journal_dir(root) / _MANIFEST).is_file()


def discard_stage(root: Path) -> bool:
    """Remove a journal a sync left while still staging (killed before its
    manifest was written: nothing of it reached the service). True if one
    was there."""
    jdir = journal_dir(root)
    if pending(root) or jdir.is_symlink() or not jdir.is_dir():
        return False
    shutil.rmtree(jdir)
    return True


def check_free(root: Path) -> None:
    """Refuse a service whose journal name is taken by something of the user's."""
    jdir = journal_dir(root)
    if jdir.is_symlink() or (jdir.exists() and not jdir.is_dir()):
        raise InputError(
            f"{JOURNAL} in the service is not synctool's: synctool keeps an "
            "interrupted sync's files in a folder of that name.",
            f"Rename or remove your {JOURNAL} and run again; nothing was written.",
        )


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
    _check_layout(root, changes)
    for rel, seen in (read or {}).items():
        if rel in changes and _digest(root / rel) != _entry_digest(seen):
            raise ApplyFailed(
                f"{rel} changed while the sync ran (saved after the merge read it); "
                "nothing was written.",
                "Run the sync again: it merges the file as it is now.",
            )
    try:
        _stage(root, changes)
    except OSError as exc:
        shutil.rmtree(jdir, ignore_errors=True)
        raise ApplyFailed(
            f"could not stage the sync's files in {JOURNAL} ({_why(exc)}); "
            "nothing was written.",
            "Free the space or fix the permissions, and run again.",
        ) from None
    except KeyboardInterrupt:
        shutil.rmtree(jdir, ignore_errors=True)
        raise SyncInterrupted("interrupted: nothing was written.") from None
    try:
        _roll_forward(root, first=True)
    except _OpFailed as exc:
        undone = _undo_after_failure(root)
        what = f"could not write {exc.rel} ({exc.why})"
        if undone:
            raise ApplyFailed(
                f"{what}: the sync was rolled back, every file is as it was.",
                f"Fix {exc.rel} (permissions, a folder in its place) and run again.",
            ) from None
        raise ApplyFailed(
            f"{what}; the sync stopped half-way and its journal is kept in {JOURNAL}.",
            f"Fix {exc.rel}, then {_UNDO}.",
        ) from None
    except KeyboardInterrupt:
        if _undo_after_failure(root):
            raise SyncInterrupted(
                "interrupted: the sync was rolled back, every file is as it was."
            ) from None
        raise SyncInterrupted(
            f"interrupted half-way through writing; the journal is kept in {JOURNAL}.",
            f"To finish, {_UNDO}.",
        ) from None


def _stage(root: Path, changes: Mapping[str, FileEntry | None]) -> None:
    jdir = journal_dir(root)
    (jdir / "new").mkdir(parents=True)
    (jdir / "old").mkdir()
    ops = []
    for n, (rel, entry) in enumerate(_in_order(changes)):
        if entry is not None:
            write_entry(jdir / "new" / str(n), entry)
            _step(f"stage {rel}")
        target = root / rel
        existed = _exists(target) and not (target.is_dir() and not target.is_symlink())
        ops.append(
            {
                "n": n,
                "path": rel,
                "delete": entry is None,
                "existed": existed,
                "before": _digest(target),
                "after": None if entry is None else _entry_digest(entry),
            }
        )
    _fsync_tree(jdir / "new")
    tmp = jdir / (_MANIFEST + ".tmp")
    tmp.write_text(json.dumps({"ops": ops}, indent=1), encoding="utf-8")
    _fsync_file(tmp)
    os.replace(tmp, jdir / _MANIFEST)
    _fsync_dir(jdir)
    _step("manifest")


def _undo_after_failure(root: Path) -> bool:
    """Roll back after a failed or interrupted apply; False if that failed too."""
    try:
        with _no_ctrl_c():
            roll_back(root)
    except (_OpFailed, OSError, KeyboardInterrupt, SynctoolError):
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


def _why(exc: OSError | SynctoolError) -> str:
    if isinstance(exc, SynctoolError):
        return exc.message.rstrip(".")
    return exc.strerror or type(exc).__name__


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


def _check_layout(root: Path, changes: Mapping[str, FileEntry | None]) -> None:
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
            if _exists(path) and not path.is_dir() and parent not in deleted:
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


class _Op(NamedTuple):
    n: str
    path: str
    delete: bool
    existed: bool | None  # a file was there before the sync (None: not recorded)
    before: str | None  # digest of what the path held before the sync (None: nothing)
    after: str | None  # digest of what the sync writes there (None: a delete)
    recorded: bool  # before/after were recorded (a journal of an older synctool: not)


def _ops(root: Path) -> list[_Op]:
    """The manifest's operations, each checked: a damaged manifest is refused."""
    path = journal_dir(root) / _MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = data["ops"]
        if not isinstance(raw, list):
            raise TypeError("ops is not a list")
        ops = [_op(item) for item in raw]
        for op in ops:
            safe_target(root, op.path)
    except (OSError, ValueError, KeyError, TypeError, BlueprintError) as exc:
        why = exc.message if isinstance(exc, BlueprintError) else str(exc)
        raise InputError(
            f"{JOURNAL}/{_MANIFEST} is damaged ({why.rstrip('.')}): synctool "
            "cannot tell which files the interrupted sync changed.",
            f"Restore the service from git (see `git status`), then delete {JOURNAL}.",
        ) from None
    return ops


def _op(item: object) -> _Op:
    if not isinstance(item, dict):
        raise TypeError(f"an op is {type(item).__name__}, not a mapping")
    n, path, delete = item["n"], item["path"], item["delete"]
    existed = item.get("existed")
    before, after = item.get("before"), item.get("after")
    if (
        not isinstance(n, int)
        or isinstance(n, bool)
        or not isinstance(path, str)
        or not isinstance(delete, bool)
        or not isinstance(existed, bool | None)
        or not isinstance(before, str | None)
        or not isinstance(after, str | None)
    ):
        raise TypeError(f"an op has fields of the wrong type: {item!r}")
    return _Op(str(n), path, delete, existed, before, after, "before" in item)


def rolling_back(root: Path) -> bool:
    """An ``--abort`` began on this journal: it may only be rolled back now."""
    return (journal_dir(root) / _ROLLING_BACK).exists()


def finish(root: Path) -> bool:
    """Finish a pending journal the way it was going; True if it was rolled back."""
    return resume(root).rolled_back


def resume(root: Path) -> Resumed:
    """Finish a pending journal the way it was going (`synctool sync`), the
    files edited since the interruption kept beside (``Resumed.kept``)."""
    if rolling_back(root):
        return Resumed(True, abort(root))
    kept = _keep_edits(root, forward=True)
    _resumed(root, _roll_forward, kept)
    return Resumed(False, kept)


def abort(root: Path) -> list[Kept]:
    """Roll back a pending journal (`synctool sync --abort`); the files the
    user edited since, which the roll back would replace, are kept beside."""
    kept = _keep_edits(root, forward=False) if pending(root) else []
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
    except (_OpFailed, OSError) as exc:
        rel = exc.rel if isinstance(exc, _OpFailed) else str(exc.filename or "")
        why = exc.why if isinstance(exc, _OpFailed) else _why(exc)
        shown = _shown(root, rel)
        raise ApplyFailed(
            f"could not write {shown} ({why}) while resuming the interrupted "
            f"sync; its journal is kept in {JOURNAL}.{also}",
            f"Fix {shown}, then {_UNDO}.",
        ) from None
    except KeyboardInterrupt:
        raise SyncInterrupted(
            "interrupted while resuming the interrupted sync; its journal is kept "
            f"in {JOURNAL}.{also}",
            f"To finish, {_UNDO}.",
        ) from None


def _shown(root: Path, rel: str) -> str:
    path = Path(rel)
    if path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return rel


def roll_forward(root: Path) -> None:
    """Finish applying a staged journal; safe to call again after a kill."""
    try:
        _roll_forward(root, first=True)
    except _OpFailed as exc:
        raise exc.error from None


def _roll_forward(root: Path, *, first: bool = False) -> None:
    """``first``: the sync's own apply, which also stops when a file changed
    since it was staged (a resume has kept such edits aside already)."""
    if rolling_back(root):
        raise RuntimeError("a journal being rolled back must not be rolled forward")
    for op in _ops(root):
        try:
            if first and _changed_since_staged(root, op):
                raise _OpFailed(op.path, OSError("saved while the sync was writing"))
            _forward_one(root, op)
        except OSError as exc:
            raise _OpFailed(op.path, exc) from exc
        except SynctoolError as exc:  # a folder swapped for a link that leaves
            raise _OpFailed(op.path, exc) from exc
    _finish(root)


def _changed_since_staged(root: Path, op: _Op) -> bool:
    """A file (not a folder, which this sync's own deletes may empty) that
    holds something else than when the sync staged its change."""
    if not op.recorded or op.before == _FOLDER:
        return False
    return _digest(root / op.path) != op.before


def _forward_one(root: Path, op: _Op) -> None:
    jdir = journal_dir(root)
    n, rel = op.n, op.path
    target = safe_target(root, rel)
    new, old = jdir / "new" / n, jdir / "old" / n
    if op.delete:
        if _is_folder(target):
            pass  # never the file it deletes: the user's, or this sync's writes
        elif _exists(target) and not _exists(old):
            os.replace(target, old)
            _step(f"delete {rel}")
        elif _exists(target):
            target.unlink()  # backup already taken by an earlier attempt
        _prune(root, target.parent)
        return
    if not _exists(new):
        return  # moved into place by an earlier attempt
    is_folder = target.is_dir() and not target.is_symlink()
    if _exists(target) and not _exists(old) and not is_folder:
        os.replace(target, old)
        _step(f"backup {rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        target.rmdir()  # emptied by this sync's deletes (checked beforehand)
    elif _exists(target):
        _remove(target)
    os.replace(new, target)
    _step(f"write {rel}")


def roll_back(root: Path) -> None:
    """Undo a staged journal: every file goes back to what it was before."""
    jdir = journal_dir(root)
    if pending(root):
        ops = _ops(root)
        mark = jdir / _ROLLING_BACK
        if not mark.exists():
            mark.touch()
            _fsync_dir(jdir)
        for op in reversed(ops):
            try:
                _back_one(root, op)
            except OSError as exc:
                raise _OpFailed(op.path, exc) from exc
    _finish(root)


def _back_one(root: Path, op: _Op) -> None:
    jdir = journal_dir(root)
    target = safe_target(root, op.path)
    new, old = jdir / "new" / op.n, jdir / "old" / op.n
    if _exists(old):
        if target.is_dir() and not target.is_symlink():
            target.rmdir()  # a folder of the user's files is never removed
        elif _exists(target):
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, target)
    elif _created_here(op, new, target):
        _remove(target)
    _step(f"restore {op.path}")


def _keep_edits(root: Path, *, forward: bool) -> list[Kept]:
    """Move aside, as ``<file>.local``, every file edited since the interruption
    that finishing (``forward``) or rolling back the journal would replace."""
    ops = _ops(root)
    taken = {op.path for op in ops}
    kept = []
    for op in ops:
        if forward and op.delete and _holds_yours(root, op, ops):
            kept.append(Kept(op.path, op.path))  # a folder: finishing leaves it
            continue
        if not op.recorded or not _at_risk(root, op, forward=forward):
            continue
        name = free_name(
            op.path + LOCAL_SUFFIX, lambda p: p in taken or _exists(root / p)
        )
        taken.add(name)
        target = safe_target(root, op.path)
        os.replace(target, safe_target(root, name))
        kept.append(Kept(op.path, name))
    if kept:
        _fsync_dir(root)
    return kept


def _at_risk(root: Path, op: _Op, *, forward: bool) -> bool:
    """Whether ``op``'s path holds something the journal did not leave there
    and that rolling ``forward`` (or back) would replace or remove."""
    jdir = journal_dir(root)
    target = root / op.path
    current = _digest(target)
    if current is None or current == _FOLDER:
        return False  # nothing to lose; a folder is refused by the move itself
    new, old = _exists(jdir / "new" / op.n), _exists(jdir / "old" / op.n)
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


def _holds_yours(root: Path, op: _Op, ops: list[_Op]) -> bool:
    """A folder where ``op`` deletes a file, holding more than this sync's
    writes: the user's, which finishing leaves in place."""
    target = root / op.path
    if not _is_folder(target):
        return False
    written = {o.path for o in ops if not o.delete}
    return any(
        p.relative_to(root).as_posix() not in written
        for p in target.rglob("*")
        if not _is_folder(p)
    )


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


_FOLDER = "folder"


def _digest(path: Path) -> str | None:
    """What ``path`` holds, as a digest of mode and content (None: nothing)."""
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(info.st_mode):
        return _entry_digest(FileEntry(os.readlink(path).encode(), SYMLINK_MODE))
    if stat.S_ISDIR(info.st_mode):
        return _FOLDER
    mode = 0o755 if info.st_mode & 0o111 else 0o644
    return _entry_digest(FileEntry(path.read_bytes(), mode))


def _entry_digest(entry: FileEntry) -> str:
    mode = (
        SYMLINK_MODE
        if entry.mode == SYMLINK_MODE
        else (0o755 if entry.mode & 0o111 else 0o644)
    )
    return f"{mode:o}:{hashlib.sha256(entry.data).hexdigest()}"


def _created_here(op: _Op, new: Path, target: Path) -> bool:
    """The file at ``target`` was written by this sync where there was none.

    Without a backup in ``old/``, a path that held a file before is either
    untouched or already restored: it stays.
    """
    if op.delete or _exists(new) or not _exists(target):
        return False
    if target.is_dir() and not target.is_symlink():
        return False  # a sync writes files and links: a folder is the user's, restored
    if op.existed is not None:
        return not op.existed
    return True  # a journal written before ``existed`` was recorded


def _finish(root: Path) -> None:
    jdir = journal_dir(root)
    # Drop the manifest first: a kill during rmtree leaves a journal that is
    # recognisably finished (no manifest) and is discarded next time.
    (jdir / _MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(jdir, ignore_errors=True)


def _prune(root: Path, folder: Path) -> None:
    """Remove folders a delete left empty (a later file may take the name)."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty, or gone
            return
        folder = folder.parent


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems refuse fsync on directories
        _fsync_file(path)


def _fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file() and not child.is_symlink():
            _fsync_file(child)
    _fsync_dir(path)
