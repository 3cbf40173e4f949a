"""The items of an array of strings known by a key: a dependency by its package."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from synctool.merge.structural.scalar_keys import requirement_name
from synctool.merge.toml.canon import canon


def _requirement_target(item: Any) -> tuple[str, str] | None:
    """A dependency's package and environment marker: the same package may
    be listed once per marker (`numpy>=1.24; python_version < '3.12'`)."""
    try:
        req = Requirement(str(item))
    except InvalidRequirement:
        return None
    return canonicalize_name(req.name), str(req.marker or "")


def string_key(sides: Sequence[Sequence[Any]]) -> Callable[[Any], Any]:
    """Dependencies match by package name (and marker, when a package is
    listed once per marker); other strings by their text."""
    for key in (requirement_name, _requirement_target):
        keys = [[key(x) for x in side] for side in sides]
        if all(None not in side and len(set(side)) == len(side) for side in keys):
            return key
    return canon
