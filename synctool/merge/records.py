"""The plan's records: what the planner decides per path, and how it reads.

Kept apart from the planner (``merge/plan/``) so that code which only reads a
plan (the sync command, the fleet, reports) needs none of its machinery.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple, Protocol

from synctool.merge.types import Action, ContentMerge, Labels
from synctool.tree import Driver, FileEntry, Ownership, Tree, is_safe_path


class MergeFn(Protocol):
    """A content merge: ``synctool.merge.drivers.merge_content`` or a test fake."""

    def __call__(
        self,
        driver: Driver,
        base: bytes | None,
        ours: bytes,
        theirs: bytes,
        labels: Labels,
        identity_keys: Sequence[str] = ...,
    ) -> ContentMerge: ...


class SideFile(NamedTuple):
    """A version written beside the file at a conflicting path."""

    path: str
    entry: FileEntry
    # "blueprint": the blueprint's version beside ours (<path>.blueprint);
    # "yours": the team's version of a managed file beside the blueprint's
    # (<path>.local), which is then at the path.
    holds: Literal["blueprint", "yours"] = "blueprint"


class PlanEntry(NamedTuple):
    path: str  # where the file ends up in the service
    action: Action
    driver: Driver
    ownership: Ownership
    reason: str  # short, human: "removed in blueprint, modified here"
    conflicts: int = 0
    result: FileEntry | None = None  # what to write at path; None: write nothing
    old_path: str | None = None  # a move: ours' file at old_path goes to path
    side_file: SideFile | None = None  # a conflict's other version, beside it
    theirs_path: str | None = None  # the blueprint's path for it (None: not in theirs)

    @property
    def changes_tree(self) -> bool:
        return (
            self.action == "delete"
            or self.result is not None
            or self.old_path is not None
            or self.side_file is not None
        )


class Regenerate(NamedTuple):
    """A derived file the sync left out of date with its sources."""

    path: str
    sources: tuple[str, ...]  # service paths it is computed from
    command: str
    folder: str  # where to run the command ("" = the service root)
    kept: str  # "yours" or "blueprint": whose version the sync left there


class LeftBehind(NamedTuple):
    """Files of the service's own in a folder the blueprint moved away (an
    answer that renamed the package): they stay where they are."""

    folder: str  # the folder the blueprint's files left
    moved_to: str  # where they went
    paths: tuple[str, ...]  # the service's files still in ``folder``


class Plan(NamedTuple):
    entries: tuple[PlanEntry, ...]  # sorted by path, one per path
    fallback: bool = False  # base unavailable: merged from the lock's hashes
    # derived files (locks) left out of date with their sources, and the
    # command that brings each up to date
    regenerate: tuple[Regenerate, ...] = ()
    left_behind: tuple[LeftBehind, ...] = ()

    @property
    def conflicts(self) -> tuple[PlanEntry, ...]:
        return tuple(e for e in self.entries if e.action == "conflict")

    @property
    def conflict_count(self) -> int:
        return sum(e.conflicts for e in self.entries)

    @property
    def changes(self) -> tuple[PlanEntry, ...]:
        return tuple(e for e in self.entries if e.changes_tree)

    @property
    def is_noop(self) -> bool:
        """Nothing to write (a plan may still hold conflicts that write nothing)."""
        return not any(e.changes_tree for e in self.entries)


def check_path(path: str) -> str:
    """``path`` if relative POSIX, without ``..``, outside ``.git``; else ValueError."""
    if not is_safe_path(path):
        raise ValueError(f"unsafe path for a merge: {path!r}")
    return path


def apply_plan_to_tree(ours: Tree, plan: Plan) -> dict[str, FileEntry]:
    """The working tree after ``plan``: moves and deletes first, then writes."""
    tree = dict(ours)
    for e in plan.entries:
        if e.old_path is not None:
            tree.pop(e.old_path, None)
        if e.action == "delete":
            tree.pop(e.path, None)
    for e in plan.entries:
        if e.result is not None:
            tree[e.path] = e.result
        if e.side_file is not None:
            tree[e.side_file.path] = e.side_file.entry
    return tree
