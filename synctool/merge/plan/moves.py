"""Files the blueprint or the user moved, and files a moved folder left behind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from synctool.merge.plan.context import Base, Ctx, Outcome
from synctool.merge.plan.entries import resolve, to_entry
from synctool.merge.records import LeftBehind, PlanEntry
from synctool.merge.renames import digest, find_exact_renames, find_renames
from synctool.tree import FileEntry, Tree


def pair_moves(
    bases: Mapping[str, Base],
    olds: list[str],
    side: Tree,
    news: list[str],
    exact: bool,
    threshold: float,
) -> dict[str, str]:
    if not olds or not news:
        return {}
    if exact:
        found = find_exact_renames(
            {p: bases[p].sha for p in olds}, {p: digest(side[p].data) for p in news}
        )
    else:
        found = find_renames(
            {p: bases[p].data or b"" for p in olds},
            {p: side[p].data for p in news},
            threshold=threshold,
        )
    return {r.old: r.new for r in found}


def blueprint_move(
    ctx: Ctx, p: str, tp: str, b: Base, ours: Tree, t: FileEntry
) -> list[PlanEntry]:
    """The blueprint moved ``p`` to ``tp``: carry ours (and its edits) along."""
    why = f"moved in blueprint from {p}"
    if tp in ours:  # the user moved it already (or made one): merge in place
        out = [resolve(ctx, tp, b, ours[tp], t, tp, why)]
        if p in ours:  # and the old copy is a plain removal
            out.append(resolve(ctx, p, b, ours[p], None, None))
        return out
    if p not in ours:
        return [resolve(ctx, tp, b, None, t, tp, why)]
    if ctx.ownership(tp) == "seeded":  # never touched after init, not even moved
        kept = Outcome(f"seeded: left here (blueprint moved it to {tp})")
        return [to_entry(ctx, p, "seeded", ours[p], kept, tp)]
    return [resolve(ctx, tp, b, ours[p], t, tp, why, old_path=p)]


def left_behind(
    entries: Sequence[PlanEntry], ours: Tree, theirs: Tree
) -> tuple[LeftBehind, ...]:
    """The service's own files in folders the blueprint moved away whole
    (a renamed package: `src/orders/` to `src/billing/`), which nothing
    moves: named, so that no module is silently stranded."""
    moves: dict[str, str] = {}
    for e in entries:
        if e.action == "rename" and e.old_path is not None:
            old, new = _folder(e.old_path), _folder(e.path)
            if old != new and old:
                moves.setdefault(old, new)
    if not moves:
        return ()
    gone = {e.old_path for e in entries if e.old_path} | {
        e.path for e in entries if e.action == "delete"
    }
    touched = {e.path for e in entries}
    found = []
    for folder, target in sorted(moves.items()):
        if any(folder.startswith(other + "/") for other in moves):
            continue  # named with the outer folder the blueprint moved
        prefix = folder + "/"
        if any(p.startswith(prefix) for p in theirs):
            continue  # the blueprint still has files there: not moved away
        mine = tuple(
            sorted(
                p
                for p in ours
                if p.startswith(prefix) and p not in gone and p not in touched
            )
        )
        if mine:
            found.append(LeftBehind(folder, target, mine))
    return tuple(found)


def _folder(path: str) -> str:
    return path.rpartition("/")[0]
