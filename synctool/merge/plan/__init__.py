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

from synctool.merge.plan.build import build_plan
from synctool.merge.plan.twoway import two_way_conflict
from synctool.merge.records import (
    MergeFn,
    Plan,
    PlanEntry,
    SideFile,
    apply_plan_to_tree,
    check_path,
)
from synctool.tree import DEFAULT_IDENTITY_KEYS, LOCAL_SUFFIX, SIDE_SUFFIX, is_safe_path

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
