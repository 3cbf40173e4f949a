"""Structural YAML merge on ruamel.yaml round-trip trees.

Mappings merge key by key. Sequences of mappings merge by an identity key
(``id``, ``name``, ``uses`` or the policy's), or else with items paired by
content; lists of scalars are ordered sequences, their items known by a
name where they have one (a package of a dependency list, the variable of
a ``KEY=value``). Documents of a multi-document file are known by kind and
``metadata.name`` (Kubernetes manifests), else by position or content.

The result is written from ours' tree so its comments, key order, quoting
and indentation stay. The line merge is tried first: when it is clean and
means the same data as the structural merge, its text wins (it keeps every
comment of both sides, exactly as git would). A place both sides changed
differently is a conflict on that place only: git-style markers around its
lines, the rest of the file merged. What the structure cannot read at all
(anchors, a side that does not parse) goes to the line merge, whose clean
result must still parse.
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.tokens import CommentToken

from synctool.merge.structural import (
    Clash,
    Localized,
    Step,
    align,
    leaves,
    likeness,
    merge_sequence,
    scalar_key,
    structural_merge,
)
from synctool.merge.text import merge_text
from synctool.merge.types import ContentMerge, Labels
from synctool.merge.union import (
    ABSENT,
    Merged,
    Undecided,
    identity_of,
    merge_keyed,
)
from synctool.tree import DEFAULT_IDENTITY_KEYS

Layout = tuple[int, int, int]  # mapping indent, sequence indent, dash offset


def _yaml(layout: Layout = (2, 2, 0), explicit_start: bool = False) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 16  # never re-wrap a long line of ours
    y.indent(mapping=layout[0], sequence=layout[1], offset=layout[2])
    y.explicit_start = explicit_start
    return y


def _anchored(docs: list[Any]) -> bool:
    stack = list(docs)
    while stack:
        node = stack.pop()
        if getattr(getattr(node, "anchor", None), "value", None):
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _load(text: str, side: str) -> list[Any]:
    try:
        docs = list(_yaml().load_all(text))
    except Exception as exc:  # ruamel raises many kinds; all mean "unusable"
        raise Undecided(f"{side} does not parse as YAML") from exc
    # An anchor's node is shared by its aliases (and ``<<`` merge keys);
    # merging each place on its own could split or break them.
    if _anchored(docs):
        raise Undecided(f"{side} uses anchors or aliases")
    return docs


def _dump(docs: Sequence[Any], y: YAML) -> str:
    out = io.StringIO()
    y.dump_all(docs, out)
    return out.getvalue()


_KEY_LINE = re.compile(r"^(?P<lead>[ -]*)(?P<key>[^\s#-][^#]*?):\s*(?:#.*)?$")


def guess_layout(text: str) -> Layout:
    """The indentation ours uses, from each ``key:`` line and the line under it."""
    maps: Counter[int] = Counter()
    seqs: Counter[tuple[int, int]] = Counter()
    key_col: int | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        col = len(line) - len(stripped)
        if key_col is not None:
            if stripped.startswith("- "):
                content = col + 2 + len(stripped[2:]) - len(stripped[2:].lstrip(" "))
                if col >= key_col:
                    seqs[(content - key_col, col - key_col)] += 1
            elif col > key_col:
                maps[col - key_col] += 1
        match = _KEY_LINE.match(line)
        key_col = len(match["lead"]) if match else None
    mapping = maps.most_common(1)[0][0] if maps else 2
    sequence, offset = seqs.most_common(1)[0][0] if seqs else (mapping, 0)
    return mapping, max(sequence, offset + 2), offset


def _tag(node: Any) -> Any:
    tag = getattr(node, "tag", None)
    return getattr(tag, "value", tag)


def canon(node: Any) -> Any:
    """A plain value for comparing nodes: typed, tagged, blind to layout."""
    if isinstance(node, dict):
        try:
            return ("map", _tag(node), {canon(k): canon(v) for k, v in node.items()})
        except TypeError as exc:
            raise Undecided("a mapping has a complex key") from exc
    if isinstance(node, list):
        return ("seq", _tag(node), [canon(x) for x in node])
    if isinstance(node, TaggedScalar):
        return ("tagged", _tag(node), str(node.value))
    if isinstance(node, (bool, ScalarBoolean)):  # before int: both are ints
        return ("bool", bool(node))
    for kind in (int, float, str):
        if isinstance(node, kind):
            return (kind.__name__, kind(node))
    return (type(node).__name__, node)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _same(a: Any, b: Any) -> bool:
    return bool(canon(a) == canon(b))


def _block(node: Any) -> bool:
    return (
        isinstance(node, (CommentedMap, CommentedSeq))
        and len(node) > 0
        and (not node.fa.flow_style())
    )


def _tail(parent: Any, key: Any) -> tuple[dict[Any, Any], Any, int]:
    """Where the comment after the entry ``parent[key]`` is kept by ruamel."""
    while _block(parent[key]):
        parent = parent[key]
        key = next(reversed(parent)) if isinstance(parent, dict) else len(parent) - 1
    return parent.ca.items, key, 2 if isinstance(parent, dict) else 0


def _cut(parent: Any, key: Any, own: bool = False) -> str:
    """Cut the comment lines after entry ``parent[key]`` (with ``own``: and before).

    ruamel hangs a comment block on the entry above it (sometimes below
    it), so a block follows the wrong entry when entries come and go; it
    is cut out here to be given to the entry it belongs to.
    """
    entry = parent.ca.items.get(key) if isinstance(parent, CommentedMap) else None
    before = "".join(tok.value for tok in (entry[1] or [])) if own and entry else ""
    items, k, slot = _tail(parent, key)
    tok = (items.get(k) or [None] * 4)[slot]
    if tok is None or "\n" not in tok.value.rstrip("\n"):
        return before
    head, rest = str(tok.value).split("\n", 1)
    tok.value = head + "\n"
    return before + rest


def _give_after(parent: Any, key: Any, text: str) -> None:
    if not text:
        return
    items, k, slot = _tail(parent, key)
    entry = items.setdefault(k, [None] * 4)
    if entry[slot] is None:
        entry[slot] = CommentToken("\n" + text, CommentMark(0))
    else:
        entry[slot].value += text


def _carry_comments(ours: Any, theirs: Any, merged: list[Merged[Any, Any]]) -> None:
    """Comments around the entries theirs added, once ``ours`` is ``merged``.

    The block above a new entry in theirs comes with it; the block ours had
    after the entry now before it stays above the entry it was written for.
    """
    keys, their_keys = (
        list(x) if isinstance(x, dict) else range(len(x)) for x in (ours, theirs)
    )
    new = [(i, m.theirs) for i, m in enumerate(merged) if m.ours is None]
    for i, j in new:
        assert j is not None  # an entry ours lacks comes from theirs
        _cut(ours, keys[i])  # theirs' block for theirs' next entry
        moved = _cut(ours, keys[i - 1]) if i else ""
        lead = _cut(theirs, their_keys[j - 1]) if j else ""
        if i:
            _give_after(ours, keys[i - 1], lead)
        elif lead and isinstance(ours, CommentedMap):
            entry = ours.ca.items.setdefault(keys[i], [None] * 4)
            entry[1] = [CommentToken(lead, CommentMark(0)), *(entry[1] or [])]
        _give_after(ours, keys[i], moved)


def _eol_only(entry: list[Any] | None, slot: int) -> list[Any] | None:
    """Theirs' comments for an entry it adds, less lines that belong to the next one."""
    if entry is None:
        return None
    entry = list(entry)
    tok = entry[slot]
    if tok is not None:
        head = tok.value.split("\n", 1)[0]
        entry[slot] = CommentToken(head + "\n", tok.start_mark) if head else None
    return entry


