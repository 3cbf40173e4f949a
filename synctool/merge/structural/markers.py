"""Git-style conflict markers: around just the clashes' lines, or the whole file."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from synctool.merge.structural.clashes import Side
from synctool.merge.text import Hunk, diff_lines, split_lines
from synctool.merge.types import Labels
from synctool.merge.union import Undecided


def _marker(char: str, label: str) -> str:
    return char * 7 + " " + " ".join(label.splitlines()) + "\n"


def _block(
    out: list[str], ours: list[str], base: list[str], theirs: list[str], labels: Labels
) -> None:
    out.append(_marker("<", labels.ours))
    out.extend(x if x.endswith("\n") else x + "\n" for x in ours)
    out.append(_marker("|", labels.base))
    out.extend(x if x.endswith("\n") else x + "\n" for x in base)
    out.append("=" * 7 + "\n")
    out.extend(x if x.endswith("\n") else x + "\n" for x in theirs)
    out.append(_marker(">", labels.theirs))


def _lines(data: bytes | str) -> list[str]:
    raw = data.encode() if isinstance(data, str) else data
    return [x.decode() for x in split_lines(raw)]


def _ends(a: Sequence[Any], b: Sequence[Any], c: Sequence[Any]) -> tuple[int, int]:
    """Lines the three share at their start, and at their end (not overlapping)."""
    head = 0
    while head < min(len(a), len(b), len(c)) and a[head] == b[head] == c[head]:
        head += 1
    tail, room = 0, min(len(a), len(b), len(c)) - head
    while tail < room and a[-1 - tail] == b[-1 - tail] == c[-1 - tail]:
        tail += 1
    return head, tail


def whole_conflict(base: bytes, ours: bytes, theirs: bytes, labels: Labels) -> bytes:
    """One conflict region around everything the sides do not share."""
    b, o, t = _lines(base), _lines(ours), _lines(theirs)
    head, tail = _ends(o, b, t)
    out = o[:head]
    _block(
        out,
        o[head : len(o) - tail],
        b[head : len(b) - tail],
        t[head : len(t) - tail],
        labels,
    )
    out += o[len(o) - tail :]
    return "".join(out).encode()


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
        head, tail = _ends(o, b, t)  # lines all three share are no conflict
        if o == b == t:
            continue
        out += ours[at : start + head]
        block: list[str] = []
        ro, rb, rt = ([y.decode() for y in x[head : len(x) - tail]] for x in (o, b, t))
        _block(block, ro, rb, rt, labels)
        out += [x.encode() for x in block]
        at, conflicts = end - tail, conflicts + 1
    out += ours[at:]
    if not conflicts:
        raise Undecided("the clashes do not show in the text")
    return b"".join(out).decode(), conflicts
