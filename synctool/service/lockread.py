"""Reading `.synctool.lock` back, every field checked: a damaged lock is refused."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from synctool.errors import InputError
from synctool.service.lock import CONFLICT_KINDS, LOCK_VERSION, Lock, LockedFile
from synctool.service.names import LOCK
from synctool.service.staging import SYMLINK_MODE
from synctool.service.values import plain
from synctool.service.yamlio import load_fast
from synctool.tree import Ownership, is_safe_path

_CLASSES = ("managed", "merged", "seeded")
_MODES = (0o644, 0o755, SYMLINK_MODE)  # a file, an executable, a symlink (as git)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def load_lock(root: Path) -> Lock:
    doc = load_fast(root / LOCK)
    if not isinstance(doc, Mapping):
        raise InputError(
            f"{LOCK}: not a synctool lock.", "Restore it from git history."
        )
    try:
        if doc.get("lock_version") != LOCK_VERSION:
            raise InputError(
                f"{LOCK}: lock_version {doc.get('lock_version')!r} is not supported by this synctool.",
                "Upgrade synctool, or restore the lock from git history.",
            )
        files = {
            str(rel): _file(str(rel), entry)
            for rel, entry in (doc.get("files") or {}).items()
        }
        answers, policy = doc.get("answers") or {}, doc.get("policy") or {}
        if not isinstance(answers, Mapping) or not isinstance(policy, Mapping):
            raise ValueError("answers and policy must be mappings")
        return Lock(
            blueprint=str(doc["blueprint"]),
            ref=None if doc.get("ref") is None else str(doc["ref"]),
            version=None if doc.get("version") is None else str(doc["version"]),
            commit=str(doc["commit"]),
            answers=plain(answers),
            answers_digest=str(doc["answers_digest"]),
            policy=plain(policy),
            files=files,
            synctool_version=str(doc.get("synctool_version", "")),
            conflicts=_conflicts(doc.get("conflicts")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{LOCK}: malformed ({exc}).",
            "synctool writes this file; restore it from git history.",
        ) from None


def _file(rel: str, entry: Any) -> LockedFile:
    if not is_safe_path(rel):
        raise ValueError(f"unsafe path {rel!r}")
    ownership = entry["class"]
    if ownership not in _CLASSES:
        raise ValueError(f"unknown class {ownership!r} for {rel}")
    digest = entry.get("sha256")  # absent: recorded without a hash
    mode = int(str(entry["mode"]), 8)
    if digest is not None and not _HEX64.match(str(digest)):
        raise ValueError(f"bad sha256 for {rel}")
    digest = None if digest is None else str(digest)
    if mode not in _MODES:
        raise ValueError(f"bad mode {entry['mode']!r} for {rel}")
    return LockedFile(digest, mode, cast(Ownership, ownership))


def _conflicts(raw: Any) -> Mapping[str, str]:
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, Mapping):
        raise ValueError("conflicts must be a mapping")
    for rel, kind in raw.items():
        if not is_safe_path(str(rel)) or kind not in CONFLICT_KINDS:
            raise ValueError(f"bad conflict entry {rel!r}: {kind!r}")
    return MappingProxyType({str(rel): str(kind) for rel, kind in raw.items()})