class _Clash(NamedTuple):
    """A place the two sides changed differently (ABSENT: a side removed it)."""

    base: Any
    ours: Any
    theirs: Any
    why: str


class _Conflict(NamedTuple):
    """A clash placed in the merged tree: ``container[key]`` holds ours'
    version (theirs' where ours removed it) until it is rendered."""

    container: Any  # a mapping or sequence of the merged tree, or its documents
    key: Any  # the key, or the index
    clash: _Clash


def _merged_text(base: Any, ours: Any, theirs: Any) -> Any:
    """A multi-line string (a `run: |` block) changed on both sides, merged
    line by line as git would; ours' scalar style kept. None: the lines clash."""
    sides = (base, ours, theirs)
    if not all(isinstance(x, str) and "\n" in x for x in sides):
        return None
    b, o, t = (str(x).encode("utf-8", "surrogateescape") for x in sides)
    merged = merge_text(b, o, t, Labels())
    if merged.conflicts:
        return None
    text = merged.data.decode("utf-8", "surrogateescape")
    return type(ours)(text) if type(ours) is not str else text


def _frozen(value: Any) -> Hashable:
    """``canon``'s value made hashable, to know an item by its content."""
    if isinstance(value, dict):
        return frozenset((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(x) for x in value)
    return value  # type: ignore[no-any-return]


def _plain(node: Any) -> Any:
    """Nested dicts and lists of canonical scalars: what ``leaves`` reads."""
    if isinstance(node, dict):
        return {canon(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(x) for x in node]
    return canon(node)


def _item_identity(item: Any, names: Sequence[str]) -> Hashable | None:
    """An item's identity as ``identity_of`` knows it, or None."""
    if not isinstance(item, dict):
        return None
    for name in names:
        value = item.get(name)
        if value is None or isinstance(value, (dict, list)):
            continue
        if name == "uses" and isinstance(value, str):
            value = value.split("@", 1)[0]
        return (name, canon(value))
    return None


def _doc_name(identity: Any) -> str:
    kind, _namespace, name = identity
    return f"{kind[1]} {name[1]}"


def _doc_identity(doc: Any) -> Hashable | None:
    """A Kubernetes-style document's identity: kind, namespace and name."""
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or doc.get("kind") is None:
        return None
    name, namespace = meta.get("name"), meta.get("namespace")
    if name is None or isinstance(name, (dict, list)):
        return None
    if isinstance(namespace, (dict, list)):
        return None
    return (canon(doc["kind"]), canon(namespace), canon(name))


class _Merger:
    def __init__(self, identity_keys: Sequence[str]) -> None:
        self.identity_keys = identity_keys
        self.conflicts: list[_Conflict] = []

    def guarded(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        """The merged node, or a ``_Clash`` where the sides changed it differently."""
        mark = len(self.conflicts)
        try:
            return self.node(path, base, ours, theirs)
        except Undecided as why:
            del self.conflicts[mark:]
            return _Clash(base, ours, theirs, str(why))

    def settle(self, container: Any, key: Any, value: Any) -> Any:
        """What goes in the tree at ``key``; a clash is recorded to be marked."""
        if not isinstance(value, _Clash):
            return value
        self.conflicts.append(_Conflict(container, key, value))
        return value.ours if value.ours is not ABSENT else copy.deepcopy(value.theirs)

    def node(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        if _same(ours, theirs):
            return ours
        if base is not ABSENT and _same(base, theirs):
            return ours
        ours_same = base is not ABSENT and _same(base, ours)
        kind = (
            dict if isinstance(ours, dict) else list if isinstance(ours, list) else None
        )
        if (
            kind is not None
            and isinstance(theirs, kind)
            and (base is ABSENT or isinstance(base, kind))
            and _tag(ours) == _tag(theirs)
        ):
            mark = len(self.conflicts)
            try:
                if kind is dict:
                    merged = self.mapping(path, base, ours, theirs)
                else:
                    merged = self.sequence(path, base, ours, theirs)
            except Undecided:
                if not ours_same:
                    raise
                merged = None
            # Ours unchanged cannot clash; if the structure says otherwise,
            # theirs is taken whole (ours may be half-merged, but is dropped).
            if ours_same and (merged is None or len(self.conflicts) > mark):
                del self.conflicts[mark:]
                return copy.deepcopy(theirs)
            return merged
        if ours_same:
            # Theirs' nodes are copied into ours' tree, never shared: moving a
            # comment in one must not move it in the other.
            return copy.deepcopy(theirs)
        text = _merged_text(base, ours, theirs)
        if text is not None:
            return text
        raise Undecided(f"{path or 'the document'} changed on both sides")

    def mapping(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        base_items = [] if base is ABSENT else list(base.items())
        merged = merge_keyed(
            base_items,
            list(ours.items()),
            list(theirs.items()),
            lambda k, b, o, t: self.guarded(_join(path, k), b, o, t),
            _same,
            check_order=False,  # key order is layout, not data
            describe=lambda k: _join(path, k),
            clash=lambda _k, b, o, t, why: _Clash(b, o, t, why),
        )
        merged = [m._replace(value=self.settle(ours, m.key, m.value)) for m in merged]
        keep = {m.key for m in merged}
        for key in list(ours):
            if key not in keep:
                _remove_key(ours, key, keep)
        for i, m in enumerate(merged):
            if m.ours is None:
                ours.insert(i, m.key, copy.deepcopy(m.value))
                comment = _eol_only(theirs.ca.items.get(m.key), 2)
                if comment:
                    ours.ca.items[m.key] = comment
            elif ours[m.key] is not m.value:
                _replace(ours, m.key, m.value)
        _carry_comments(ours, theirs, merged)
        return ours

    def sequence(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        sides = [[] if base is ABSENT else list(base), list(ours), list(theirs)]
        items = [x for side in sides for x in side]
        merged: list[Merged[Any, Any]]
        if all(isinstance(x, dict) for x in items):
            identity = identity_of(sides, self.identity_keys)
            if identity is not None:
                b, o, t = ([(identity(x), x) for x in side] for side in sides)
                merged = _in_order(
                    path,
                    b,
                    o,
                    t,
                    lambda k, b, o, t: self.guarded(f"{path}[{k[1]}]", b, o, t),
                    lambda k: f"{path}[{k[1]}]",
                )
            else:
                names = self.identity_keys
                merged = self.aligned(
                    path,
                    sides,
                    lambda x: _item_identity(x, names),
                    lambda i: f"{path}[{i}]",
                )
        elif not any(isinstance(x, (dict, list)) for x in items):
            merged = self.scalars(path, sides)
        else:
            # Matching items by position could blend an item one side removed
            # with one the other side edited: that is for the user to decide.
            raise Undecided(
                f"{path}: list changed on both sides, items have no identity"
            )
        merged = [
            m._replace(value=self.settle(ours, i, m.value))
            for i, m in enumerate(merged)
        ]
        return _rebuild(ours, theirs, merged)

    def scalars(self, path: str, sides: list[list[Any]]) -> list[Merged[Any, Any]]:
        """A list of scalars: by name (packages, variables), else in order."""
        key = scalar_key(sides)
        if key is not None:
            b, o, t = ([(key(x), x) for x in side] for side in sides)

            def item(k: Any, b: Any, o: Any, t: Any) -> Any:
                if _same(o, t) or (b is not ABSENT and _same(b, t)):
                    return o
                if b is not ABSENT and _same(b, o):
                    return t
                return _Clash(b, o, t, f"{path}[{k}] changed on both sides")

            return _in_order(path, b, o, t, item, lambda k: f"{path}[{k}]")
        base, ours, theirs = ([canon(x) for x in side] for side in sides)
        steps = merge_sequence(
            base, ours, theirs, path=path, describe=lambda i: f"{path}[{sides[0][i]}]"
        )
        return self.merged_steps(path, sides, steps)

    def aligned(
        self,
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
        found = {id(x): leaves(_plain(x)) for side in sides for x in side}
        lone = {id(side[0]) for side in sides if len(side) == 1}

        def score(a: Any, b: Any) -> float:
            ia, ib = identity(a), identity(b)
            if ia is not None and ib is not None:
                return 1.0 if ia == ib else 0.0
            if _same(a, b):
                return 1.0
            la, lb = found[id(a)], found[id(b)]
            alike = likeness(la, lb)
            if min(la.total(), lb.total()) >= 3 and (la & lb).total() < 2:
                alike = 0.0  # one value of many in common is chance
            return max(alike, in_place) if {id(a), id(b)} <= lone else alike

        base = sides[0]
        keys: list[list[Hashable]] = [[("base", i) for i in range(len(base))]]
        for side in sides[1:]:
            paired = align(
                base, side, score, threshold, key=lambda x: _frozen(canon(x))
            )
            pairs = {j: i for i, j in paired.items()}
            # An item found unchanged elsewhere than at its place was moved:
            # it is base's item, so a change to it on the other side shows.
            loose: dict[Hashable, list[int]] = {}
            for i, x in enumerate(base):
                if i not in paired:
                    loose.setdefault(_frozen(canon(x)), []).append(i)
            for j, x in enumerate(side):
                spare = loose.get(_frozen(canon(x))) if j not in pairs else None
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
                known = identity(x) or ("new", _frozen(canon(x)))
                side_keys.append((known, seen[known]))
                seen[known] += 1
            keys.append(side_keys)

        def edited(from_theirs: bool, i: int, j: int) -> bool:
            return not _same(base[i], sides[2 if from_theirs else 1][j])

        steps = merge_sequence(
            keys[0],
            keys[1],
            keys[2],
            edited=edited,
            path=path,
            describe=name,
        )
        return self.merged_steps(path, sides, steps, name)

    def merged_steps(
        self,
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
                value: Any = _Clash(b, o, t, s.clash)
            elif o is not ABSENT and t is not ABSENT:
                where = name(at) if name else f"{path}[{at}]"
                value = self.guarded(where, b, o, t)
            else:
                value = o if o is not ABSENT else t
            out.append(Merged(s.base, value, s.ours, s.theirs))
        return out


def _in_order(
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
            _same,
            check_order=True,
            describe=describe,
            clash=lambda _k, b, o, t, why: _Clash(b, o, t, why),
        )
    except Undecided as why:
        raise Undecided(f"{path or 'the document'}: {why}") from why


def _remove_key(ours: Any, key: Any, keep: Any) -> None:
    """Delete ``key`` from ours' mapping; the comments around it stay put."""
    keys = list(ours)
    i = keys.index(key)
    lines = _cut(ours, key, own=True)
    before = [k for k in keys[:i] if k in keep]
    after = [k for k in keys[i + 1 :] if k in keep]
    if before:
        _give_after(ours, before[-1], lines)
    elif after and lines:
        entry = ours.ca.items.setdefault(after[0], [None] * 4)
        entry[1] = [CommentToken(lines, CommentMark(0)), *(entry[1] or [])]
    del ours[key]
    ours.ca.items.pop(key, None)


def _replace(container: Any, key: Any, value: Any) -> None:
    """``container[key] = value``; the comment lines ours had after the old
    entry (ruamel hangs them on it: they are about the next one) stay."""
    tail = _cut(container, key)
    container[key] = value
    theirs_tail = _cut(container, key)  # the same lines, as theirs has them
    _give_after(container, key, tail or theirs_tail)


def _rebuild(ours: Any, theirs: Any, merged: list[Merged[Any, Any]]) -> Any:
    """Refill ours' list in merged order; its comments follow their items."""
    kept = {m.ours for m in merged}
    at = {m.ours: n for n, m in enumerate(merged) if m.ours is not None}
    # The comment lines after an item ours lost (or whose value was
    # replaced) are about what follows: they go just above ours' next item.
    tails: dict[int, str] = {}
    for i in range(len(ours)):
        if i in kept and merged[at[i]].value is ours[i]:
            continue
        lines = _cut(ours, i)
        if i in kept:
            tails[at[i]] = tails.get(at[i], "") + lines
            continue
        after = next((at[k] - 1 for k in range(i + 1, len(ours)) if k in kept), None)
        where = len(merged) - 1 if after is None else after
        if where >= 0:
            tails[where] = tails.get(where, "") + lines
    comments: dict[int, Any] = {}
    for i, m in enumerate(merged):
        if m.ours is not None and m.ours in ours.ca.items:
            comments[i] = ours.ca.items[m.ours]
        elif m.ours is None and m.theirs in theirs.ca.items:
            comments[i] = _eol_only(theirs.ca.items[m.theirs], 0)
    values = [copy.deepcopy(m.value) if m.ours is None else m.value for m in merged]
    list.clear(ours)
    list.extend(ours, values)
    ours.ca.items.clear()
    ours.ca.items.update(comments)
    _carry_comments(ours, theirs, merged)
    for n, lines in tails.items():
        theirs_lines = _cut(ours, n) if merged[n].ours is None or lines else ""
        _give_after(ours, n, lines or theirs_lines)
    return ours


def _merge_docs(
    base: str, ours: str, theirs: str, identity_keys: Sequence[str]
) -> list[Any] | Localized:
    """The merged documents, built in ours' trees, with the places that clash."""
    base_docs = _load(base, "the applied blueprint")
    ours_docs = _load(ours, "the service's file")
    theirs_docs = _load(theirs, "the declared blueprint")
    if not ours_docs or not theirs_docs:
        raise Undecided("a side holds no YAML document")
    if _same(ours_docs, theirs_docs) or _same(base_docs, theirs_docs):
        return ours_docs  # (ours as base with theirs' data: merged, for its comments)
    # Ours as read, for the writer (the merge is built in ours' trees): a
    # copy costs a fraction of reading the file again.
    writer = _Writer(ours, copy.deepcopy(ours_docs))
    merger = _Merger(identity_keys)
    sides = [base_docs, ours_docs, theirs_docs]
    ids = [[_doc_identity(d) for d in side] for side in sides]
    ours_same = _same(base_docs, ours_docs)  # then only ours' comments are kept
    try:
        merged = _doc_steps(merger, sides, ids)
    except Undecided as why:  # documents moved or replaced on both sides
        if ours_same:
            return copy.deepcopy(theirs_docs)
        where = "" if str(why).startswith("the documents") else "the documents: "
        raise Clash(f"{where}{why}") from why
    docs: list[Any] = []
    for m in merged:
        value = merger.settle(docs, len(docs), m.value)
        docs.append(value if m.ours is not None else copy.deepcopy(value))
    if not merger.conflicts:
        return docs
    if ours_same:
        return copy.deepcopy(theirs_docs)
    conflicts = list(merger.conflicts)
    return Localized(
        [c.clash.why for c in conflicts],
        lambda choice: _render(docs, conflicts, writer, choice),
    )


def _doc_steps(
    merger: _Merger, sides: list[list[Any]], ids: list[list[Hashable | None]]
) -> list[Merged[Any, Any]]:
    """The documents of the three sides, matched: by name, or by content."""
    base_docs, ours_docs, theirs_docs = sides
    known = all(None not in x and len(set(x)) == len(x) for x in ids)
    merged: list[Merged[Any, Any]]
    if known:  # Kubernetes-style manifests: by kind and name
        b, o, t = (
            [(k, d) for k, d in zip(x, side, strict=True)]
            for x, side in zip(ids, sides, strict=True)
        )
        merged = merge_keyed(
            b,
            o,
            t,
            lambda k, b, o, t: merger.guarded(_doc_name(k), b, o, t),
            _same,
            check_order=True,
            describe=_doc_name,
            clash=lambda _k, b, o, t, why: _Clash(b, o, t, why),
        )
    elif not base_docs:  # both added the file: merge against nothing
        if len(ours_docs) != len(theirs_docs):
            raise Undecided("the number of documents differs")
        merged = [
            Merged(
                i, merger.guarded(f"document {i + 1}" if i else "", ABSENT, o, t), i, i
            )
            for i, (o, t) in enumerate(zip(ours_docs, theirs_docs, strict=True))
        ]
    else:  # documents without names: paired with base's by content
        merged = merger.aligned(
            "the documents",
            sides,
            _doc_identity,
            lambda i: f"document {i + 1}" if i else "",
            threshold=0.2,  # a document is large: a little alike is the same one
            in_place=0.25,
        )
    return merged


_MARK = "b7e1c04a"  # with the clash's number: a value no file holds


def _render(
    docs: list[Any],
    conflicts: list[_Conflict],
    write: _Writer,
    choice: Mapping[int, str],
) -> str:
    """The merged documents with each clash taken from the side ``choice`` names.

    Only ours' version (the text around the conflicts) is read back to
    check it: each read of a large file costs as much as the merge.
    """
    sides = set(choice.values())
    checked = sides <= {"ours"}
    picked = [
        f"synctool-conflict-{n}-{_MARK}"  # a line found nowhere else: where it is
        if choice.get(n, "ours") == "mark"
        else getattr(c.clash, choice.get(n, "ours"))
        for n, c in enumerate(conflicts)
    ]
    if all(v is not ABSENT for v in picked):
        # Nothing to remove: each clash's value is put in place and back,
        # with no copy of the whole tree.
        held = [c.container[c.key] for c in conflicts]
        try:
            for c, value, was in zip(conflicts, picked, held, strict=True):
                if value is not was:
                    c.container[c.key] = copy.deepcopy(value)
            return write(docs, canon(docs) if checked else None)
        finally:
            for c, was in zip(conflicts, held, strict=True):
                c.container[c.key] = was
    copied, containers = copy.deepcopy((docs, [c.container for c in conflicts]))
    removed: list[tuple[Any, Any]] = []
    for n, (c, container) in enumerate(zip(conflicts, containers, strict=True)):
        side = choice.get(n, "ours")
        if side == "mark":  # a line found nowhere else: where the clash is
            container[c.key] = f"synctool-conflict-{n}-{_MARK}"
            continue
        value = c.clash.ours if side == "ours" else getattr(c.clash, side)
        if value is ABSENT:
            removed.append((container, c.key))
        elif side != "ours":
            container[c.key] = copy.deepcopy(value)
    # Later indexes first, so that removing one leaves the others in place.
    removed.sort(key=lambda r: r[1] if isinstance(r[0], list) else 0, reverse=True)
    for container, key in removed:
        if isinstance(container, dict):
            _remove_key(container, key, set(container) - {key})
        else:
            del container[key]
    return write(copied, canon(copied) if checked else None)


class _Writer:
    """Writes merged documents laid out like ours (``ours`` read once)."""

    def __init__(self, ours: str, docs: list[Any] | None = None) -> None:
        self.ours = ours
        self.docs = docs  # ours' documents as read, if at hand
        self.yaml = _yaml(guess_layout(ours), ours.lstrip().startswith("---"))
        self.round_trip: str | None = None

    def __call__(self, merged: list[Any], want: Any) -> str:
        """The text; read back to check it means ``want`` (unless None)."""
        ours = self.ours
        out = _dump(merged, self.yaml)
        if self.round_trip is None:
            docs = self.docs or _load(ours, "the service's file")
            self.round_trip = _dump(docs, self.yaml)
            self.docs = None
        if self.round_trip != ours:
            # ruamel would re-lay parts of ours; apply only the merge's edits
            # to ours' own text, so the rest of the file stays byte for byte.
            labels = Labels("", "", "")
            splice = merge_text(
                self.round_trip.encode(), ours.encode(), out.encode(), labels
            )
            if splice.conflicts:
                raise Undecided("ours' layout does not survive a rewrite")
            out = splice.data.decode()
        if want is not None and not _reads_as(out, want):
            raise Undecided("the merged tree does not write back faithfully")
        return out


def _write(merged: list[Any], ours: str, want: Any) -> str:
    """The merged documents as text, laid out like ours."""
    return _Writer(ours)(merged, want)


def _reads_as(text: str, want: Any) -> bool:
    try:
        return bool(canon(list(_yaml().load_all(text))) == want)
    except Exception:  # unparsable text means "no"
        return False


def merge_yaml(
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
) -> ContentMerge:
    """Three-way merge of YAML files; whole-file line merge when undecidable."""
    return structural_merge(
        "yaml",
        base,
        ours,
        theirs,
        labels,
        merge_docs=lambda b, o, t: _merge_docs(b, o, t, identity_keys),
        canon=canon,
        reads_as=_reads_as,
        write=lambda merged, o, _t, want: _write(merged, o, want),
        valid=_valid,
    )


def _valid(text: str) -> bool:
    """Whether ``text`` parses as YAML, with no key twice in a mapping."""
    try:
        list(_yaml().load_all(text))
    except Exception:  # ruamel raises many kinds; all mean "no"
        return False
    return True
