"""A sync interrupted in the service: its journal is still there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from synctool.check.rules import Finding
from synctool.service.names import JOURNAL


def interrupted(root: Path) -> Iterator[Finding]:
    """A sync was killed half-way: the tree is neither before nor after; or
    killed while staging: its unwritten files are left in the journal."""
    folder = root / JOURNAL
    if (folder / "manifest.json").is_file():
        yield Finding(
            "sync-interrupted",
            "error",
            JOURNAL,
            None,
            "a sync was interrupted: the service is half-updated",
            "run `synctool sync` to finish it, or `synctool sync --abort` to undo it",
        )
    elif folder.is_dir() and not folder.is_symlink():
        yield Finding(
            "sync-interrupted",
            "error",
            JOURNAL,
            None,
            "a sync was killed while staging: its unwritten files are left in "
            f"{JOURNAL}/ (none reached the service; never commit them)",
            "run `synctool sync --abort` (or `synctool sync`) to remove them",
        )
