"""What the YAML and TOML drivers share: structure first, text when undecided.

Each driver brings its parser and writer; this decides, the same way for
both, between the line merge and the structural result. A place both sides
changed differently is a conflict on that place: the driver says where
(``Localized``) and this marks just those lines, git's way. Anything the
structure cannot settle goes to a whole-file line merge with a note; a
clean line merge that would not read back (a key twice, broken syntax) is
a conflict too, never a clean result.

Also here, for both drivers' lists: how to merge an ordered list of items
(``merge_sequence``), how to know the items of a list of scalars by a key
(``scalar_key``: a package name, a ``KEY=value`` variable), and how to pair
items that have no identity by their content (``align``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any, Literal, NamedTuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from synctool.merge.text import Hunk, diff_lines, merge_text, split_lines
from synctool.merge.types import ContentMerge, Labels
from synctool.merge.union import Undecided

Side = Literal["base", "theirs", "mark"]


class Clash(Undecided):
    """The sides changed one place differently, and it cannot be marked on
    its own (the documents of a file): a clean line merge is no answer."""


class Localized(NamedTuple):
    """A structural merge with places the two sides changed differently.

    ``render(choice)`` writes the merged document with conflict ``i`` taken
    from ``choice[i]`` ("base" or "theirs", or "mark": a one-line value
    found nowhere else, to tell where it is) and every other one from ours
    (absent where ours removed it). ``reasons`` names each conflict.
    """

    reasons: Sequence[str]
    render: Callable[[Mapping[int, Side]], str]


def structural_merge(
    kind: Literal["yaml", "toml"],
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    *,
    merge_docs: Callable[[str, str, str], Any],
    canon: Callable[[Any], Any],
    reads_as: Callable[[str, Any], bool],
    write: Callable[[Any, str, str, Any], str],
    valid: Callable[[str], bool] | None = None,
) -> ContentMerge:
    """``merge_docs`` merges the parsed sides (raising Undecided, or giving a
    ``Localized`` when some places clash), ``write`` lays the result out
    (raising Undecided when it cannot do so faithfully). ``valid`` tells
    whether a text parses: a clean line merge of two valid sides must."""
    text = merge_text(base, ours, theirs, labels)
    means: Callable[[str], bool] | None = None  # once the structure's answer is known
    try:
        sides = base.decode(), ours.decode(), theirs.decode()
        merged = merge_docs(*sides)
        if isinstance(merged, Localized):
            try:
                data, count = mark_conflicts(merged.render, len(merged.reasons), labels)
            except Undecided as why:  # the clash stands, wherever it is marked
                raise Clash(f"{_reasons(merged)}; {why}") from why
            return ContentMerge(data.encode(), count, kind, _note(kind, merged))
        want = canon(merged)
        means = lambda text: reads_as(text, want)  # noqa: E731
        # A clean line merge that means the same keeps both sides' comments
        # and layout, as git would.
        if not text.conflicts and reads_as(text.data.decode(), want):
            return text._replace(driver=kind)
        out = write(merged, sides[1], sides[2], want)
    except UnicodeDecodeError:
        return text._replace(note=f"{kind}: merged as text (not UTF-8)")
    except Clash as why:
        never = lambda _text: False  # noqa: E731
        return _checked(text, kind, f"{why}", base, ours, theirs, labels, valid, never)
    except Undecided as why:
        return _checked(text, kind, f"{why}", base, ours, theirs, labels, valid, means)
    except Exception as exc:  # a corner the structure does not know: text is safe
        failed = f"structural merge failed: {type(exc).__name__}"
        return _checked(text, kind, failed, base, ours, theirs, labels, valid, None)
    return ContentMerge(out.encode(), 0, kind)


def _reasons(merged: Localized) -> str:
    return "; ".join(dict.fromkeys(merged.reasons))


def _note(kind: str, merged: Localized) -> str:
    return f"{kind}: {_reasons(merged)}"


def _checked(
    text: ContentMerge,
    kind: str,
    why: str,
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    valid: Callable[[str], bool] | None,
    means: Callable[[str], bool] | None,
) -> ContentMerge:
    """The line merge, unless it is clean but not what both sides mean.

    A clean line merge of two valid files that does not parse (a key added
    on both sides, twice), or that reads otherwise than the structural
    merge already found, would be a wrong result: it is a conflict instead.
    """
    note = f"{kind}: merged as text ({why})"
    if text.conflicts:
        return text._replace(note=note)
    merged, o, t = text.data.decode(), ours.decode(), theirs.decode()
    if means is not None and not means(merged):
        bad = f"{kind}: {why}"
    elif valid is not None and valid(o) and valid(t) and not valid(merged):
        bad = f"{kind}: the line merge is no valid {kind.upper()} ({why})"
    else:
        return text._replace(note=note)
    return ContentMerge(whole_conflict(base, ours, theirs, labels), 1, "text", bad)


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


class Step(NamedTuple):
    """One item of a merged sequence: where it comes from on each side."""

    base: int | None
    ours: int | None
    theirs: int | None
    clash: str = ""  # why it is kept although one side removed it


def _fates(
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


def _moves_clash(
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
    (ins_o, fate_o), (ins_t, fate_t) = (_fates(base, s) for s in sides)
    _moves_clash(base, (ours, ins_o, fate_o), (theirs, ins_t, fate_t), edited, describe)
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


def align(
    base: Sequence[Any],
    side: Sequence[Any],
    score: Callable[[Any, Any], float],
    threshold: float = 0.5,
    key: Callable[[Any], Hashable] | None = None,
) -> dict[int, int]:
    """Pairs base index -> side index, in order on both, that score best.

    Items with no identity of their own are paired by how alike they are
    (``score`` from 0 to 1, more than ``threshold``), as git pairs renamed
    files; between equally good pairings the earlier items pair first.
    With ``key``, equal items pair first, as a diff would pair them, and
    only the items between are weighed.
    """
    if key is None:
        return _weigh(base, 0, len(base), side, 0, len(side), score, threshold)
    matcher = SequenceMatcher(
        None, [key(x) for x in base], [key(x) for x in side], autojunk=False
    )
    pairs: dict[int, int] = {}
    i = j = 0
    for bi, sj, size in matcher.get_matching_blocks():
        pairs.update(_weigh(base, i, bi, side, j, sj, score, threshold))
        pairs.update((bi + k, sj + k) for k in range(size))
        i, j = bi + size, sj + size
    return pairs


def _weigh(
    base: Sequence[Any],
    ilo: int,
    ihi: int,
    side: Sequence[Any],
    jlo: int,
    jhi: int,
    score: Callable[[Any, Any], float],
    threshold: float,
) -> dict[int, int]:
    """``align`` of ``base[ilo:ihi]`` with ``side[jlo:jhi]``, by weight."""
    n, m = ihi - ilo, jhi - jlo
    if not n or not m or n * m > 250_000:  # nothing, or too much, to weigh
        return {}
    # An equal pair outweighs any number of merely alike ones: an item kept
    # as it was is never paired away for two that look half alike.
    equal = 1.0 + max(n, m)

    def weight(a: Any, b: Any) -> float:
        s = score(a, b)
        return equal if s >= 1.0 else s if s > threshold else 0.0

    score_of = [
        [weight(base[ilo + i], side[jlo + j]) for j in range(m)] for i in range(n)
    ]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            here = max(best[i + 1][j], best[i][j + 1])
            s = score_of[i][j]
            if s > 0:
                here = max(here, s + best[i + 1][j + 1])
            best[i][j] = here
    pairs: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        s = score_of[i][j]
        if s > 0 and best[i][j] == s + best[i + 1][j + 1]:
            pairs[ilo + i] = jlo + j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i][j + 1]:
            j += 1
        else:
            i += 1
    return pairs


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Counter[tuple[Any, ...]]:
    """The (path, value) pairs of a plain tree: what ``likeness`` compares."""
    out: Counter[tuple[Any, ...]] = Counter()
    if isinstance(node, Mapping):
        for k, v in node.items():
            out += leaves(v, (*path, k))
        if not node:
            out[(*path, "{}")] += 1
    elif isinstance(node, list):  # a tuple is a value (a typed scalar)
        for k, v in enumerate(node):
            out += leaves(v, (*path, k))
        if not node:
            out[(*path, "[]")] += 1
    else:
        out[(*path, node)] += 1
    return out


def likeness(a: Counter[tuple[Any, ...]], b: Counter[tuple[Any, ...]]) -> float:
    """How alike two trees' leaves are, 0 to 1 (the Dice coefficient)."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


