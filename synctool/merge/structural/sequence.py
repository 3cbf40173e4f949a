"""An ordered list merged three ways, item by item (as diff3 does lines)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import NamedTuple

from synctool.merge.structural.fates import fates, moves_clash
from synctool.merge.union import Undecided


class Step(NamedTuple):
    """One item of a merged sequence: where it comes from on each side."""

    base: int | None
    ours: int | None
    theirs: int | None
    clash: str = ""  # why it is kept although one side removed it


def merge_sequence(
    base: Sequence[Hashable],
    ours: Sequence[Hashable],
    theirs: Sequence[Hashable],
    edited: Callable[[bool, int, int], bool] = lambda _t, _i, _j: False,
    path: str = "a list",
    describe: Callable[[int], str] = str,
) -> list[Step]:
    """Three-way merge of an ordered list, item by item (as diff3 does lines).

    Items are compared by key; ``edited(from_theirs, i, j)`` tells whether
    the item a side kept at base ``i`` (its ``j``) was changed inside. A
    change on one side is taken in place. Both sides inserting at one place
    keep theirs' items, then ours'. ``path`` and ``describe`` (of a base
    index) name the list and its items in the reasons. An item both sides replaced differently,
    replaced on one side and removed or edited on the other, inserted at one
    place with other items by both sides, or moved by both is undecided, as
    is an item moved on one side (removed at its place, inserted elsewhere)
    and removed or edited on the other. An item edited on one side and
    removed on the other is kept with a ``clash``.
    """
    sides = (ours, theirs)
    (ins_o, fate_o), (ins_t, fate_t) = (fates(base, s) for s in sides)
    moves_clash(base, (ours, ins_o, fate_o), (theirs, ins_t, fate_t), edited, describe)
    out: list[Step] = []

    def put(from_theirs: bool, js: Sequence[int]) -> None:
        out.extend(
            Step(None, None, j) if from_theirs else Step(None, j, None) for j in js
        )

    def put_both(js: Sequence[int], ks: Sequence[int]) -> None:
        """The same items, added by both sides: merged item by item."""
        out.extend(Step(None, j, k) for j, k in zip(js, ks, strict=True))

    i = 0
    while True:
        io, it = ins_o.get(i, []), ins_t.get(i, [])
        ko, kt = [ours[j] for j in io], [theirs[j] for j in it]
        if ko == kt:
            put_both(io, it)
        elif set(ko) & set(kt):
            raise Undecided(f"{path}: items inserted at one place on both sides")
        else:
            put(True, it)
            put(False, io)
        if i == len(base):
            break
        fo, ft = fate_o[i], fate_t[i]
        if "rep" in (fo[0], ft[0]):
            hunk = fo if fo[0] == "rep" else ft
            i1, i2 = hunk[1], hunk[2]
            if fo[0] == ft[0] == "rep":
                if fo[1:3] != ft[1:3] or [ours[j] for j in ins_o[-1 - i1]] != [
                    theirs[j] for j in ins_t[-1 - i1]
                ]:
                    raise Undecided(f"{describe(i)} changed on both sides")
                put_both(ins_o[-1 - i1], ins_t[-1 - i1])
            else:
                from_theirs = ft[0] == "rep"
                other_fate, other_ins = (
                    (fate_o, ins_o) if from_theirs else (fate_t, ins_t)
                )
                for k in range(i1, i2):
                    kind, j = other_fate[k][0], other_fate[k][1]
                    if kind != "keep" or edited(not from_theirs, k, j):
                        raise Undecided(f"{describe(k)} changed on both sides")
                    if k > i1 and other_ins.get(k):
                        raise Undecided(
                            f"{path}: items inserted at one place on both sides"
                        )
                put(from_theirs, (ins_t if from_theirs else ins_o)[-1 - i1])
            i = i2
            continue
        if fo[0] == ft[0] == "keep":
            out.append(Step(i, fo[1], ft[1]))
        elif fo[0] == "keep" and edited(False, i, fo[1]):
            why = f"{describe(i)} changed here, removed in the blueprint"
            out.append(Step(i, fo[1], None, why))
        elif ft[0] == "keep" and edited(True, i, ft[1]):
            why = f"{describe(i)} removed here, changed in the blueprint"
            out.append(Step(i, None, ft[1], why))
        i += 1
    # An item moved by both sides to different places would be there twice.
    have = Counter(
        ours[s.ours] if s.ours is not None else theirs[s.theirs]  # type: ignore[index]
        for s in out
    )
    most = Counter(ours) | Counter(theirs)
    if any(n > most[key] for key, n in have.items()):
        raise Undecided(f"{path}: an item moved on both sides")
    return out
