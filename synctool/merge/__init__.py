"""The merge engine: pure functions from three trees to a plan.

``build_plan`` classifies every path across base/theirs/ours (with rename
detection) and picks its outcome; ``apply_plan_to_tree`` shows the result.
Rendering, git, the disk and the terminal live elsewhere.
"""

from __future__ import annotations

from synctool.merge.plan import (
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
from synctool.merge.types import Action, ContentMerge, Labels

__all__ = [
    "DEFAULT_THRESHOLD",
    "SIDE_SUFFIX",
    "Action",
    "ContentMerge",
    "Labels",
    "MergeFn",
    "Plan",
    "PlanEntry",
    "Rename",
    "SideFile",
    "apply_plan_to_tree",
    "build_plan",
    "check_path",
    "find_exact_renames",
    "find_renames",
    "is_safe_path",
    "similarity",
    "two_way_conflict",
]
