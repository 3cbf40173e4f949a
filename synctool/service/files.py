"""The files `check` looks at: what git tracks or has staged (all files outside git)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from synctool import git
from synctool.service.names import JOURNAL


class ServiceFiles:
    """A FileSource over the service (see synctool.check.rules.FileSource).

    The listing is one ``git ls-files`` call: an ignored, untracked ``.env`` is
    not the repository's business; a committed or staged one is.
    """

    def __init__(
        self, root: Path, listing: tuple[bool, list[str]] | None = None
    ) -> None:
        self.root = root
        self.in_git, self._paths = listing if listing is not None else _list(root)

    def paths(self) -> Sequence[str]:
        return self._paths

    def including(self, paths: Iterable[str]) -> ServiceFiles:
        """These files too, where they are regular files on disk that git
        does not track yet (a new service inside an enclosing repository)."""
        listed = set(self._paths)
        extra = [p for p in paths if p not in listed and self._plain_file(p)]
        if not extra:
            return self
        return ServiceFiles(self.root, (self.in_git, sorted([*listed, *extra])))

    def _plain_file(self, path: str) -> bool:
        """A regular file inside the service: not a link, and not reached
        through a linked folder (whose files live elsewhere)."""
        target = self.root / path
        if target.is_symlink() or not target.is_file():
            return False
        parent = target.parent
        while parent != self.root and self.root in parent.parents:
            if parent.is_symlink():
                return False
            parent = parent.parent
        return True

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None


def _list(root: Path) -> tuple[bool, list[str]]:
    # "not a repository" is an answer here: then every file on disk counts
    said = git.answer(["ls-files", "-z", "--cached", "--deduplicate"], root)
    if said is not None and said[0] == 0:
        names = [n for n in said[1].decode("utf-8", "surrogateescape").split("\0") if n]
        return True, sorted(names)
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", JOURNAL)]
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.extend(prefix + name for name in filenames)
    return False, sorted(found)
