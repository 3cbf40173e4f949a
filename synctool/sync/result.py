"""What a sync did, typed: what `sync`, `update` and `diff` print (as text
or as the JSON document) and what `fleet update` records."""

from __future__ import annotations

from typing import Any, NamedTuple

from synctool.merge.plan import Plan, PlanEntry
from synctool.service.journal import Kept
from synctool.service.lock import Lock
from synctool.sync.prepare import Prepared


class SyncResult(NamedTuple):
    previous: Lock  # the lock before
    lock: Lock  # the lock after (the previous one when nothing was to do)
    plan: Plan
    dry_run: bool
    noop: bool  # already at the target: nothing planned, nothing written
    base_note: str = ""  # why the merge fell back to the lock's hashes
    kept: tuple[Kept, ...] = ()  # edits a resumed sync kept beside themselves
    pending: tuple[str, ...] = ()  # changes in nested repositories, not applied
    prepared: Prepared | None = None  # the planned writes (None: a no-op)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.noop

    @property
    def changed(self) -> list[PlanEntry]:
        return [e for e in self.plan.entries if e.action != "keep"]

    @property
    def conflicts(self) -> list[str]:
        """Every path that needs the team's decision."""
        return (
            [e.path for e in self.plan.conflicts]
            + [k.kept for k in self.kept if k.kept != k.path]
            + list(self.pending)
        )

    @property
    def needs_decision(self) -> bool:
        """Conflicts, edits kept beside themselves, or nested changes left."""
        return bool(self.plan.conflicts or self.kept or self.pending)

    @property
    def beside(self) -> list[str]:
        """The versions kept beside a file for the team to decide (`.local`,
        `.blueprint`), sorted."""
        return sorted(
            {e.side_file.path for e in self.changed if e.side_file is not None}
            | {k.kept for k in self.kept if k.kept != k.path}
        )

    def as_json(self) -> dict[str, Any]:
        """The document `--format json` prints."""

        def side(lock: Lock) -> dict[str, Any]:
            return {"ref": lock.ref, "version": lock.version, "commit": lock.commit}

        return {
            "from": side(self.previous),
            "to": side(self.lock),
            "dry_run": self.dry_run,
            "noop": self.noop,
            "fallback": self.plan.fallback,
            "fallback_reason": self.base_note or None,
            # the edits a resumed sync kept beside themselves are conflicts too
            "conflicts": self.conflicts,
            "kept": [{"path": k.path, "kept": k.kept} for k in self.kept],
            "entries": [_entry_json(e) for e in self.changed],
            "written": self.written,
            "left_behind": [
                {"folder": x.folder, "moved_to": x.moved_to, "paths": list(x.paths)}
                for x in self.plan.left_behind
            ],
            "regenerate": [
                {
                    "path": r.path,
                    "from": list(r.sources),
                    "command": r.command,
                    "folder": r.folder,
                    "kept": r.kept,
                }
                for r in self.plan.regenerate
            ],
        }


def _entry_json(e: PlanEntry) -> dict[str, Any]:
    return {
        "path": e.path,
        "action": e.action,
        "driver": e.driver,
        "ownership": e.ownership,
        "conflicts": e.conflicts,
        "reason": e.reason,
        "old_path": e.old_path,
        "side_file": e.side_file.path if e.side_file else None,
        "side_file_holds": e.side_file.holds if e.side_file else None,
    }
