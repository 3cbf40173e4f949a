"""Each base item's fate on one side of a list: kept, removed, replaced, moved."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

from synctool.merge.union import Undecided


def fates(
    base: Sequence[Hashable], side: Sequence[Hashable]
) -> tuple[dict[int, list[int]], list[tuple[str, int, int, int]]]:
    """Insertions before each base item, and each base item's fate on ``side``:
    ("keep", j, ...), ("del", ...) or ("rep", i1, i2, j1) with the hunk."""
    inserts: dict[int, list[int]] = {}
    fate: list[tuple[str, int, int, int]] = [("keep", -1, -1, -1)] * len(base)
    matcher = SequenceMatcher(None, list(base), list(side), autojunk=False)
    moved = set(side)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                fate[i1 + k] = ("keep", j1 + k, -1, -1)
        elif tag == "insert":
            inserts[i1] = list(range(j1, j2))
        elif tag == "delete":
            for i in range(i1, i2):
                fate[i] = ("del", -1, -1, -1)
        elif moved & set(base[i1:i2]):
            # Items the side still has elsewhere were moved, not replaced.
            for i in range(i1, i2):
                fate[i] = ("del", -1, -1, -1)
            inserts[i1] = list(range(j1, j2))
        else:
            for i in range(i1, i2):
                fate[i] = ("rep", i1, i2, j1)
            inserts[-1 - i1] = list(range(j1, j2))  # the replacement
    return inserts, fate


def _moved(
    base: Sequence[Hashable],
    side: Sequence[Hashable],
    inserts: Mapping[int, list[int]],
    fate: Sequence[tuple[str, int, int, int]],
) -> set[int]:
    """Base items ``side`` moved: taken out at their place, put in elsewhere.

    A diff sees a move as an insertion and a deletion; an item the side
    inserts somewhere while removing (or replacing) it at its own place was
    moved, not added and removed.
    """
    put = Counter(side[j] for js in inserts.values() for j in js)
    return {i for i, f in enumerate(fate) if f[0] != "keep" and put[base[i]]}


def moves_clash(
    base: Sequence[Hashable],
    ours: tuple[Sequence[Hashable], dict[int, list[int]], list[Any]],
    theirs: tuple[Sequence[Hashable], dict[int, list[int]], list[Any]],
    edited: Callable[[bool, int, int], bool],
    describe: Callable[[int], str],
) -> None:
    """An item one side moved and the other removed or changed is undecided:
    taking the move would silently undo the other side's change."""
    moved = [_moved(base, *side) for side in (ours, theirs)]
    for by_theirs, (mine, (_, _, other_fate)) in enumerate(
        zip(moved, (theirs, ours), strict=True)
    ):
        for i in sorted(mine - moved[1 - by_theirs]):
            kind, j = other_fate[i][0], other_fate[i][1]
            if kind != "keep" or edited(not by_theirs, i, j):
                if by_theirs:
                    why = "removed or changed here, moved in the blueprint"
                else:
                    why = "moved here, removed or changed in the blueprint"
                raise Undecided(f"{describe(i)} {why}")
