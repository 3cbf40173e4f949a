"""The checks `check` makes besides the blueprint's rules: synctool's own.

declared vs applied, managed files against their locked hashes, and conflict
markers left by a sync. Pure over the lock, the declared file and the files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from synctool.model import DECLARED, JOURNAL, Declared, Lock, same_ref, source_key
from synctool.rules import FileSource, Finding

SIDE_SUFFIX = ".blueprint"
_START = re.compile(rb"^<{7} ", re.MULTILINE)
_END = re.compile(rb"^>{7} ", re.MULTILINE)


def declared_vs_applied(
    declared: Declared, lock: Lock, root: Path
) -> Iterator[Finding]:
    hint = "run `synctool sync` to apply it, or undo the edit to .synctool.yml"
    if source_key(declared.blueprint, root) != lock.blueprint:
        yield Finding(
            "not-synced",
            "error",
            DECLARED,
            None,
            f"blueprint {declared.blueprint} is declared but {lock.blueprint} is applied",
            hint,
        )
    if not same_ref(declared.ref, lock.ref, lock.blueprint):
        yield Finding(
            "not-synced",
            "error",
            DECLARED,
            None,
            f"ref {declared.ref} is declared but {lock.ref} is applied",
            hint,
        )
    changed = sorted(
        key
        for key in set(declared.answers) | set(lock.answers)
        if declared.answers.get(key) != lock.answers.get(key)
    )
    if changed:
        yield Finding(
            "not-synced",
            "error",
            DECLARED,
            None,
            f"answers changed but not applied: {', '.join(changed)}",
            hint,
        )


def _key_line(doc: object, key: str) -> int | None:
    """1-based line of ``key`` in a round-trip YAML mapping, if known."""
    try:
        return int(doc.lc.key(key)[0]) + 1  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError):
        return None


def managed_drift(lock: Lock, files: FileSource) -> Iterator[Finding]:
    listed = set(files.paths())
    for path, locked in sorted(lock.files.items()):
        if locked.ownership != "managed":
            continue
        data = files.read(path) if path in listed else None
        if data is None:
            yield Finding(
                "managed-missing",
                "error",
                path,
                None,
                "blueprint-managed file is missing",
                "restore it with `synctool check --fix` (or `git checkout`)",
            )
        elif not same_content(data, locked.sha256):
            yield Finding(
                "managed-drift",
                "error",
                path,
                None,
                "blueprint-managed file was edited; the blueprint owns it",
                "undo the edit (`synctool check --fix`), change the blueprint, or add a waiver",
            )


def same_content(data: bytes, sha: str) -> bool:
    """The locked content, byte for byte or as a CRLF checkout of it."""
    if hashlib.sha256(data).hexdigest() == sha:
        return True
    return (
        b"\r\n" in data
        and hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest() == sha
    )


def interrupted(root: Path) -> Iterator[Finding]:
    """A sync was killed half-way: the tree is neither before nor after."""
    if (root / JOURNAL / "manifest.json").is_file():
        yield Finding(
            "sync-interrupted",
            "error",
            JOURNAL,
            None,
            "a sync was interrupted: the service is half-updated",
            "run `synctool sync` to finish it, or `synctool sync --abort` to undo it",
        )


def conflict_markers(lock: Lock, files: FileSource) -> Iterator[Finding]:
    """Markers left by a sync in blueprint files, and binary side files."""
    listed = set(files.paths())
    # Side files are written by sync and usually not staged yet: look on disk.
    sides = {p for p in listed if p.endswith(SIDE_SUFFIX)}
    sides |= {
        p + SIDE_SUFFIX for p in lock.files if files.read(p + SIDE_SUFFIX) is not None
    }
    for path in sorted(sides):
        if path.removesuffix(SIDE_SUFFIX) in lock.files:
            yield Finding(
                "conflict",
                "error",
                path,
                None,
                "unresolved binary conflict: the blueprint's version of "
                f"{path.removesuffix(SIDE_SUFFIX)} is still beside yours",
                "keep the version you want, delete this file and commit",
            )
    for path in sorted(lock.files):
        if path not in listed or lock.files[path].ownership == "seeded":
            continue
        data = files.read(path)
        if data is None or b"\0" in data[:8000]:
            continue
        match = _START.search(data)
        if match is not None and _END.search(data, match.end()):
            line = data.count(b"\n", 0, match.start()) + 1
            yield Finding(
                "conflict",
                "error",
                path,
                line,
                "unresolved conflict marker left by synctool sync",
                "resolve the conflict, remove the markers, `git add` and commit",
            )
