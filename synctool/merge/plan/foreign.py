"""Paths inside another git repository (a submodule), which the plan never writes."""

from __future__ import annotations

from collections.abc import Collection

from synctool.merge.records import PlanEntry


def not_ours(entry: PlanEntry, foreign: Collection[str]) -> PlanEntry:
    """An entry that would write inside another git repository: a conflict
    that writes nothing (that repository's history is its own)."""
    touched = [entry.path, entry.old_path, entry.side_file and entry.side_file.path]
    inside = [
        repo
        for repo in foreign
        for path in touched
        if path is not None and path.startswith(repo + "/")
    ]
    if not inside or not entry.changes_tree:
        return entry
    why = (
        f"inside {inside[0]}/, another git repository (a submodule or nested "
        f"repository): not written (would {entry.action}: {entry.reason})"
    )
    return entry._replace(
        action="conflict",
        reason=why,
        conflicts=max(entry.conflicts, 1),
        result=None,
        old_path=None,
        side_file=None,
    )
