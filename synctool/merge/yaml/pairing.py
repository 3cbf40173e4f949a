"""Items with no identity key paired with base's by how alike they are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from synctool.merge.structural.pairing import align, leaves, likeness
from synctool.merge.structural.sequence import merge_sequence
from synctool.merge.union import Merged
from synctool.merge.yaml.canon import canon, frozen, plain, same
from synctool.merge.yaml.lists import Guard, merged_steps


def aligned(
    guarded: Guard,
    path: str,
    sides: list[list[Any]],
    identity: Callable[[Any], Hashable | None],
    name: Callable[[int], str],
    threshold: float = 0.5,
    in_place: float = 0.0,
) -> list[Merged[Any, Any]]:
    """Items with no identity key, paired with base's by content.

    ``in_place``: how alike a side's only item counts as with base's
    only item, at least (documents: a file's one document is the same
    one, however rewritten). Items of longer lists pair by content only.
    """
    found = {id(x): leaves(plain(x)) for side in sides for x in side}
    lone = {id(side[0]) for side in sides if len(side) == 1}

    def score(a: Any, b: Any) -> float:
        ia, ib = identity(a), identity(b)
        if ia is not None and ib is not None:
            return 1.0 if ia == ib else 0.0
        if same(a, b):
            return 1.0
        la, lb = found[id(a)], found[id(b)]
        alike = likeness(la, lb)
        if min(la.total(), lb.total()) >= 3 and (la & lb).total() < 2:
            alike = 0.0  # one value of many in common is chance
        return max(alike, in_place) if {id(a), id(b)} <= lone else alike

    base = sides[0]
    keys: list[list[Hashable]] = [[("base", i) for i in range(len(base))]]
    for side in sides[1:]:
        paired = align(base, side, score, threshold, key=lambda x: frozen(canon(x)))
        pairs = {j: i for i, j in paired.items()}
        # An item found unchanged elsewhere than at its place was moved:
        # it is base's item, so a change to it on the other side shows.
        loose: dict[Hashable, list[int]] = {}
        for i, x in enumerate(base):
            if i not in paired:
                loose.setdefault(frozen(canon(x)), []).append(i)
        for j, x in enumerate(side):
            spare = loose.get(frozen(canon(x))) if j not in pairs else None
            if spare:
                pairs[j] = spare.pop(0)
        # An item both sides added is one item: known by its identity,
        # else by its content (the n-th of repeats by the n-th).
        seen: Counter[Hashable] = Counter()
        side_keys: list[Hashable] = []
        for j, x in enumerate(side):
            if j in pairs:
                side_keys.append(("base", pairs[j]))
                continue
            known = identity(x) or ("new", frozen(canon(x)))
            side_keys.append((known, seen[known]))
            seen[known] += 1
        keys.append(side_keys)

    def edited(from_theirs: bool, i: int, j: int) -> bool:
        return not same(base[i], sides[2 if from_theirs else 1][j])

    steps = merge_sequence(
        keys[0],
        keys[1],
        keys[2],
        edited=edited,
        path=path,
        describe=name,
    )
    return merged_steps(guarded, path, sides, steps, name)
