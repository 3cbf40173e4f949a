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
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from synctool.errors import BlueprintError, InputError
from synctool.fsops import safe_target, write_entry
from synctool.merge.types import FileEntry
from synctool.model import JOURNAL

_LAST = (".synctool.yml", ".synctool.lock")
_MANIFEST = "manifest.json"
_ROLLING_BACK = "rolling-back"


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


def check_free(root: Path) -> None:
    """Refuse a service whose journal name is taken by something of the user's."""
    jdir = journal_dir(root)
    if jdir.is_symlink() or (jdir.exists() and not jdir.is_dir()):
        raise InputError(
            f"{JOURNAL} in the service is not synctool's: synctool keeps an "
            "interrupted sync's files in a folder of that name.",
            f"Rename or remove your {JOURNAL} and run again; nothing was written.",
        )


def apply(root: Path, changes: Mapping[str, FileEntry | None]) -> None:
    """Write ``changes`` (path -> entry, or None to delete) all or nothing."""
    jdir = journal_dir(root)
    check_free(root)
    if pending(root):  # never discard a journal that may hold the user's files
        raise RuntimeError("a pending journal must be finished or rolled back first")
    if jdir.exists():
        shutil.rmtree(jdir)  # an unfinished stage: the service was never touched
    for rel in changes:
        safe_target(root, rel)  # refuse a bad path before anything is written
    _check_layout(root, changes)
    (jdir / "new").mkdir(parents=True)
    (jdir / "old").mkdir()
    ops = []
    for n, (rel, entry) in enumerate(_in_order(changes)):
        if entry is not None:
            write_entry(jdir / "new" / str(n), entry)
            _step(f"stage {rel}")
        target = root / rel
        existed = _exists(target) and not (target.is_dir() and not target.is_symlink())
        ops.append({"n": n, "path": rel, "delete": entry is None, "existed": existed})
    _fsync_tree(jdir / "new")
    tmp = jdir / (_MANIFEST + ".tmp")
    tmp.write_text(json.dumps({"ops": ops}, indent=1), encoding="utf-8")
    _fsync_file(tmp)
    os.replace(tmp, jdir / _MANIFEST)
    _fsync_dir(jdir)
    _step("manifest")
    roll_forward(root)


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
    if (
        not isinstance(n, int)
        or isinstance(n, bool)
        or not isinstance(path, str)
        or not isinstance(delete, bool)
        or not isinstance(existed, bool | None)
    ):
        raise TypeError(f"an op has fields of the wrong type: {item!r}")
    return _Op(str(n), path, delete, existed)


def rolling_back(root: Path) -> bool:
    """An ``--abort`` began on this journal: it may only be rolled back now."""
    return (journal_dir(root) / _ROLLING_BACK).exists()


def finish(root: Path) -> bool:
    """Finish a pending journal the way it was going; True if it was rolled back."""
    if rolling_back(root):
        roll_back(root)
        return True
    roll_forward(root)
    return False


def roll_forward(root: Path) -> None:
    """Finish applying a staged journal; safe to call again after a kill."""
    jdir = journal_dir(root)
    if rolling_back(root):
        raise RuntimeError("a journal being rolled back must not be rolled forward")
    for op in _ops(root):
        n, rel = op.n, op.path
        target = safe_target(root, rel)
        new, old = jdir / "new" / n, jdir / "old" / n
        if op.delete:
            if _exists(target) and not _exists(old):
                os.replace(target, old)
                _step(f"delete {rel}")
            elif _exists(target):
                _remove(target)  # backup already taken by an earlier attempt
            _prune(root, target.parent)
            continue
        if not _exists(new):
            continue  # moved into place by an earlier attempt
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
    _finish(root)


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
            target = safe_target(root, op.path)
            new, old = jdir / "new" / op.n, jdir / "old" / op.n
            if _exists(old):
                if _exists(target):
                    _remove(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(old, target)
            elif _created_here(op, new, target):
                _remove(target)
            _step(f"restore {op.path}")
    _finish(root)


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
