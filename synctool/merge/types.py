"""Records the merge engine returns: actions, labels, content merges.

The engine is pure: it sees trees (path -> entry) and returns a plan; it
never touches git, the disk or the terminal.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from synctool.tree import Driver

Action = Literal[
    "keep",  # ours stays as it is (nothing to do, or ours wins)
    "create",  # path absent in ours, written from theirs
    "update",  # ours replaced by a clean result (theirs or a merge)
    "merge",  # ours replaced by a clean three-way merge of both sides
    "conflict",  # written with conflict markers / kept with theirs beside it
    "delete",  # removed from ours
    "rename",  # ours moved to a new path (content may be merged too)
]


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
