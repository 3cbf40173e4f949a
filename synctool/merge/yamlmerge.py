"""Structural YAML merge on ruamel.yaml round-trip trees.

Mappings merge key by key, sequences of mappings by an identity key, lists
of scalars as sets; the result is written from ours' tree so its comments,
key order, quoting and indentation stay. The line merge is tried first:
when it is clean and means the same data as the structural merge, its text
wins (it keeps every comment of both sides, exactly as git would). Anything
the structure cannot decide sends the whole file to the line merge.
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.tokens import CommentToken

from synctool.merge.structural import structural_merge
from synctool.merge.text import merge_text
from synctool.merge.types import DEFAULT_IDENTITY_KEYS, ContentMerge, Labels
from synctool.merge.union import (
    ABSENT,
    Merged,
    Undecided,
    identity_of,
    keyed_items,
    merge_keyed,
)

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


class _Merger:
    def __init__(self, identity_keys: Sequence[str]) -> None:
        self.identity_keys = identity_keys

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
            try:
                if kind is dict:
                    return self.mapping(path, base, ours, theirs)
                return self.sequence(path, base, ours, theirs)
            except Undecided:
                if ours_same:  # ours may be half-merged, but is dropped whole
                    return copy.deepcopy(theirs)
                raise
        if ours_same:
            # Theirs' nodes are copied into ours' tree, never shared: moving a
            # comment in one must not move it in the other.
            return copy.deepcopy(theirs)
        raise Undecided(f"{path or 'the document'} changed on both sides")

    def mapping(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        base_items = [] if base is ABSENT else list(base.items())
        merged = merge_keyed(
            base_items,
            list(ours.items()),
            list(theirs.items()),
            lambda k, b, o, t: self.node(_join(path, k), b, o, t),
            _same,
            check_order=False,  # key order is layout, not data
            describe=lambda k: _join(path, k),
        )
        keep = {m.key for m in merged}
        keys = list(ours)
        for i, key in enumerate(keys):
            if key in keep:
                continue
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
        for i, m in enumerate(merged):
            if m.ours is None:
                ours.insert(i, m.key, copy.deepcopy(m.value))
                comment = _eol_only(theirs.ca.items.get(m.key), 2)
                if comment:
                    ours.ca.items[m.key] = comment
            elif ours[m.key] is not m.value:
                ours[m.key] = m.value
        _carry_comments(ours, theirs, merged)
        return ours

    def sequence(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        sides = [[] if base is ABSENT else list(base), list(ours), list(theirs)]
        identity = identity_of(sides, self.identity_keys)
        if identity is not None:
            b, o, t = ([(identity(x), x) for x in side] for side in sides)
            merged = merge_keyed(
                b,
                o,
                t,
                lambda k, b, o, t: self.node(f"{path}[{k[1]}]", b, o, t),
                _same,
                check_order=True,
                describe=lambda k: f"{path}[{k[1]}]",
            )
            return _rebuild(ours, theirs, merged)
        if not any(isinstance(x, (dict, list)) for side in sides for x in side):
            kb, ko, kt = (keyed_items(side, canon) for side in sides)
            if kb is not None and ko is not None and kt is not None:
                merged = merge_keyed(
                    kb,
                    ko,
                    kt,
                    lambda k, b, o, t: o,
                    _same,
                    check_order=True,
                    describe=lambda k: f"{path}[{k[1]}]",
                )
                return _rebuild(ours, theirs, merged)
        # Matching items by position could blend an item one side removed
        # with one the other side edited: that is the line merge's call.
        raise Undecided(f"{path}: list changed on both sides, items have no identity")


def _rebuild(ours: Any, theirs: Any, merged: list[Merged[Any, Any]]) -> Any:
    """Refill ours' list in merged order; its comments follow their items."""
    kept = {m.ours for m in merged}
    last_kept = None
    for i in range(len(ours)):
        if i in kept:
            last_kept = i
        elif last_kept is not None:
            _give_after(ours, last_kept, _cut(ours, i))
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
    return ours


def _merge_docs(
    base: str, ours: str, theirs: str, identity_keys: Sequence[str]
) -> list[Any]:
    """The merged documents, built in ours' trees."""
    base_docs = _load(base, "the applied blueprint")
    ours_docs = _load(ours, "the service's file")
    theirs_docs = _load(theirs, "the declared blueprint")
    if not ours_docs or not theirs_docs:
        raise Undecided("a side holds no YAML document")
    if not base_docs:  # both added the file: merge against nothing
        base_docs = [ABSENT] * len(ours_docs)
    if not len(base_docs) == len(ours_docs) == len(theirs_docs):
        raise Undecided("the number of documents changed")
    merger = _Merger(identity_keys)
    return [
        merger.node("", b, o, t)
        for b, o, t in zip(base_docs, ours_docs, theirs_docs, strict=True)
    ]


def _write(merged: list[Any], ours: str, want: Any) -> str:
    """The merged documents as text, laid out like ours."""
    y = _yaml(guess_layout(ours), ours.lstrip().startswith("---"))
    out = _dump(merged, y)
    round_trip = _dump(_load(ours, "the service's file"), y)
    if round_trip != ours:
        # ruamel would re-lay parts of ours; apply only the merge's edits to
        # ours' own text, so the rest of the file stays byte for byte.
        labels = Labels("", "", "")
        splice = merge_text(round_trip.encode(), ours.encode(), out.encode(), labels)
        if splice.conflicts:
            raise Undecided("ours' layout does not survive a rewrite")
        out = splice.data.decode()
    if not _reads_as(out, want):
        raise Undecided("the merged tree does not write back faithfully")
    return out


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
    )
