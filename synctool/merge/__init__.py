"""The merge engine: pure functions from three trees to a plan.

``build_plan`` classifies every path across base/theirs/ours (with rename
detection) and picks its outcome; ``apply_plan_to_tree`` shows the result.
Rendering, git, the disk and the terminal live elsewhere.
"""

from __future__ import annotations

from synctool.merge.plan import (
    DEFAULT_IDENTITY_KEYS,
    SIDE_SUFFIX,
    MergeFn,
    Plan,
    PlanEntry,
    SideFile,
    apply_plan_to_tree,
    build_plan,
    check_path,
    is_safe_path,
    two_way_conflict,
)
from synctool.merge.renames import (
    DEFAULT_THRESHOLD,
    Rename,
    find_exact_renames,
    find_renames,
    similarity,
)
from synctool.merge.types import (
    Action,
    ContentMerge,
    Driver,
    FileEntry,
    Labels,
    Ownership,
    Tree,
)

__all__ = [
    "DEFAULT_IDENTITY_KEYS",
    "DEFAULT_THRESHOLD",
    "SIDE_SUFFIX",
    "Action",
    "ContentMerge",
    "Driver",
    "FileEntry",
    "Labels",
    "MergeFn",
    "Ownership",
    "Plan",
    "PlanEntry",
    "Rename",
    "SideFile",
    "Tree",
    "apply_plan_to_tree",
    "build_plan",
    "check_path",
    "find_exact_renames",
    "find_renames",
    "is_safe_path",
    "similarity",
    "two_way_conflict",
]
