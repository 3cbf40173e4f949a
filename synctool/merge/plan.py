"""The merge planner: what sync does to each path, decided before any write.

Pure: three trees in (base = the blueprint rendered at the applied version,
theirs = at the declared version, ours = the service), one Plan out. Moves
are paired first (a user's edits follow a file the blueprint moved; blueprint
changes follow a file the user moved), then each path gets one outcome.
Content merges go to an injectable driver function.

  base ours theirs  case                   merged          managed     seeded
  -    -    T       added in blueprint     create          create      create
  -    O    T       added on both sides    merge(no base)  take T      keep
  B    O    T       T == B                 keep            keep*       keep
  B    B    T       changed in blueprint   take T          take T      keep
  B    O    O       same change            keep            keep        keep
  B    O    T       changed on both sides  merge/conflict  T, O beside keep
  B    -    T       deleted here           keep**          create***   keep
  B    B    -       removed in blueprint   delete          delete      keep
  B    O    -       removed, edited here   conflict        conflict    keep

  *   local edits of a managed file are drift: `check` reports them
  **  stays deleted; *** recreated only if the blueprint changed it
  T, O beside: a conflict; the blueprint's version at the path, ours kept
  beside it (<path>.local) for the team to decide: never silently replaced.
  (A managed file whose drift the service waived comes in as merged.)
  Paths inside another git repository (``foreign``: a submodule, a nested
  repository) are never written: a change there is a conflict, not a write.
  Modes: ours', unless theirs changed it. Binary changed on both sides: keep
  ours, write theirs beside it (<path>.blueprint). No base (fallback, lock
  hashes only): changed on both sides is a two-way conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import NamedTuple

from synctool.merge import eol
from synctool.merge.derived import RuleFor, out_of_date, source_paths
from synctool.merge.records import (
    LOCAL_SUFFIX,
    LeftBehind,
    MergeFn,
    Plan,
    PlanEntry,
    SideFile,
    apply_plan_to_tree,
    check_path,
    free_name,
    is_safe_path,
)
from synctool.merge.renames import (
    DEFAULT_THRESHOLD,
    digest,
    find_exact_renames,
    find_renames,
)
from synctool.merge.types import Action, ContentMerge, Labels
from synctool.tree import DEFAULT_IDENTITY_KEYS, Driver, FileEntry, Ownership, Tree

__all__ = [  # the records are re-exported: callers import them from here
    "DEFAULT_IDENTITY_KEYS",
    "LOCAL_SUFFIX",
    "SIDE_SUFFIX",
    "MergeFn",
    "Plan",
    "PlanEntry",
    "SideFile",
    "apply_plan_to_tree",
    "build_plan",
    "check_path",
    "is_safe_path",
    "two_way_conflict",
]

SIDE_SUFFIX = ".blueprint"  # theirs of a conflicting binary file, beside ours
SYMLINK_MODE = 0o120000  # as git and the render record a symlink


class _Base(NamedTuple):
    data: bytes | None  # None in fallback mode: only the digest is known
    sha: str
    mode: int | None  # None when the fallback has no modes


class _Outcome(NamedTuple):
    reason: str
    result: FileEntry | None = None  # None: ours stays as it is
    delete: bool = False
    conflicts: int = 0
    merged: bool = False
    driver: Driver | None = None  # set when a driver decided the content
    side: FileEntry | None = None
    side_holds_ours: bool = False  # side is ours (<path>.local), not theirs


class _Ctx(NamedTuple):
    ownership: Callable[[str], Ownership]
    driver_for: Callable[[str, bytes], Driver]
    labels: Labels
    identity_keys: Sequence[str]
    merge: MergeFn
    taken: frozenset[str]  # every path of the three trees, for naming side files
    occupied: Callable[[str], bool]  # a path on disk that no tree holds (ignored)
    derived: RuleFor  # a file computed from others (a lock): never spliced


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
    """Decide every path's outcome (the table in this module's docstring).

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
    ctx = _Ctx(
        ownership,
        driver_for,
        labels,
        identity_keys,
        merge or _merge_content,
        frozenset((*bases, *theirs, *ours)),
        occupied or (lambda path: False),
        derived or (lambda path: None),
    )
    exact = base is None  # without base content only identical files pair up

    # Blueprint moves: base-only paths vs theirs-only paths.
    gone = [p for p in bases if p not in theirs]
    new = [p for p in theirs if p not in bases]
    moved = _renames(bases, gone, theirs, new, exact, rename_threshold)
    counterpart = {p: p if p in theirs else moved.get(p) for p in bases}

    # User moves, only where the blueprint changed the file (else the move
    # needs nothing): base paths missing here vs paths only here.
    lost = [
        p
        for p, tp in counterpart.items()
        if p not in ours
        and tp is not None
        and tp not in ours
        and _changed(bases[p], theirs[tp])
    ]
    # Only safe paths of ours may become targets (ours may hold anything).
    mine = [q for q in ours if q not in bases and q not in theirs] if lost else []
    mine = [q for q in mine if is_safe_path(q)]
    user_moved = _renames(bases, lost, ours, mine, exact, rename_threshold)

    entries: list[PlanEntry] = []
    for p, b in bases.items():
        tp = counterpart[p]
        if p in user_moved:
            q = user_moved[p]
            assert tp is not None
            entries.append(
                _resolve(ctx, q, b, ours[q], theirs[tp], tp, f"moved here from {p}")
            )
        elif tp is None or tp == p:
            entries.append(_resolve(ctx, p, b, ours.get(p), theirs.get(p), tp))
        else:
            entries += _blueprint_move(ctx, p, tp, b, ours, theirs[tp])
    targets = set(moved.values())
    entries += (
        _resolve(ctx, p, None, ours.get(p), theirs[p], p)
        for p in new
        if p not in targets
    )
    if foreign:
        entries = [_not_ours(e, foreign) for e in entries]
    entries.sort(key=lambda e: e.path)
    done = tuple(entries)
    stale = out_of_date(done, ours, theirs, derived) if derived else ()
    behind = left_behind(done, ours, theirs)
    return Plan(done, fallback=base is None, regenerate=stale, left_behind=behind)


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


