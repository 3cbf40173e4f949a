"""The filesystem moves a journal is made of, and digests of what a path holds."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
from pathlib import Path

from synctool.service.staging import SYMLINK_MODE
from synctool.tree import FileEntry

FOLDER = "folder"


def digest(path: Path) -> str | None:
    """What ``path`` holds, as a digest of mode and content (None: nothing)."""
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(info.st_mode):
        return entry_digest(FileEntry(os.readlink(path).encode(), SYMLINK_MODE))
    if stat.S_ISDIR(info.st_mode):
        return FOLDER
    mode = 0o755 if info.st_mode & 0o111 else 0o644
    return entry_digest(FileEntry(path.read_bytes(), mode))


def entry_digest(entry: FileEntry) -> str:
    mode = (
        SYMLINK_MODE
        if entry.mode == SYMLINK_MODE
        else (0o755 if entry.mode & 0o111 else 0o644)
    )
    return f"{mode:o}:{hashlib.sha256(entry.data).hexdigest()}"


def is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def prune(root: Path, folder: Path) -> None:
    """Remove folders a delete left empty (a later file may take the name)."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty, or gone
            return
        folder = folder.parent


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems refuse fsync on directories
        fsync_file(path)


def fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file() and not child.is_symlink():
            fsync_file(child)
    fsync_dir(path)
