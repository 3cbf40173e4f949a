"""The service's working tree as the merge engine sees it ("ours")."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from synctool import git
from synctool.errors import GitError
from synctool.merge.types import FileEntry
from synctool.model import DECLARED, JOURNAL, LOCK
from synctool.staging import SYMLINK_MODE

_OURS_ONLY = {DECLARED, LOCK}


def list_files(root: Path) -> list[str]:
    """Files git tracks or would track (not ignored); every file outside git."""
    if git.toplevel(root) is not None:
        out = git.run(
            [
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--full-name",
                ".",
            ],
            cwd=root,
        )
        prefix = _prefix(root)
        names = [n.removeprefix(prefix) for n in out.split("\0") if n]
    else:
        names = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".git", JOURNAL)]
            rel = Path(dirpath).relative_to(root)
            names += [(rel / f).as_posix() for f in filenames]
    return sorted(
        {n for n in names if n not in _OURS_ONLY and not n.startswith(JOURNAL + "/")}
    )


def _prefix(root: Path) -> str:
    """ls-files --full-name paths start at the repo root; the service may be below it."""
    return git.run(["rev-parse", "--show-prefix"], cwd=root).strip()


def read_entry(path: Path) -> FileEntry | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return FileEntry(os.readlink(path).encode(), SYMLINK_MODE)
    if not stat.S_ISREG(info.st_mode):
        return None
    return FileEntry(path.read_bytes(), 0o755 if info.st_mode & 0o111 else 0o644)


class WorkTree(Mapping[str, FileEntry]):
    """A lazy tree: paths are listed up front, contents read on first use.

    A service can hold thousands of files the blueprint never rendered; the
    planner only reads the ones it compares.
    """

    def __init__(self, root: Path, paths: Iterable[str]) -> None:
        self._root = root
        self._cache: dict[str, FileEntry] = {}
        self._paths = sorted({p for p in paths if read_kind(root / p)})
        self._set = frozenset(self._paths)

    def __getitem__(self, key: str) -> FileEntry:
        if key not in self._cache:
            if key not in self._set:
                raise KeyError(key)
            entry = read_entry(self._root / key)
            if entry is None:
                raise KeyError(key)
            self._cache[key] = entry
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, key: object) -> bool:
        return key in self._set


def read_kind(path: Path) -> bool:
    """True for a regular file or a symlink (what a tree can hold)."""
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)


def dirty_paths(root: Path) -> list[str]:
    """Uncommitted changes in the service (empty when it is not in git)."""
    if git.toplevel(root) is None:
        return []
    try:
        out = git.run(
            ["status", "--porcelain", "--untracked-files=normal", "."], cwd=root
        )
    except GitError:
        return []
    # .synctool.yml edited by hand is the sync's input, not work to protect.
    changed = [line[3:] for line in out.splitlines() if JOURNAL not in line]
    return [path for path in changed if path.rsplit("/", 1)[-1] != DECLARED]
