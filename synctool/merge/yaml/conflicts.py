"""Where the two sides changed a node differently, and where it sits."""

from __future__ import annotations

from typing import Any, NamedTuple


class NodeClash(NamedTuple):
    """A place the two sides changed differently (ABSENT: a side removed it)."""

    base: Any
    ours: Any
    theirs: Any
    why: str


class Conflict(NamedTuple):
    """A clash placed in the merged tree: ``container[key]`` holds ours'
    version (theirs' where ours removed it) until it is rendered."""

    container: Any  # a mapping or sequence of the merged tree, or its documents
    key: Any  # the key, or the index
    clash: NodeClash
