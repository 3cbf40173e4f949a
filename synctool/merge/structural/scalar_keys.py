"""The items of a list of scalars known by a name: a package, a variable."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

_VARIABLE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:=(?!=)|$)")


def _variable(item: Any) -> str | None:
    match = _VARIABLE.match(item) if isinstance(item, str) else None
    return match[1] if match else None


def requirement_name(item: Any) -> str | None:
    try:
        return canonicalize_name(Requirement(str(item)).name)
    except InvalidRequirement:
        return None


def _pinned(item: str) -> bool:
    req = Requirement(item)
    return bool(req.specifier or req.extras or req.marker or req.url)


def scalar_key(sides: Sequence[Sequence[Any]]) -> Callable[[Any], str] | None:
    """How to know the items of a list of strings by a name, or None.

    A dependency list (``fastapi==0.110``, ``uvicorn[standard]>=0.30``) by
    the package name, so that a new pin is a change to that item; a list of
    ``KEY=value`` variables (compose ``environment:``) by the variable. Only
    when every item has such a name, unique on its side.
    """
    items = [x for side in sides for x in side]
    if not items or not all(isinstance(x, str) for x in items):
        return None
    checks: list[tuple[Callable[[Any], str | None], bool]] = [
        (requirement_name, any(requirement_name(x) and _pinned(x) for x in items)),
        (_variable, any("=" in x for x in items)),
    ]
    for key, shows in checks:
        names = [[key(x) for x in side] for side in sides]
        unique = all(
            None not in side_names and len(set(side_names)) == len(side_names)
            for side_names in names
        )
        if unique and shows:
            return key  # type: ignore[return-value]
    return None
