"""One path's outcome turned into the plan's entry for it."""

from __future__ import annotations

from synctool.merge.plan.context import Base, Ctx, Outcome, side_path
from synctool.merge.plan.outcomes import both_present, missing_here, removed
from synctool.merge.records import PlanEntry, SideFile
from synctool.merge.types import Action
from synctool.tree import LOCAL_SUFFIX, FileEntry, Ownership


def resolve(
    ctx: Ctx,
    path: str,
    b: Base | None,
    o: FileEntry | None,
    t: FileEntry | None,
    theirs_path: str | None,
    why: str = "",
    *,
    old_path: str | None = None,
) -> PlanEntry:
    """One path's outcome: b/o/t are base, ours and theirs (None: absent)."""
    own = ctx.ownership(theirs_path or path)  # a moved file keeps its class
    if t is None:
        assert b is not None  # a path from neither base nor theirs gets no entry
        outcome = removed(ctx, own, b, o)
    elif o is None:
        outcome = missing_here(own, b, t)
    else:
        outcome = both_present(ctx, path, own, b, o, t)
    if why:
        outcome = outcome._replace(reason=f"{why}: {outcome.reason}")
    return to_entry(ctx, path, own, o, outcome, theirs_path, old_path)


def to_entry(
    ctx: Ctx,
    path: str,
    own: Ownership,
    o: FileEntry | None,
    out: Outcome,
    theirs_path: str | None,
    old_path: str | None = None,
) -> PlanEntry:
    result = out.result
    if old_path is not None and result is None:
        result = o  # a move writes ours at the new path even when unchanged
    action: Action
    if out.delete:
        action, result = "delete", None
    elif out.conflicts:
        action = "conflict"
    elif old_path is not None:
        action = "rename"
    elif result is None or result == o:
        action, result = "keep", None
    elif o is None:
        action = "create"
    else:
        action = "merge" if out.merged else "update"
    shown = result or o
    driver = out.driver or ctx.driver_for(path, shown.data if shown else b"")
    side = None
    if out.side is not None and out.side_holds_ours:
        side = SideFile(side_path(ctx, path, LOCAL_SUFFIX), out.side, "yours")
    elif out.side is not None:
        side = SideFile(side_path(ctx, path), out.side)
    return PlanEntry(
        path,
        action,
        driver,
        own,
        out.reason,
        out.conflicts,
        result,
        old_path,
        side,
        theirs_path,
    )
