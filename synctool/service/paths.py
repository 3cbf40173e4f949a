"""The one rule for a path synctool reads or writes in a service, and its reserved names."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from synctool.errors import BlueprintError
from synctool.service.names import STATE_FILES, STATE_PREFIX

Problem = Literal["outside", "git", "unusable"]


def path_problem(rel: str) -> Problem | None:
    """Which rule ``rel`` breaks (None: a safe relative POSIX path): it is
    absolute or climbs out, lands in .git (any case: a case-insensitive disk
    is common), or is empty, has empty or `.` parts, a backslash or a NUL."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or rel.startswith("/"):
        return "outside"
    if any(part.lower() == ".git" for part in pure.parts):
        return "git"
    if (
        not rel
        or "\\" in rel
        or "\0" in rel
        or any(p in ("", ".") for p in rel.split("/"))
    ):
        return "unusable"
    return None


def is_safe(rel: str) -> bool:
    return path_problem(rel) is None


def check_relpath(rel: str) -> None:
    """Refuse a path that is absolute, climbs out of the service, or lands in .git."""
    problem = path_problem(rel)
    if problem == "outside":
        raise BlueprintError(
            f"the blueprint renders a path outside the service: {rel!r}.",
            "Fix the template's file names; nothing was written.",
        )
    if problem == "git":
        raise BlueprintError(
            f"the blueprint renders into .git: {rel!r}.",
            "Remove it from the template; synctool never writes into .git.",
        )
    if problem == "unusable":
        raise BlueprintError(
            f"the blueprint renders an unusable path: {rel!r}.",
            "Use plain relative paths (no backslashes, no empty parts).",
        )


def is_reserved(rel: str) -> bool:
    """Whether ``rel`` is synctool's state in a service, or inside it: never
    the blueprint's to render (any case: a case-insensitive disk is common)."""
    first = rel.split("/", 1)[0].lower()
    return first in STATE_FILES or first.startswith(STATE_PREFIX)
