"""The journal on disk: its folder, its manifest of operations, its marks."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, NamedTuple

from synctool.errors import BlueprintError, InputError
from synctool.service.fsops import safe_target
from synctool.service.journal.disk import fsync_dir, fsync_file
from synctool.service.names import JOURNAL

MANIFEST = "manifest.json"
ROLLING_BACK = "rolling-back"


class Op(NamedTuple):
    n: str
    path: str
    delete: bool
    existed: bool | None  # a file was there before the sync (None: not recorded)
    before: str | None  # digest of what the path held before the sync (None: nothing)
    after: str | None  # digest of what the sync writes there (None: a delete)
    recorded: bool  # before/after were recorded (a journal of an older synctool: not)


def journal_dir(root: Path) -> Path:
    return root / JOURNAL


def pending(root: Path) -> bool:
    """A journal whose changes were staged but not completely applied."""
    return (journal_dir(root) / MANIFEST).is_file()


def rolling_back(root: Path) -> bool:
    """An ``--abort`` began on this journal: it may only be rolled back now."""
    return (journal_dir(root) / ROLLING_BACK).exists()


def write_manifest(root: Path, ops: list[dict[str, Any]]) -> None:
    """Write the manifest beside and rename it into place: from then on the
    journal is pending."""
    jdir = journal_dir(root)
    tmp = jdir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps({"ops": ops}, indent=1), encoding="utf-8")
    fsync_file(tmp)
    os.replace(tmp, jdir / MANIFEST)
    fsync_dir(jdir)


def read_ops(root: Path) -> list[Op]:
    """The manifest's operations, each checked: a damaged manifest is refused."""
    path = journal_dir(root) / MANIFEST
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
            f"{JOURNAL}/{MANIFEST} is damaged ({why.rstrip('.')}): synctool "
            "cannot tell which files the interrupted sync changed.",
            f"Restore the service from git (see `git status`), then delete {JOURNAL}.",
        ) from None
    return ops


def _op(item: object) -> Op:
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
    return Op(str(n), path, delete, existed, before, after, "before" in item)


def close(root: Path) -> None:
    """Remove a journal whose work is done (finished or rolled back)."""
    jdir = journal_dir(root)
    # Drop the manifest first: a kill during rmtree leaves a journal that is
    # recognisably finished (no manifest) and is discarded next time.
    (jdir / MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(jdir, ignore_errors=True)
