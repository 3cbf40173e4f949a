"""Writing files into a service without ever leaving it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from synctool.errors import InputError
from synctool.service.paths import check_relpath
from synctool.service.staging import SYMLINK_MODE
from synctool.tree import FileEntry


def safe_target(root: Path, rel: str) -> Path:
    """``root / rel``, refusing a path whose parent folders lead outside ``root``."""
    check_relpath(rel)
    target = root / rel
    real_root = root.resolve()
    parent = target.parent.resolve()
    if not parent.is_relative_to(real_root) or parent.is_relative_to(
        real_root / ".git"
    ):
        raise InputError(
            f"{rel} would be written through a symlink that leaves the service "
            f"or enters its .git ({parent}).",
            "Replace the symlinked folder with a real one; nothing was written.",
        )
    return target


# A file name may be 255 bytes; a temporary name beside it adds up to 24.
_NAME_ROOM = 200


def short_name(name: str) -> str:
    """``name`` cut to leave room for a temporary name's additions (bytes)."""
    raw = os.fsencode(name)
    if len(raw) <= _NAME_ROOM:
        return name
    return os.fsdecode(raw[:_NAME_ROOM])  # a cut character stays its bytes


def write_entry(path: Path, entry: FileEntry) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if entry.mode == SYMLINK_MODE:
        os.symlink(entry.data.decode(), path)
        return
    # Write beside, then rename: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{short_name(path.name)}.", suffix=".synctool"
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(entry.data)
        os.chmod(tmp, entry.mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_tree(dest: Path, files: Mapping[str, FileEntry]) -> None:
    """Create a new folder ``dest`` holding ``files``, all at once or not at all.

    Everything is written into a hidden sibling first and renamed into place,
    so an interrupted init leaves no half-made service behind.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(dir=dest.parent, prefix=f".{short_name(dest.name)}.synctool-")
    )
    try:
        for rel, entry in files.items():
            write_entry(safe_target(staging, rel), entry)
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
