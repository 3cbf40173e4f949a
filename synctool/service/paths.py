"""A path synctool reads or writes in a service refused in words, and its reserved names.

The rule itself is ``tree.path_problem``, which the merge engine applies too.
"""

from __future__ import annotations

from synctool.errors import BlueprintError
from synctool.service.names import STATE_FILES, STATE_PREFIX
from synctool.tree import path_problem


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
