"""Order-preserving unions: of lines (ignore files) and of keyed items.

``weave`` and ``merge_keyed`` are shared by the structural drivers: mapping
keys and identified sequence items merge the way ignore-file lines do, with
ours' order kept and theirs' additions placed after what they follow in
theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from synctool.merge.text import diff_lines, split_lines
from synctool.merge.types import ContentMerge

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Undecided(Exception):
    """A difference the structure cannot settle; the caller merges as text."""


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""The base of a key or item that both sides added."""


def weave(
    kept: Sequence[K],
    theirs: Sequence[K],
    added: Sequence[int],
    *,
    orphans_first: bool,
    anchor: Callable[[K], bool] | None = None,
    ours_added: Callable[[int], bool] | None = None,
    before_next: bool = False,
) -> list[tuple[bool, int]]:
    """Ours' ``kept`` keys with theirs' ``added`` (indexes into ``theirs``) woven in.

    Each added key goes right after the nearest key before it in theirs that
    is already in the result (one placed just before counts, so a block
    keeps its order); ``anchor`` can rule keys out as places to attach to
    (blank lines). With none, it goes first or last. ``ours_added`` marks
    ours' own additions: theirs' block then goes after ours' additions at the
    same place, as git's union merge does. ``before_next``: a key with none
    before it goes right before the nearest key after it in theirs that the
    result holds (where theirs put it: the order of ignore rules matters),
    not first or last. Returns (from_theirs, index) pairs.
    """
    out = [(False, i) for i in range(len(kept))]
    first: dict[K, int] = {}
    for i, key in enumerate(kept):
        first.setdefault(key, i)
    placed: set[int] = set()
    for j in sorted(added):
        at = 0 if orphans_first else len(out)
        for jj in range(j - 1, -1, -1):
            if jj in placed:
                at = out.index((True, jj)) + 1
                break
            key = theirs[jj]
            if key in first and (anchor is None or anchor(key)):
                at = out.index((False, first[key])) + 1
                while (
                    ours_added
                    and at < len(out)
                    and not out[at][0]
                    and ours_added(out[at][1])
                ):
                    at += 1
                break
        else:
            following = _next_anchor(theirs, j, first, anchor) if before_next else None
            if following is not None:
                at = out.index((False, following))
            elif ours_added and orphans_first:
                while at < len(out) and not out[at][0] and ours_added(out[at][1]):
                    at += 1
        out.insert(at, (True, j))
        placed.add(j)
    return out


class Merged(NamedTuple, Generic[K, V]):
    key: K
    value: V
    ours: int | None  # index in ours, None for an item theirs added
    theirs: int | None  # index in theirs, None for an item only ours has


def merge_keyed(
    base: Sequence[tuple[K, V]],
    ours: Sequence[tuple[K, V]],
    theirs: Sequence[tuple[K, V]],
    merge: Callable[[K, Any, V, V], V],
    same: Callable[[V, V], bool],
    *,
    check_order: bool,
    describe: Callable[[K], str] = repr,
    clash: Callable[[K, Any, Any, Any, str], V] | None = None,
) -> list[Merged[K, V]]:
    """Three-way merge of keyed items (keys unique on each side).

    Items on both sides merge with ``merge(key, base or ABSENT, ours, theirs)``;
    an item one side removed goes only if the other left it as it was;
    additions of both sides are kept. Ours' order is kept; with
    ``check_order``, theirs moving items ours also moved differently is
    undecided rather than one order silently winning. ``describe`` names a
    key in the reason given. An item one side changed and the other removed
    is undecided, unless ``clash(key, base, ours, theirs, reason)`` (ABSENT
    for the side that removed it) gives the value to keep in its place.
    """
    b, o, t = dict(base), dict(ours), dict(theirs)
    t_index = {k: j for j, (k, _) in enumerate(theirs)}
    if check_order:
        common = b.keys() & o.keys() & t.keys()
        in_b, in_o, in_t = (
            [k for k, _ in s if k in common] for s in (base, ours, theirs)
        )
        if in_t != in_b and in_o != in_t:
            raise Undecided("items were reordered")
    kept: list[Merged[K, V]] = []
    for i, (k, ov) in enumerate(ours):
        if k in t:
            merged = merge(k, b.get(k, ABSENT), ov, t[k])
            kept.append(Merged(k, merged, i, t_index[k]))
        elif k not in b:
            kept.append(Merged(k, ov, i, None))
        elif not same(b[k], ov):
            why = f"{describe(k)} changed here, removed in the blueprint"
            if clash is None:
                raise Undecided(why)
            kept.append(Merged(k, clash(k, b[k], ov, ABSENT, why), i, None))
    added: list[int] = []
    clashed: dict[int, V] = {}
    for j, (k, tv) in enumerate(theirs):
        if k in o:
            continue
        if k in b:
            if not same(b[k], tv):
                why = f"{describe(k)} removed here, changed in the blueprint"
                if clash is None:
                    raise Undecided(why)
                clashed[j] = clash(k, b[k], ABSENT, tv, why)
                added.append(j)
            continue
        added.append(j)
    keys = [m.key for m in kept]
    woven = weave(keys, [k for k, _ in theirs], added, orphans_first=True)
    return [
        Merged(theirs[i][0], clashed.get(i, theirs[i][1]), None, i) if new else kept[i]
        for new, i in woven
    ]


