"""The merge step of a sync: the service as it is now, the two rendered
sides, the plan the engine makes of them, and the files it would write."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from synctool.blueprint.tasks import TemplateCode
from synctool.check import drift
from synctool.merge.plan import Plan, build_plan
from synctool.merge.types import Labels
from synctool.service import worktree
from synctool.service.declared import redeclare
from synctool.service.lock import Lock, dump_lock
from synctool.service.names import DECLARED, LOCK
from synctool.sync.answersfile import align_base, answers_path
from synctool.sync.labels import answer_changes, version_label
from synctool.sync.newlock import new_lock
from synctool.sync.renders import Sides
from synctool.sync.target import Target
from synctool.tree import Driver, FileEntry


class Prepared(NamedTuple):
    """A planned sync: nothing written yet."""

    plan: Plan
    lock: Lock  # the lock after this sync
    previous: Lock
    writes: dict[str, FileEntry | None]  # path -> new entry, None = delete
    ours: Mapping[str, FileEntry]  # the working tree as read (for diffs)
    root: Path
    base_note: str = ""  # why the base was not rendered (fallback), else ""
    code: TemplateCode = TemplateCode()  # the declared version's tasks/migrations


def prepare(root: Path, target: Target, previous: Lock, sides: Sides) -> Prepared:
    """Read the service, merge, and compose every write (the new lock, and
    `.synctool.yml` when the declaration moves)."""
    theirs, base, applied = sides.theirs, sides.base, sides.policy
    paths = set(worktree.list_files(root)) | set(theirs.tree) | set(previous.files)
    if base is not None:
        paths |= set(base.tree)
    ours = worktree.WorkTree(root, paths)
    foreign = worktree.nested_repos(root, paths)  # submodules: never written

    def driver_for(path: str, data: bytes) -> Driver:
        from synctool.merge.drivers import default_driver

        return applied.driver(path, data) or default_driver(path, data)

    was, now = answer_changes(previous.answers, theirs.answers)
    applied_label = version_label(previous.version, previous.ref, previous.commit)
    target_label = version_label(sides.version, target.ref, theirs.commit)
    base_tree = None
    if base is not None:  # copier's answers file, spelt as the service spells it
        base_tree = align_base(base.tree, ours, answers_path(theirs.code))
    plan = build_plan(
        base_tree,
        theirs.tree,
        ours,
        # a managed file whose drift is waived is merged (policy.for_merge)
        ownership=applied.for_merge(target.declared.doc.get("waivers")),
        driver_for=driver_for,
        labels=Labels(
            ours="service (working tree)",
            base=f"blueprint {applied_label}{was}",
            theirs=f"blueprint {target_label}{now}",
        ),
        base_hashes={p: f.sha256 for p, f in previous.files.items()},
        base_modes={p: f.mode for p, f in previous.files.items()},
        identity_keys=applied.identity_keys,
        foreign=foreign,
        occupied=ours.occupied,
        derived=applied.derived_rule,
    )
    writes = _writes(plan)
    ignores = worktree.gitignores_after(ours, writes)  # what the lock never hashes
    lock = new_lock(
        sides.source.recorded,
        target.ref,
        theirs,
        sides.source.bundled_version,
        applied,
        ignores,
    )
    # What is left to resolve, where it was written: `check` reports it there.
    left = drift.left_to_resolve(
        root, plan, writes, previous.conflicts, foreign, lock.files
    )
    lock = lock._replace(conflicts=left)
    writes[LOCK] = FileEntry(dump_lock(lock).encode())
    if target.rewrite_declared or theirs.answers != target.declared.answers:
        declared_ref = target.ref if target.rewrite_declared else target.declared.ref
        text = redeclare(target.declared, declared_ref, theirs.answers)
        writes[DECLARED] = FileEntry(text.encode())
    return Prepared(
        plan, lock, previous, writes, ours, root, sides.base_note, theirs.code
    )


def _writes(plan: Plan) -> dict[str, FileEntry | None]:
    writes: dict[str, FileEntry | None] = {}
    for entry in plan.entries:
        if entry.old_path is not None:
            writes.setdefault(entry.old_path, None)
        if entry.action == "delete":
            writes[entry.path] = None
        if entry.result is not None:
            writes[entry.path] = entry.result
        if entry.side_file is not None:
            writes[entry.side_file.path] = entry.side_file.entry
    return writes