_VARIABLE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:=(?!=)|$)")


def _variable(item: Any) -> str | None:
    match = _VARIABLE.match(item) if isinstance(item, str) else None
    return match[1] if match else None


def _requirement(item: Any) -> str | None:
    try:
        return canonicalize_name(Requirement(str(item)).name)
    except InvalidRequirement:
        return None


def _pinned(item: str) -> bool:
    req = Requirement(item)
    return bool(req.specifier or req.extras or req.marker or req.url)


def scalar_key(sides: Sequence[Sequence[Any]]) -> Callable[[Any], str] | None:
    """How to know the items of a list of strings by a name, or None.

    A dependency list (``fastapi==0.110``, ``uvicorn[standard]>=0.30``) by
    the package name, so that a new pin is a change to that item; a list of
    ``KEY=value`` variables (compose ``environment:``) by the variable. Only
    when every item has such a name, unique on its side.
    """
    items = [x for side in sides for x in side]
    if not items or not all(isinstance(x, str) for x in items):
        return None
    checks: list[tuple[Callable[[Any], str | None], bool]] = [
        (_requirement, any(_requirement(x) and _pinned(x) for x in items)),
        (_variable, any("=" in x for x in items)),
    ]
    for key, shows in checks:
        names = [[key(x) for x in side] for side in sides]
        unique = all(
            None not in side_names and len(set(side_names)) == len(side_names)
            for side_names in names
        )
        if unique and shows:
            return key  # type: ignore[return-value]
    return None
