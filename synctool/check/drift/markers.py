"""Conflicts a sync left: markers in files, versions kept beside a file
(`.blueprint`, `.local`, also the `.local` of `check --fix` once it is
staged), and what a sync's plan leaves to resolve."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from synctool.check.rules import Finding
from synctool.service.lock import NESTED_REPO, Lock, LockedFile
from synctool.tree import LOCAL_SUFFIX, SIDE_SUFFIX

if TYPE_CHECKING:  # check never imports the merge engine
    from synctool.merge.plan import Plan
    from synctool.service.files import ServiceFiles
    from synctool.tree import FileEntry
from synctool.check.drift.nested import applied, inside, same_content

_KEPT = re.compile(r"\.local(?:\.[0-9]+)?$")
_SIDE_NAME = re.compile(r"\.(?:blueprint|local)(?:\.[0-9]+)?$")
_START = re.compile(rb"^<{7} ", re.MULTILINE)
_MIDDLE = re.compile(rb"^={7}\r?$", re.MULTILINE)
_END = re.compile(rb"^>{7} ", re.MULTILINE)
# Any one marker line: in a file the lock says a sync wrote markers into, a
# lone leftover (`>>>>>>> blueprint 1.1.0` kept by a half-done resolution)
# is still a conflict.
_ANY = re.compile(rb"^(?:<{7} |\|{7} |>{7} |={7}\r?$)", re.MULTILINE)
_MARKS = (b"<" * 7 + b" ", b"|" * 7 + b" ", b">" * 7 + b" ", b"=" * 7)


def conflict_markers(lock: Lock, files: ServiceFiles) -> Iterator[Finding]:
    """What a sync left to resolve: the conflicts the lock records, wherever
    they are (a file the user moved, an ignored file); and markers in the
    blueprint's files and side files beside them (locks that record none).

    Text the blueprint itself rendered (a file as locked) is never a conflict.
    """
    listed = set(files.paths())
    recorded = dict(lock.conflicts)
    # Side files are written by sync and usually not staged yet: look on disk.
    sides = {p for p in listed if p.endswith(SIDE_SUFFIX)}
    sides |= {
        p + SIDE_SUFFIX for p in lock.files if files.read(p + SIDE_SUFFIX) is not None
    }
    for path in sorted(sides - recorded.keys()):
        if path.removesuffix(SIDE_SUFFIX) in lock.files:
            yield _side_finding(path, "binary")
    if files.in_git:  # outside git nothing is staged, nothing committed
        for path in _kept_versions(lock, listed, recorded):
            yield _side_finding(path, "your-version")
    marked = {p for p, kind in recorded.items() if kind == "markers"}
    for path in sorted(recorded.keys() - marked):
        data = files.read(path)
        if recorded[path] == NESTED_REPO:
            if not applied(data, lock.files.get(path)):
                yield _not_applied_finding(path)
        elif data is not None:
            yield _side_finding(path, recorded[path])
    scanned = {
        p
        for p, locked in lock.files.items()
        if p in listed and locked.ownership != "seeded"
    }
    for path in sorted(scanned | marked):
        data = files.read(path)
        if data is None or b"\0" in data[:8000]:
            continue
        line = marker_line(data, lone=path in marked)
        if line is None or _as_rendered(lock, path, data):
            continue  # as the blueprint rendered it: examples, not conflicts
        yield Finding(
            "conflict",
            "error",
            path,
            line,
            "unresolved conflict marker left by synctool sync",
            "resolve the conflict, remove the markers, `git add` and commit"
            if path in listed
            else "resolve the conflict and remove the markers",
        )


def _kept_versions(
    lock: Lock, listed: Collection[str], recorded: Mapping[str, str]
) -> Iterator[str]:
    """`<file>.local` (`.local.1` ...) that git tracks beside a file the
    blueprint manages, recorded by no lock: the edit `check --fix` kept
    beside the file it restored, staged to be committed as a file of its own.
    Untracked, it is the team's to look at; ignored files are never listed."""
    for path in sorted(p for p in listed if LOCAL_SUFFIX in p):
        found = _KEPT.search(path)
        if found is None or path in recorded or path in lock.files:
            continue
        beside = lock.files.get(path[: found.start()])
        if beside is not None and beside.ownership == "managed":
            yield path


