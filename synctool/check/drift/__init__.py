"""The checks `check` makes besides the blueprint's rules: synctool's own.

Declared vs applied, managed files against their locked hashes, and conflict
markers left by a sync. Pure over the lock, the declared file and the files
(and, for a sync, what its plan leaves to resolve: ``left_to_resolve``), but
for a look at which folders are other git repositories (``nested_repos``).
"""

from synctool.check.drift.declared import declared_vs_applied
from synctool.check.drift.managed import managed_drift
from synctool.check.drift.markers import conflict_markers, left_to_resolve, marker_line
from synctool.check.drift.nested import (
    applied,
    inside,
    nested_repos,
    not_applied,
    same_content,
)
from synctool.check.drift.originals import Originals, edit_excerpt, first_changed_line
from synctool.check.drift.pending import interrupted

__all__ = [
    "Originals",
    "applied",
    "conflict_markers",
    "declared_vs_applied",
    "edit_excerpt",
    "first_changed_line",
    "inside",
    "interrupted",
    "left_to_resolve",
    "managed_drift",
    "marker_line",
    "nested_repos",
    "not_applied",
    "same_content",
]