def _bases(
    base: Tree | None, hashes: Mapping[str, str | None], modes: Mapping[str, int]
) -> dict[str, _Base]:
    if base is not None:
        # The digest is only needed for renames: computed there, on demand.
        return {p: _Base(e.data, "", e.mode) for p, e in base.items()}
    return {
        p: _Base(None, sha, modes.get(p))
        for p, sha in hashes.items()
        if sha is not None
    }


def _not_ours(entry: PlanEntry, foreign: Collection[str]) -> PlanEntry:
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


def _renames(
    bases: Mapping[str, _Base],
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


def _blueprint_move(
    ctx: _Ctx, p: str, tp: str, b: _Base, ours: Tree, t: FileEntry
) -> list[PlanEntry]:
    """The blueprint moved ``p`` to ``tp``: carry ours (and its edits) along."""
    why = f"moved in blueprint from {p}"
    if tp in ours:  # the user moved it already (or made one): merge in place
        out = [_resolve(ctx, tp, b, ours[tp], t, tp, why)]
        if p in ours:  # and the old copy is a plain removal
            out.append(_resolve(ctx, p, b, ours[p], None, None))
        return out
    if p not in ours:
        return [_resolve(ctx, tp, b, None, t, tp, why)]
    if ctx.ownership(tp) == "seeded":  # never touched after init, not even moved
        kept = _Outcome(f"seeded: left here (blueprint moved it to {tp})")
        return [_entry(ctx, p, "seeded", ours[p], kept, tp)]
    return [_resolve(ctx, tp, b, ours[p], t, tp, why, old_path=p)]


def _resolve(
    ctx: _Ctx,
    path: str,
    b: _Base | None,
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
        outcome = _removed(ctx, own, b, o)
    elif o is None:
        outcome = _missing_here(own, b, t)
    else:
        outcome = _both_present(ctx, path, own, b, o, t)
    if why:
        outcome = outcome._replace(reason=f"{why}: {outcome.reason}")
    return _entry(ctx, path, own, o, outcome, theirs_path, old_path)


def _removed(ctx: _Ctx, own: Ownership, b: _Base, o: FileEntry | None) -> _Outcome:
    if o is None:
        return _Outcome("removed in blueprint and here")
    if own == "seeded":
        return _Outcome("seeded: kept (removed in blueprint)")
    if _match(b, o.data) and b.mode in (None, o.mode):
        return _Outcome("removed in blueprint", delete=True)
    # Deleting would lose the user's edits; keeping them is the user's call.
    return _Outcome(f"removed in {ctx.labels.theirs}, modified here", conflicts=1)


def _missing_here(own: Ownership, b: _Base | None, t: FileEntry) -> _Outcome:
    if b is None:
        return _Outcome("added in blueprint", t)  # new to the service, even if seeded
    if own == "seeded":
        return _Outcome("seeded: deleted here, not recreated")
    if not _changed(b, t):
        return _Outcome("deleted here")
    if own == "managed":
        return _Outcome("managed file deleted here: recreated from blueprint", t)
    return _Outcome("deleted here; blueprint changes to it not applied")


def _both_present(
    ctx: _Ctx, path: str, own: Ownership, b: _Base | None, o: FileEntry, t: FileEntry
) -> _Outcome:
    if _is_link(o) != _is_link(t) or (
        _is_link(o) and o.data != t.data and (b is None or _match(b, o.data) != 2)
    ):
        # A symlink against a file (or two different links): no content merge
        # makes sense. Keep ours; the blueprint's version goes beside it.
        if b is not None and _match(b, o.data) == 2 and b.mode in (None, o.mode):
            return _Outcome("changed in blueprint", t)
        why = "a symlink on one side, a file on the other"
        if _is_link(o) and _is_link(t):
            why = "symlink changed on both sides"
        side = f"{why}: blueprint version written to {_side_path(ctx, path)}"
        return _Outcome(side, conflicts=1, driver="binary", side=t)
    if b is None:
        if _same_text(o.data, t.data):
            return _Outcome("added on both sides, identical")
        if own == "seeded":
            return _Outcome("seeded: kept (also added in blueprint)")
        if own == "managed":
            # Ours was never the blueprint's: it may be a local, even ignored,
            # file with no copy anywhere. Never replace it silently.
            why = f"managed file already here: blueprint version written to {_side_path(ctx, path)}"
            return _Outcome(why, conflicts=1, driver="binary", side=t)
        return _content_merge(ctx, path, None, o, t, o.mode, "added on both sides")
    if own == "seeded" and _changed(b, t):
        return _Outcome("seeded: blueprint changes not applied")
    mode = _mode(b, o, t)
    ours_match = _match(b, o.data)
    if _match(b, t.data) == 2:
        data, why = o.data, "unchanged" if ours_match else "changed here only"
    elif ours_match:
        # Ours differing from base by line endings only is a CRLF checkout.
        data = t.data if ours_match == 2 else _with_eol_of(t.data, o.data)
        why = "changed in blueprint"
    elif _same_text(o.data, t.data):
        data, why = o.data, "same change on both sides"
    elif own == "managed":
        # The team's edits are kept beside it for them to decide, never lost.
        local = _side_path(ctx, path, LOCAL_SUFFIX)
        why = f"managed file edited here: blueprint version written, yours kept in {local}"
        out = FileEntry(t.data, mode)
        return _Outcome(why, out, conflicts=1, side=o, side_holds_ours=True)
    else:
        return _content_merge(ctx, path, b, o, t, mode, "changed on both sides")
    if data == o.data and mode != o.mode:
        why = "mode changed in blueprint"
    return _Outcome(why, FileEntry(data, mode))


def _content_merge(
    ctx: _Ctx,
    path: str,
    b: _Base | None,
    o: FileEntry,
    t: FileEntry,
    mode: int,
    what: str,
) -> _Outcome:
    driver = ctx.driver_for(path, o.data)
    if driver != "binary" and ctx.driver_for(path, t.data) == "binary":
        driver = "binary"  # a text driver would mangle theirs' bytes
    if driver == "binary":
        why = f"{what} (binary): blueprint version written to {_side_path(ctx, path)}"
        return _Outcome(why, conflicts=1, driver=driver, side=t)
    rule = ctx.derived(path)
    if rule is not None:
        # Spliced lock text is garbage that parses: keep the team's file;
        # the plan's `regenerate` says how to bring it up to date.
        names = ", ".join(source_paths(path, rule))
        return _Outcome(f"{what}: computed from {names}, yours kept (not merged)")
    if b is not None and b.data is None:
        # Fallback mode: merging without the base could silently resurrect or
        # drop lines, so both versions are shown for the user to pick.
        data = two_way_conflict(o.data, t.data, ctx.labels)
        why = f"{what}; base unavailable: two-way conflict"
        return _Outcome(why, FileEntry(data, mode), conflicts=1, driver="text")
    base = b.data if b else None
    cm = ctx.merge(driver, base, o.data, t.data, ctx.labels, ctx.identity_keys)
    done = f"{cm.conflicts} conflict(s)" if cm.conflicts else "merged"
    why = f"{what}: {done}" + (f" ({cm.note})" if cm.note else "")
    result = FileEntry(cm.data, mode)
    return _Outcome(why, result, conflicts=cm.conflicts, merged=True, driver=cm.driver)


def _entry(
    ctx: _Ctx,
    path: str,
    own: Ownership,
    o: FileEntry | None,
    out: _Outcome,
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
        side = SideFile(_side_path(ctx, path, LOCAL_SUFFIX), out.side, "yours")
    elif out.side is not None:
        side = SideFile(_side_path(ctx, path), out.side)
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


def two_way_conflict(ours: bytes, theirs: bytes, labels: Labels) -> bytes:
    """Git-style markers around the differing middle of two versions, no base."""
    a = eol.to_lf(ours).splitlines(keepends=True)
    b = eol.to_lf(theirs).splitlines(keepends=True)
    head = tail = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    out = b"".join(a[:head])
    out += f"<<<<<<< {labels.ours}\n".encode() + _block(a[head : len(a) - tail])
    out += b"=======\n" + _block(b[head : len(b) - tail])
    out += f">>>>>>> {labels.theirs}\n".encode() + b"".join(a[len(a) - tail :])
    return eol.to_newline(out, eol.choose_newline(ours, theirs))


def _block(lines: list[bytes]) -> bytes:
    text = b"".join(lines)
    return text + b"\n" if text and not text.endswith(b"\n") else text


def _is_link(entry: FileEntry) -> bool:
    return entry.mode == SYMLINK_MODE


def _changed(b: _Base, t: FileEntry) -> bool:
    """Whether the blueprint changed a file's content or mode since base."""
    return _match(b, t.data) != 2 or b.mode not in (None, t.mode)


def _mode(b: _Base, o: FileEntry, t: FileEntry) -> int:
    """Ours' mode, unless the blueprint changed it (e.g. made a script executable)."""
    if b.mode is None:  # fallback without modes: never drop an exec bit, add theirs
        return o.mode | (t.mode & 0o111)
    return t.mode if t.mode != b.mode else o.mode


def _match(b: _Base, data: bytes) -> int:
    """2: ``data`` is base byte for byte; 1: up to line endings; 0: changed."""
    if b.data is not None:
        return 2 if data == b.data else int(_same_text(data, b.data))
    if digest(data) == b.sha:
        return 2
    crlf = eol.CRLF in data and b"\0" not in data
    return int(crlf and digest(eol.to_lf(data)) == b.sha)


def _same_text(a: bytes, b: bytes) -> bool:
    if a == b:
        return True
    text = b"\r" in a + b and b"\0" not in a + b
    return text and eol.to_lf(a) == eol.to_lf(b)


def _with_eol_of(data: bytes, like: bytes) -> bytes:
    """``data`` written with the line endings of ``like`` (a CRLF checkout)."""
    if b"\0" in data:
        return data
    return eol.to_newline(eol.to_lf(data), eol.choose_newline(like, data))


def _side_path(ctx: _Ctx, path: str, suffix: str = SIDE_SUFFIX) -> str:
    return free_name(path + suffix, lambda p: p in ctx.taken or ctx.occupied(p))


def _merge_content(
    driver: Driver,
    base: bytes | None,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
) -> ContentMerge:
    # Imported on first merge: the drivers pull in ruamel.yaml and tomlkit,
    # and importing synctool.merge (its types, for `check`) must stay cheap.
    from synctool.merge.drivers import merge_content

    return merge_content(driver, base, ours, theirs, labels, identity_keys)
