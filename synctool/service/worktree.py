"""The service's working tree as the merge engine sees it ("ours")."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from synctool import git
from synctool.errors import GitError
from synctool.service.names import DECLARED, GITIGNORE, JOURNAL, STATE_PREFIX
from synctool.service.paths import is_reserved
from synctool.service.staging import SYMLINK_MODE
from synctool.tree import FileEntry


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
    return sorted({n for n in names if not is_reserved(n)})  # synctool's own state


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

    def read_so_far(self) -> dict[str, FileEntry]:
        """The files whose content was read, as read (for a check before
        they are replaced: a file saved since is never overwritten)."""
        return dict(self._cache)

    def occupied(self, key: str) -> bool:
        """Whether anything is at ``key`` on disk, listed or not (an ignored
        file): the planner never names a side file over it."""
        return key in self._set or os.path.lexists(self._root / key)


def gitignores_after(
    ours: Mapping[str, FileEntry], writes: Mapping[str, FileEntry | None]
) -> dict[str, bytes]:
    """The service's `.gitignore` files (path -> content) once ``writes``
    (path -> new entry, None: deleted) are made."""
    after: dict[str, bytes] = {}
    for path in {*(p for p in ours if _ignore_file(p)), *writes}:
        entry = writes[path] if path in writes else ours.get(path)
        if _ignore_file(path) and entry is not None and entry.mode != SYMLINK_MODE:
            after[path] = entry.data
    return after


def _ignore_file(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == GITIGNORE


def outermost(paths: Iterable[str], is_repo: Callable[[str], bool]) -> set[str]:
    """The outermost folders among ``paths``' parents for which ``is_repo``
    holds; each folder is asked once, none below a found one."""
    found: set[str] = set()
    seen: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for n in range(1, len(parts) + 1):
            folder = "/".join(parts[:n])
            if folder in found:
                break
            if folder in seen:
                continue
            seen.add(folder)
            if is_repo(folder):
                found.add(folder)
                break
    return found


def nested_repos(root: Path, paths: Iterable[str]) -> frozenset[str]:
    """The folders of the service, among ``paths``' parents, that are other git
    repositories: a nested repository or checked-out submodule (its own `.git`
    file or folder), or a submodule not checked out (an empty folder git
    records as a submodule). Their files are not the service's."""
    empty: list[str] = []  # maybe a submodule not checked out: git says

    def has_git(folder: str) -> bool:
        where = root / folder
        if os.path.lexists(where / ".git"):
            return True
        if _empty_folder(where):
            empty.append(folder)
        return False

    return frozenset(outermost(paths, has_git) | _gitlinks(root, empty))


def _empty_folder(path: Path) -> bool:
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:  # missing, or not a folder
        return False


def _gitlinks(root: Path, folders: list[str]) -> set[str]:
    """Those of ``folders`` that git records as submodules (mode 160000)."""
    if not folders:
        return set()
    try:  # outside a git repository: GitError
        out = git.run(
            ["--literal-pathspecs", "ls-files", "--stage", "-z", "--", *folders],
            cwd=root,
        )
    except GitError:
        return set()
    return {
        line.split("\t", 1)[1]
        for line in out.split("\0")
        if line.startswith("160000 ") and "\t" in line
    }


def read_kind(path: Path) -> bool:
    """True for a regular file or a symlink (what a tree can hold)."""
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)


def refuse_dirty(root: Path, what: str, hint: str) -> None:
    """Refuse to work on ``what`` (the service, the project) while it has
    uncommitted changes, naming the first few."""
    dirty = dirty_paths(root)
    if dirty:
        shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
        raise GitError(f"{what} has uncommitted changes ({len(dirty)}: {shown}).", hint)


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
    # synctool's own state at the service's root (the journal, a running
    # sync's lock file) neither; a file of that name deeper down is the user's.
    changed = [line[3:] for line in out.splitlines()]
    # porcelain paths start at the repo root (asked only when it matters)
    prefix = _prefix(root) if any(STATE_PREFIX in p.lower() for p in changed) else ""
    return [
        path
        for path in changed
        if path.rsplit("/", 1)[-1] != DECLARED
        and not is_reserved(path.removeprefix(prefix))
    ]
