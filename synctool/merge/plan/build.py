"""The entry of the planner: every path of the three trees given its outcome."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from synctool.merge.derived import RuleFor, out_of_date
from synctool.merge.plan.compare import changed
from synctool.merge.plan.context import Base, Ctx
from synctool.merge.plan.entries import resolve
from synctool.merge.plan.foreign import not_ours
from synctool.merge.plan.moves import blueprint_move, left_behind, pair_moves
from synctool.merge.records import MergeFn, Plan, PlanEntry, check_path
from synctool.merge.renames import DEFAULT_THRESHOLD
from synctool.merge.types import Labels
from synctool.tree import DEFAULT_IDENTITY_KEYS, Driver, Ownership, Tree, is_safe_path


def build_plan(
    base: Tree | None,
    theirs: Tree,
    ours: Tree,
    *,
    ownership: Callable[[str], Ownership],
    driver_for: Callable[[str, bytes], Driver],
    labels: Labels = Labels(),  # noqa: B008 - an immutable NamedTuple
    base_hashes: Mapping[str, str | None] | None = None,
    base_modes: Mapping[str, int] | None = None,
    identity_keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
    merge: MergeFn | None = None,
    rename_threshold: float = DEFAULT_THRESHOLD,
    foreign: Collection[str] = (),
    occupied: Callable[[str], bool] | None = None,
    derived: RuleFor | None = None,
) -> Plan:
    """Decide every path's outcome (the table in the package's docstring).

    ``base`` None is the fallback for a base that can no longer be rendered:
    ``base_hashes`` (path -> sha256 hex, from the lock) tells whether a side
    changed a file, ``base_modes`` (optional) whether it changed its mode; a
    file locked without a hash (None: it held a secret) counts as not in base.
    ``foreign``: folders of the service that are other git repositories
    (submodules, nested repositories); nothing under them is written.
    ``occupied``: whether a path holds a file no tree lists (an ignored
    one), so that no side file is written over it.
    ``ours`` should hold the service files that may be renamed blueprint files
    (at least every file not ignored); files only in ours get no entry.
    ``derived``: the rule of a file computed from others (``uv.lock``), which
    is kept rather than merged when both sides changed it; the plan's
    ``regenerate`` lists those it leaves out of date with their sources.
    """
    if base is None and base_hashes is None:
        raise ValueError("build_plan needs base, or base_hashes for the fallback")
    bases = _bases(base, base_hashes or {}, base_modes or {})
    for path in (*bases, *theirs):  # ours is only written where these are
        check_path(path)
    ctx = Ctx(
        ownership,
        driver_for,
        labels,
        identity_keys,
        merge,
        frozenset((*bases, *theirs, *ours)),
        occupied or (lambda path: False),
        derived or (lambda path: None),
    )
    exact = base is None  # without base content only identical files pair up

    # Blueprint moves: base-only paths vs theirs-only paths.
    gone = [p for p in bases if p not in theirs]
    new = [p for p in theirs if p not in bases]
    moved = pair_moves(bases, gone, theirs, new, exact, rename_threshold)
    counterpart = {p: p if p in theirs else moved.get(p) for p in bases}

    # User moves, only where the blueprint changed the file (else the move
    # needs nothing): base paths missing here vs paths only here.
    lost = [
        p
        for p, tp in counterpart.items()
        if p not in ours
        and tp is not None
        and tp not in ours
        and changed(bases[p], theirs[tp])
    ]
    # Only safe paths of ours may become targets (ours may hold anything).
    mine = [q for q in ours if q not in bases and q not in theirs] if lost else []
    mine = [q for q in mine if is_safe_path(q)]
    user_moved = pair_moves(bases, lost, ours, mine, exact, rename_threshold)

    entries: list[PlanEntry] = []
    for p, b in bases.items():
        tp = counterpart[p]
        if p in user_moved:
            q = user_moved[p]
            assert tp is not None
            entries.append(
                resolve(ctx, q, b, ours[q], theirs[tp], tp, f"moved here from {p}")
            )
        elif tp is None or tp == p:
            entries.append(resolve(ctx, p, b, ours.get(p), theirs.get(p), tp))
        else:
            entries += blueprint_move(ctx, p, tp, b, ours, theirs[tp])
    targets = set(moved.values())
    entries += (
        resolve(ctx, p, None, ours.get(p), theirs[p], p)
        for p in new
        if p not in targets
    )
    if foreign:
        entries = [not_ours(e, foreign) for e in entries]
    entries.sort(key=lambda e: e.path)
    done = tuple(entries)
    stale = out_of_date(done, ours, theirs, derived) if derived else ()
    behind = left_behind(done, ours, theirs)
    return Plan(done, fallback=base is None, regenerate=stale, left_behind=behind)


def _bases(
    base: Tree | None, hashes: Mapping[str, str | None], modes: Mapping[str, int]
) -> dict[str, Base]:
    if base is not None:
        # The digest is only needed for renames: computed there, on demand.
        return {p: Base(e.data, "", e.mode) for p, e in base.items()}
    return {
        p: Base(None, sha, modes.get(p)) for p, sha in hashes.items() if sha is not None
    }
