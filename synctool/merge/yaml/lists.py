"""Items of a list merged in order: by key, by name, or paired by content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from synctool.merge.structural.scalar_keys import scalar_key
from synctool.merge.structural.sequence import Step, merge_sequence
from synctool.merge.union import ABSENT, Merged, Undecided, merge_keyed
from synctool.merge.yaml.canon import canon, same
from synctool.merge.yaml.conflicts import NodeClash

Guard = Callable[[str, Any, Any, Any], Any]  # a place's merge, or its clash


def in_order(
    path: str,
    base: list[tuple[Any, Any]],
    ours: list[tuple[Any, Any]],
    theirs: list[tuple[Any, Any]],
    merge: Callable[[Any, Any, Any, Any], Any],
    describe: Callable[[Any], str],
) -> list[Merged[Any, Any]]:
    """Keyed items of a list, where order is data: both reordering is a clash."""
    try:
        return merge_keyed(
            base,
            ours,
            theirs,
            merge,
            same,
            check_order=True,
            describe=describe,
            clash=lambda _k, b, o, t, why: NodeClash(b, o, t, why),
        )
    except Undecided as why:
        raise Undecided(f"{path or 'the document'}: {why}") from why


def scalars(
    guarded: Guard, path: str, sides: list[list[Any]]
) -> list[Merged[Any, Any]]:
    """A list of scalars: by name (packages, variables), else in order."""
    key = scalar_key(sides)
    if key is not None:
        b, o, t = ([(key(x), x) for x in side] for side in sides)

        def item(k: Any, b: Any, o: Any, t: Any) -> Any:
            if same(o, t) or (b is not ABSENT and same(b, t)):
                return o
            if b is not ABSENT and same(b, o):
                return t
            return NodeClash(b, o, t, f"{path}[{k}] changed on both sides")

        return in_order(path, b, o, t, item, lambda k: f"{path}[{k}]")
    base, ours, theirs = ([canon(x) for x in side] for side in sides)
    steps = merge_sequence(
        base, ours, theirs, path=path, describe=lambda i: f"{path}[{sides[0][i]}]"
    )
    return merged_steps(guarded, path, sides, steps)


def merged_steps(
    guarded: Guard,
    path: str,
    sides: list[list[Any]],
    steps: list[Step],
    name: Callable[[int], str] | None = None,
) -> list[Merged[Any, Any]]:
    base, ours, theirs = sides
    out: list[Merged[Any, Any]] = []
    for s in steps:
        b = ABSENT if s.base is None else base[s.base]
        o = ABSENT if s.ours is None else ours[s.ours]
        t = ABSENT if s.theirs is None else theirs[s.theirs]
        at = next(x for x in (s.base, s.ours, s.theirs, 0) if x is not None)
        if s.clash:
            value: Any = NodeClash(b, o, t, s.clash)
        elif o is not ABSENT and t is not ABSENT:
            where = name(at) if name else f"{path}[{at}]"
            value = guarded(where, b, o, t)
        else:
            value = o if o is not ABSENT else t
        out.append(Merged(s.base, value, s.ours, s.theirs))
    return out