def _key(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\n") else line


def _next_anchor(
    theirs: Sequence[K],
    j: int,
    first: Mapping[K, int],
    anchor: Callable[[K], bool] | None,
) -> int | None:
    """The index in ours of the nearest key after ``theirs[j]`` that ours has."""
    for key in theirs[j + 1 :]:
        if key in first and (anchor is None or anchor(key)):
            return first[key]
    return None


def merge_union(base: bytes, ours: bytes, theirs: bytes) -> ContentMerge:
    """Ours' lines, less what theirs removed, plus what theirs added; never a conflict.

    Made for ignore files, where a line is a rule and order rarely matters:
    theirs' new lines keep theirs' order and go after the line they follow
    in theirs, after any lines ours added there too (or, first in theirs,
    before the line they precede there). Blank lines are layout, not rules: they are
    never removed, never anchors, and come along only inside a block of
    new rules.
    """
    b, o, t = split_lines(base), split_lines(ours), split_lines(theirs)
    base_keys, theirs_keys = {_key(x) for x in b}, [_key(x) for x in t]
    removed = base_keys - set(theirs_keys)
    kept = [x for x in o if not (_key(x).strip() and _key(x) in removed)]
    have = {_key(x) for x in kept}
    added: list[int] = []
    for hunk in diff_lines(b, t):
        run = [
            j
            for j in range(hunk.i2, hunk.i2 + hunk.n2)
            if not theirs_keys[j].strip()
            or (theirs_keys[j] not in base_keys and theirs_keys[j] not in have)
        ]
        if any(theirs_keys[j].strip() for j in run):
            added.extend(run)
    woven = weave(
        [_key(x) for x in kept],
        theirs_keys,
        added,
        orphans_first=False,
        anchor=lambda key: bool(key.strip()),
        ours_added=lambda i: _key(kept[i]) not in base_keys,
        before_next=True,
    )
    lines = [t[i] if new else kept[i] for new, i in woven]
    if lines == o:
        return ContentMerge(ours, 0, "union")
    # Every line ends with its newline, except ours' own unterminated last line.
    out = [x if x.endswith(b"\n") else x + b"\n" for x in lines]
    if o and lines and lines[-1] is o[-1] and not o[-1].endswith(b"\n"):
        out[-1] = o[-1]
    return ContentMerge(b"".join(out), 0, "union")


def keyed_items(items: Sequence[V], key: Callable[[V], K]) -> list[tuple[K, V]] | None:
    """(key, item) pairs, or None when two items share a key."""
    pairs = [(key(x), x) for x in items]
    return pairs if len({k for k, _ in pairs}) == len(pairs) else None


def identity_of(
    sides: Sequence[Sequence[Any]], names: Sequence[str]
) -> Callable[[Any], tuple[str, Hashable]] | None:
    """How to tell the items of a list of mappings apart, or None.

    Each item is known by the first of ``names`` it has (GitHub steps mix
    `name`-only and `uses`-only items), and must be unique on its side. A
    `uses` value is known without its `@version`: bumping an action's pin is
    a change to that step, not a new step.
    """
    if not all(isinstance(m, Mapping) for side in sides for m in side):
        return None

    def identity(item: Any) -> tuple[str, Hashable]:
        for name in names:
            value = _hashable(item.get(name))
            if value is not None:
                if name == "uses" and isinstance(value, str):
                    value = value.split("@", 1)[0]
                return (name, value)
        raise KeyError("no identity")

    for side in sides:
        try:
            ids = [identity(m) for m in side]
        except KeyError:
            return None
        if len(set(ids)) != len(ids):
            return None
    return identity


def _hashable(value: Any) -> Hashable | None:
    """A scalar identity value, or None (a mapping or list cannot be an id)."""
    if value is None or isinstance(value, (Mapping, list)):
        return None
    try:
        hash(value)
    except TypeError:
        return None
    return value  # type: ignore[no-any-return]
