"""The outcome of one path by which sides hold it (the table of the package docstring)."""

from __future__ import annotations

from synctool.merge.plan.compare import (
    base_match,
    changed,
    is_link,
    merged_mode,
    same_text,
    with_eol_of,
)
from synctool.merge.plan.content import content_merge
from synctool.merge.plan.context import Base, Ctx, Outcome, side_path
from synctool.tree import LOCAL_SUFFIX, FileEntry, Ownership


def removed(ctx: Ctx, own: Ownership, b: Base, o: FileEntry | None) -> Outcome:
    if o is None:
        return Outcome("removed in blueprint and here")
    if own == "seeded":
        return Outcome("seeded: kept (removed in blueprint)")
    if base_match(b, o.data) and b.mode in (None, o.mode):
        return Outcome("removed in blueprint", delete=True)
    # Deleting would lose the user's edits; keeping them is the user's call.
    return Outcome(f"removed in {ctx.labels.theirs}, modified here", conflicts=1)


def missing_here(own: Ownership, b: Base | None, t: FileEntry) -> Outcome:
    if b is None:
        return Outcome("added in blueprint", t)  # new to the service, even if seeded
    if own == "seeded":
        return Outcome("seeded: deleted here, not recreated")
    if not changed(b, t):
        return Outcome("deleted here")
    if own == "managed":
        return Outcome("managed file deleted here: recreated from blueprint", t)
    return Outcome("deleted here; blueprint changes to it not applied")


def both_present(
    ctx: Ctx, path: str, own: Ownership, b: Base | None, o: FileEntry, t: FileEntry
) -> Outcome:
    if is_link(o) != is_link(t) or (
        is_link(o) and o.data != t.data and (b is None or base_match(b, o.data) != 2)
    ):
        # A symlink against a file (or two different links): no content merge
        # makes sense. Keep ours; the blueprint's version goes beside it.
        if b is not None and base_match(b, o.data) == 2 and b.mode in (None, o.mode):
            return Outcome("changed in blueprint", t)
        why = "a symlink on one side, a file on the other"
        if is_link(o) and is_link(t):
            why = "symlink changed on both sides"
        side = f"{why}: blueprint version written to {side_path(ctx, path)}"
        return Outcome(side, conflicts=1, driver="binary", side=t)
    if b is None:
        if same_text(o.data, t.data):
            return Outcome("added on both sides, identical")
        if own == "seeded":
            return Outcome("seeded: kept (also added in blueprint)")
        if own == "managed":
            # Ours was never the blueprint's: it may be a local, even ignored,
            # file with no copy anywhere. Never replace it silently.
            why = f"managed file already here: blueprint version written to {side_path(ctx, path)}"
            return Outcome(why, conflicts=1, driver="binary", side=t)
        return content_merge(ctx, path, None, o, t, o.mode, "added on both sides")
    if own == "seeded" and changed(b, t):
        return Outcome("seeded: blueprint changes not applied")
    mode = merged_mode(b, o, t)
    ours_match = base_match(b, o.data)
    if base_match(b, t.data) == 2:
        data, why = o.data, "unchanged" if ours_match else "changed here only"
    elif ours_match:
        # Ours differing from base by line endings only is a CRLF checkout.
        data = t.data if ours_match == 2 else with_eol_of(t.data, o.data)
        why = "changed in blueprint"
    elif same_text(o.data, t.data):
        data, why = o.data, "same change on both sides"
    elif own == "managed":
        # The team's edits are kept beside it for them to decide, never lost.
        local = side_path(ctx, path, LOCAL_SUFFIX)
        why = f"managed file edited here: blueprint version written, yours kept in {local}"
        out = FileEntry(t.data, mode)
        return Outcome(why, out, conflicts=1, side=o, side_holds_ours=True)
    else:
        return content_merge(ctx, path, b, o, t, mode, "changed on both sides")
    if data == o.data and mode != o.mode:
        why = "mode changed in blueprint"
    return Outcome(why, FileEntry(data, mode))