def _as_rendered(lock: Lock, path: str, data: bytes) -> bool:
    locked = lock.files.get(path)
    sha = locked.sha256 if locked is not None else None
    return sha is not None and same_content(data, sha)


def _not_applied_finding(path: str) -> Finding:
    return Finding(
        "conflict",
        "error",
        path,
        None,
        "the blueprint changed this file, inside another git repository (a nested "
        "repository or submodule), where synctool never writes: not applied",
        "apply the blueprint's change in that repository and commit it there",
    )


def _side_finding(path: str, kind: str) -> Finding:
    """A side file still there: ``kind`` as recorded, or "binary" for a
    `<path>.blueprint` found beside a locked file (a lock recording none)."""
    beside = _SIDE_NAME.sub("", path)
    if kind == "your-version":
        return Finding(
            "conflict",
            "error",
            path,
            None,
            f"unresolved conflict: your version of {beside} is kept here, "
            "beside the blueprint's",
            f"carry what you need into {beside} (or waive its drift), "
            "delete this file and commit",
        )
    what = "binary conflict" if kind == "binary" else "conflict"
    return Finding(
        "conflict",
        "error",
        path,
        None,
        f"unresolved {what}: the blueprint's version of {beside} is still beside yours",
        "keep the version you want, delete this file and commit",
    )


def marker_line(data: bytes, *, lone: bool = False) -> int | None:
    """1-based line of the first conflict block (a `<<<<<<< ` line, then
    `=======`, then `>>>>>>> `), or None when there is none. ``lone``: of
    the first marker line of any kind, alone or not."""
    # A file without the characters (nearly all) is told at C speed: a regex
    # anchored at line starts would try every byte.
    if lone:
        if not any(mark in data for mark in _MARKS):
            return None
        found = _ANY.search(data)
        return None if found is None else data.count(b"\n", 0, found.start()) + 1
    if _MARKS[0] not in data:
        return None
    start = _START.search(data)
    if start is None:
        return None
    middle = _MIDDLE.search(data, start.end())
    if middle is None or _END.search(data, middle.end()) is None:
        return None
    return data.count(b"\n", 0, start.start()) + 1


def left_to_resolve(
    root: Path,
    plan: Plan,
    writes: Mapping[str, FileEntry | None],
    earlier: Mapping[str, str],
    foreign: Collection[str] = frozenset(),
    locked: Mapping[str, LockedFile] | None = None,
) -> dict[str, str]:
    """The lock's ``conflicts`` after a sync: what its plan leaves to people
    (by the path written), plus earlier ones still unresolved after it.

    ``foreign``: folders that are other git repositories; a change the plan
    could not write there stays recorded (``nested-repo``) until that file
    is as ``locked`` (the new lock's files) records it."""
    found: dict[str, str] = {}
    for path, kind in earlier.items():
        if kind == NESTED_REPO:
            target = root / path
            data = target.read_bytes() if target.is_file() else None
            if not applied(data, (locked or {}).get(path)):
                found[path] = kind
            continue
        if path in writes:
            entry = writes[path]
            data = entry.data if entry is not None else None
        else:
            target = root / path
            data = None
            if target.is_symlink():
                data = b""  # a side file may be a link: it is there
            elif target.is_file():
                data = target.read_bytes()
        if data is not None and (kind != "markers" or marker_line(data, lone=True)):
            found[path] = kind
    for item in plan.entries:
        if item.action != "conflict":
            continue
        if item.result is None and inside(item.path, foreign):
            found[item.path] = NESTED_REPO
            continue
        if item.result is not None and marker_line(item.result.data):
            found[item.path] = "markers"
        if item.side_file is not None:
            mine = getattr(item.side_file, "holds", "blueprint") == "yours"
            found[item.side_file.path] = "your-version" if mine else "blueprint-version"
    return found
