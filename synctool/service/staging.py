"""A rendered folder read into memory, refusing whatever would escape the service.

copier renders into a private staging folder; nothing from it reaches the
service until every path and symlink in it has been checked here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from synctool.errors import BlueprintError
from synctool.service.paths import check_relpath, is_reserved
from synctool.tree import FileEntry

SYMLINK_MODE = 0o120000


def read_tree(
    root: Path, *, drop: set[str] | None = None
) -> tuple[dict[str, FileEntry], tuple[str, ...]]:
    """Read a rendered folder into memory, refusing anything that escapes it."""
    tree: dict[str, FileEntry] = {}
    notes: list[str] = []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root)
        if ".git" in dirnames:
            dirnames.remove(".git")
            notes.append(
                f"the blueprint renders {(rel_dir / '.git').as_posix()}/; "
                "synctool never writes into a service's .git, so it was left out"
            )
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                filenames.append(name)  # handled as a link below, never followed
        for name in filenames:
            path = here / name
            rel = (rel_dir / name).as_posix()
            if drop and rel in drop:
                continue
            check_relpath(rel)
            if is_reserved(rel):
                raise BlueprintError(
                    f"the blueprint renders {rel}, which synctool owns.",
                    "Remove it from the template (.synctool.yml, .synctool.lock and "
                    ".synctool-* are synctool's state); nothing was written.",
                )
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(path)
                _check_link(rel, target, real_root)
                tree[rel] = FileEntry(target.encode(), SYMLINK_MODE)
            elif stat.S_ISREG(info.st_mode):
                mode = 0o755 if info.st_mode & 0o111 else 0o644
                tree[rel] = FileEntry(path.read_bytes(), mode)
    return dict(sorted(tree.items())), tuple(notes)


def _check_link(rel: str, target: str, root: Path) -> None:
    """A rendered symlink must stay in the service and out of its .git.

    Resolved on disk, following every link on the way (``u -> .`` then
    ``leak -> u/../x`` climbs out although the text of the target does not).
    """
    resolved = (root / rel).resolve()
    if (
        os.path.isabs(target)
        or not resolved.is_relative_to(root)
        or resolved.is_relative_to(root / ".git")
        or any(part.lower() == ".git" for part in PurePosixPath(target).parts)
    ):
        raise BlueprintError(
            f"the blueprint renders a symlink that leaves the service: {rel} -> {target}.",
            "Point it inside the service, outside .git; nothing was written.",
        )
