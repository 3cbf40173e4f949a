"""A path both sides changed: merged by its driver, kept, or a conflict."""

from __future__ import annotations

from synctool.merge.derived import source_paths
from synctool.merge.plan.context import Base, Ctx, Outcome, drivers_merge, side_path
from synctool.merge.plan.twoway import two_way_conflict
from synctool.tree import FileEntry


def content_merge(
    ctx: Ctx,
    path: str,
    b: Base | None,
    o: FileEntry,
    t: FileEntry,
    mode: int,
    what: str,
) -> Outcome:
    driver = ctx.driver_for(path, o.data)
    if driver != "binary" and ctx.driver_for(path, t.data) == "binary":
        driver = "binary"  # a text driver would mangle theirs' bytes
    if driver == "binary":
        why = f"{what} (binary): blueprint version written to {side_path(ctx, path)}"
        return Outcome(why, conflicts=1, driver=driver, side=t)
    rule = ctx.derived(path)
    if rule is not None:
        # Spliced lock text is garbage that parses: keep the team's file;
        # the plan's `regenerate` says how to bring it up to date.
        names = ", ".join(source_paths(path, rule))
        return Outcome(f"{what}: computed from {names}, yours kept (not merged)")
    if b is not None and b.data is None:
        # Fallback mode: merging without the base could silently resurrect or
        # drop lines, so both versions are shown for the user to pick.
        data = two_way_conflict(o.data, t.data, ctx.labels)
        why = f"{what}; base unavailable: two-way conflict"
        return Outcome(why, FileEntry(data, mode), conflicts=1, driver="text")
    base = b.data if b else None
    merge = ctx.merge or drivers_merge()
    cm = merge(driver, base, o.data, t.data, ctx.labels, ctx.identity_keys)
    done = f"{cm.conflicts} conflict(s)" if cm.conflicts else "merged"
    why = f"{what}: {done}" + (f" ({cm.note})" if cm.note else "")
    result = FileEntry(cm.data, mode)
    return Outcome(why, result, conflicts=cm.conflicts, merged=True, driver=cm.driver)
