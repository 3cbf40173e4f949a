"""Records shared by the merge engine: trees, entries, plans.

The engine is pure: it sees trees (path -> entry) and returns a plan; it
never touches git, the disk or the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

Ownership = Literal["managed", "merged", "seeded"]
Driver = Literal["text", "yaml", "toml", "json", "union", "binary"]
Action = Literal[
    "keep",  # ours stays as it is (nothing to do, or ours wins)
    "create",  # path absent in ours, written from theirs
    "update",  # ours replaced by a clean result (theirs or a merge)
    "merge",  # ours replaced by a clean three-way merge of both sides
    "conflict",  # written with conflict markers / kept with theirs beside it
    "delete",  # removed from ours
    "rename",  # ours moved to a new path (content may be merged too)
]


class FileEntry(NamedTuple):
    """One file of a tree: its bytes and its permission bits (0o644, 0o755)."""

    data: bytes
    mode: int = 0o644


Tree = Mapping[str, FileEntry]
"""POSIX relative path -> entry. Only regular files; no directories."""


# Keys that identify an item of a YAML/TOML list of mappings (a CI step by
# `name`, an action by `uses`), when the blueprint's policy names none.
DEFAULT_IDENTITY_KEYS: tuple[str, ...] = ("id", "name", "uses")


class Labels(NamedTuple):
    """Names for the three sides, used in conflict markers."""

    ours: str = "service (working tree)"
    base: str = "blueprint (applied)"
    theirs: str = "blueprint (declared)"


class ContentMerge(NamedTuple):
    """Result of merging one file's content with a driver."""

    data: bytes
    conflicts: int  # number of conflict regions left in data (0 = clean)
    driver: Driver  # the driver that produced data (yaml may fall back to text)
    note: str = ""  # e.g. "yaml: fell back to text (sequence reordered)"
