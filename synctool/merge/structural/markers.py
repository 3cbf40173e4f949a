"""Git-style conflict markers around just the clashes' lines (a whole-file
conflict is the line merge's ``conflict_region``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from synctool.merge.structural.clashes import Side
from synctool.merge.text import (
    Hunk,
    conflict_block,
    diff_lines,
    shared_ends,
    split_lines,
)
from synctool.merge.types import Labels
from synctool.merge.union import Undecided


def mark_conflicts(
    render: Callable[[Mapping[int, Side]], str], count: int, labels: Labels
) -> tuple[str, int]:
    """Ours' merged text with git-style markers around the clashes' lines.

    The document is written with ours' version of every clash, with base's,
    with theirs', and with a one-line mark in place of each (to find where
    each clash's lines are). Each clash is one conflict region, widened to
    every line where base's or theirs' text differs from ours' (regions that
    touch are one), so nothing is resolved silently; taking one side of
    every region gives exactly the document with that side's version of
    every clash.
    """
    ours = split_lines(render({}).encode())
    marked = split_lines(render(dict.fromkeys(range(count), "mark")).encode())
    others = [
        split_lines(render(dict.fromkeys(range(count), side)).encode())
        for side in ("base", "theirs")
    ]
    spans = [(h.i1, h.i1 + h.n1) for h in diff_lines(ours, marked)]
    maps: list[dict[int, int]] = []  # ours' line -> the other's, where kept
    for other in others:
        hunks = diff_lines(ours, other)
        spans += [(h.i1, h.i1 + h.n1) for h in hunks]
        kept: dict[int, int] = {-1: -1, len(ours): len(other)}
        i = j = 0
        for h in [*hunks, Hunk(len(ours), 0, len(other), 0)]:
            while i < h.i1:
                kept[i], i, j = j, i + 1, j + 1
            i, j = h.i1 + h.n1, h.i2 + h.n2
        maps.append(kept)
    regions: list[list[int]] = []
    for start, end in sorted(spans):
        if regions and start <= regions[-1][1]:  # they touch: one conflict
            regions[-1][1] = max(regions[-1][1], end)
        else:
            regions.append([start, end])
    out: list[bytes] = []
    at = conflicts = 0
    for start, end in regions:
        o = ours[start:end]
        b, t = (
            other[kept[start - 1] + 1 : kept[end]]
            for other, kept in zip(others, maps, strict=True)
        )
        head, tail = shared_ends(o, b, t)  # lines all three share are no conflict
        if o == b == t:
            continue
        out += ours[at : start + head]
        ro, rb, rt = (x[head : len(x) - tail] for x in (o, b, t))
        conflict_block(out, ro, rb, rt, labels, b"\n")
        at, conflicts = end - tail, conflicts + 1
    out += ours[at:]
    if not conflicts:
        raise Undecided("the clashes do not show in the text")
    return b"".join(out).decode(), conflicts
