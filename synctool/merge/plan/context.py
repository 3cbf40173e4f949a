"""What the planner carries per run and decides per path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from synctool.merge.derived import RuleFor
from synctool.merge.records import MergeFn
from synctool.merge.types import Labels
from synctool.tree import SIDE_SUFFIX, Driver, FileEntry, Ownership, free_name

SYMLINK_MODE = 0o120000  # as git and the render record a symlink


class Base(NamedTuple):
    data: bytes | None  # None in fallback mode: only the digest is known
    sha: str
    mode: int | None  # None when the fallback has no modes


class Outcome(NamedTuple):
    reason: str
    result: FileEntry | None = None  # None: ours stays as it is
    delete: bool = False
    conflicts: int = 0
    merged: bool = False
    driver: Driver | None = None  # set when a driver decided the content
    side: FileEntry | None = None
    side_holds_ours: bool = False  # side is ours (<path>.local), not theirs


class Ctx(NamedTuple):
    ownership: Callable[[str], Ownership]
    driver_for: Callable[[str, bytes], Driver]
    labels: Labels
    identity_keys: Sequence[str]
    merge: MergeFn | None  # None: the drivers' (`drivers_merge`)
    taken: frozenset[str]  # every path of the three trees, for naming side files
    occupied: Callable[[str], bool]  # a path on disk that no tree holds (ignored)
    derived: RuleFor  # a file computed from others (a lock): never spliced


def side_path(ctx: Ctx, path: str, suffix: str = SIDE_SUFFIX) -> str:
    return free_name(path + suffix, lambda p: p in ctx.taken or ctx.occupied(p))


def drivers_merge() -> MergeFn:
    """``drivers.merge_content``, imported on first merge: the drivers pull in
    ruamel.yaml and tomlkit, and importing synctool.merge (its types, for
    `check`) must stay cheap."""
    from synctool.merge.drivers import merge_content

    return merge_content
