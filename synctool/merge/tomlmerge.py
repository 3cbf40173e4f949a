"""Structural TOML merge on tomlkit documents (which round-trip exactly).

Tables merge key by key (a key or table theirs added goes after ours', where
tomlkit's public API puts it); arrays of strings as sets keeping ours' order and
layout, where a dependency is one item whatever its version
(``fastapi>=0.110`` -> ``fastapi>=0.115`` on one side is taken); arrays of
tables by an identity key. As for YAML, a clean line merge that means the
same data wins, and anything undecidable sends the file to the line merge.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from collections.abc import Callable, Sequence
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table

from synctool.merge.text import merge_text
from synctool.merge.types import ContentMerge, Labels
from synctool.merge.union import (
    ABSENT,
    Merged,
    Undecided,
    identity_of,
    keyed_items,
    merge_keyed,
)
from synctool.tree import DEFAULT_IDENTITY_KEYS


def _plain(node: Any) -> Any:
    return node.unwrap() if hasattr(node, "unwrap") else node


def _typed(value: Any) -> Any:
    """Plain data with types spelled out, so ``1`` never equals ``true``."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, value)


def canon(node: Any) -> Any:
    return _typed(_plain(node))


def _same(a: Any, b: Any) -> bool:
    return bool(canon(a) == canon(b))


def _requirement_name(item: Any) -> str | None:
    try:
        return canonicalize_name(Requirement(str(item)).name)
    except InvalidRequirement:
        return None


def _requirement_target(item: Any) -> tuple[str, str] | None:
    """A dependency's package and environment marker: the same package may
    be listed once per marker (`numpy>=1.24; python_version < '3.12'`)."""
    try:
        req = Requirement(str(item))
    except InvalidRequirement:
        return None
    return canonicalize_name(req.name), str(req.marker or "")


def _string_key(sides: Sequence[Sequence[Any]]) -> Callable[[Any], Any]:
    """Dependencies match by package name (and marker, when a package is
    listed once per marker); other strings by their text."""
    for key in (_requirement_name, _requirement_target):
        keys = [[key(x) for x in side] for side in sides]
        if all(None not in side and len(set(side)) == len(side) for side in keys):
            return key
    return canon


def _scalar(path: str, base: Any, ours: Any, theirs: Any) -> Any:
    if _same(ours, theirs) or (base is not ABSENT and _same(base, theirs)):
        return ours
    if base is not ABSENT and _same(base, ours):
        return theirs
    raise Undecided(f"{path or 'the document'} changed on both sides")


def _is_header(value: Any) -> bool:
    """A ``[table]`` or ``[[array]]``, which must come after plain keys."""
    return isinstance(value, (Table, AoT))


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


class _Merger:
    def __init__(self, identity_keys: Sequence[str]) -> None:
        self.identity_keys = identity_keys

    def node(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        if _same(ours, theirs) or (base is not ABSENT and _same(base, theirs)):
            return ours
        ours_same = base is not ABSENT and _same(base, ours)
        for kind, merge in ((dict, self.table), (list, self.array)):
            if (
                isinstance(ours, kind)
                and isinstance(theirs, kind)
                and (base is ABSENT or isinstance(base, kind))
                and type(ours) is type(theirs)  # an array of tables is no array
            ):
                try:
                    return merge(path, base, ours, theirs)
                except Undecided:
                    if ours_same:  # ours may be half-merged, but is dropped whole
                        return theirs
                    raise
        return _scalar(path, base, ours, theirs)

    def table(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        mine = list(ours.items())
        merged = merge_keyed(
            [] if base is ABSENT else list(base.items()),
            mine,
            list(theirs.items()),
            lambda k, b, o, t: self.node(_join(path, k), b, o, t),
            _same,
            check_order=False,  # key order is layout, not data
            describe=lambda k: _join(path, k),
        )
        keep = {m.key for m in merged}
        for key in [k for k in ours if k not in keep]:
            del ours[key]
        for m in merged:
            # A value merged in place (ours' own item) is left where it is:
            # setting it again would re-lay a split [table] or dotted keys.
            if m.ours is None or mine[m.ours][1] is not m.value:
                ours[m.key] = m.value
        if any(m.ours is None for m in merged):
            order = [m.key for m in merged]
            for header in (False, True):
                _reorder(ours, [k for k in order if _is_header(ours[k]) == header])
        return ours

    def array(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        sides = [[] if base is ABSENT else list(base), list(ours), list(theirs)]
        items = [x for side in sides for x in side]

        def label(k: Any) -> str:  # a package name, or a canonical value
            return f"{path}[{k if isinstance(k, str) else k[1]}]"

        key: Callable[[Any], Any]
        merge_item: Callable[[Any, Any, Any, Any], Any]
        if all(isinstance(x, dict) for x in items):
            identity = identity_of(sides, self.identity_keys)
            if identity is None:
                raise Undecided(f"{path}: array changed on both sides, no identity key")

            def key(x: Any) -> Any:
                return identity(x)

            def merge_item(k: Any, b: Any, o: Any, t: Any) -> Any:
                return self.node(label(k), b, o, t)

        elif not any(isinstance(x, (dict, list)) for x in items):
            strings = all(isinstance(x, str) for x in items)
            key = _string_key(sides) if strings else canon

            def merge_item(k: Any, b: Any, o: Any, t: Any) -> Any:
                return _scalar(label(k), b, o, t)

        else:  # matched by position, an item could blend with another
            raise Undecided(f"{path}: array changed on both sides, no identity key")
        kb, ko, kt = (keyed_items(side, key) for side in sides)
        if kb is None or ko is None or kt is None:
            raise Undecided(f"{path}: array changed on both sides, items repeat")
        merged = merge_keyed(
            kb, ko, kt, merge_item, _same, check_order=True, describe=label
        )
        return _apply(ours, sides[1], merged)


def _reorder(table: Any, order: list[str]) -> None:
    """Put the keys ``order`` names (all plain keys, or all [tables]) in that order.

    tomlkit's public API adds a key after the others of its kind, so the
    keys from the first one out of place on are removed and added again, in
    order. Not when a comment or blank line sits among them: it belongs to
    the key below it, and would stay behind (the new keys then stay last).
    """
    if isinstance(table, tomlkit.TOMLDocument):
        container: Any = table
    elif isinstance(table, Table):
        container = table.value
    else:  # a table split around others (tomlkit's proxy): left in its order
        return
    body = [(k.key if k is not None else None, v) for k, v in container.body]
    keys = [k for k, v in body if k in order]
    if keys == order or len(keys) != len(order):
        return
    first = next(i for i, (a, b) in enumerate(zip(keys, order, strict=True)) if a != b)
    start = next(i for i, (k, _) in enumerate(body) if k == keys[first])
    stop = max(i for i, (k, _) in enumerate(body) if k in order)
    if any(k is None for k, _ in body[start:stop]):
        return
    for key in order[first:]:
        item = table.item(key)
        del table[key]
        table[key] = item


def _apply(ours: Any, before: list[Any], merged: list[Merged[Any, Any]]) -> Any:
    """Edit ours' array in place (tomlkit keeps its layout and comments)."""
    keep = {m.ours for m in merged}
    for i in reversed(range(len(before))):
        if i not in keep:
            del ours[i]
    for i, m in enumerate(merged):
        if m.ours is None:
            ours.insert(i, m.value)
        elif m.value is not before[m.ours]:
            ours[i] = m.value
    if isinstance(ours, AoT):
        new = {i for i, m in enumerate(merged) if m.ours is None}
        _space_headers(list(enumerate(ours)), new)
    return ours


def _space_headers(items: list[tuple[Any, Any]], new: set[Any]) -> None:
    """A blank line between a new ``[table]`` and its neighbours, as people write.

    Cosmetic only: tomlkit keeps the blank line above a header in the
    table before it, and the last table of a file usually has none.
    """
    headers = [(k, v) for k, v in items if _is_header(v)]
    for (ka, a), (kb, _) in itertools.pairwise(headers):
        last = _last_table(a)
        if (ka in new or kb in new) and last and not last.as_string().endswith("\n\n"):
            last.add(tomlkit.nl())


def _last_table(item: Any) -> Any:
    """The table written last within a ``[table]`` or ``[[array]]``."""
    while True:
        if isinstance(item, AoT):
            if not len(item):
                return None
            item = item[-1]
        inner = [v for v in item.values() if _is_header(v)]
        if not inner:
            return item
        item = inner[-1]


def _parse(text: str, side: str) -> Any:
    """``text`` as a tomlkit document; Undecided when it is not valid TOML."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Undecided(f"the {side}'s file does not parse as TOML") from exc
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:  # valid TOML that tomlkit cannot keep as it is
        raise Undecided(f"tomlkit cannot read the {side}'s file") from exc


def _merge_docs(base: str, ours: str, theirs: str, identity_keys: Sequence[str]) -> Any:
    """The merged document, built in ours' tomlkit document."""
    b = _parse(base, "applied blueprint")
    o = _parse(ours, "service")
    t = _parse(theirs, "blueprint")
    try:
        return _Merger(identity_keys).node("", b if base.strip() else ABSENT, o, t)
    except TOMLKitError as exc:  # tomlkit refused an edit (e.g. a key redefined)
        raise Undecided(f"tomlkit cannot apply the merge: {exc}") from exc


def _reads_as(text: str, want: Any) -> bool:
    """Whether ``text`` holds exactly ``want``, by the standard library's reader."""
    try:
        return bool(_typed(tomllib.loads(text)) == want)
    except tomllib.TOMLDecodeError:
        return False


_HEADER = re.compile(r"^\s*\[\[?[^\]]+\]\]?\s*(#.*)?$")


def _tidy_blank_lines(out: str, ours: str, theirs: str) -> str:
    """Put back the blank line before a table header that had one.

    tomlkit keeps the blank line before a table as the trailing whitespace of
    the table above it, so inserting a table there moves the blank line to
    the wrong side of the new one. Headers that had a blank line before them
    in ours or theirs get it back (one, unless a side has runs of two), and
    the file ends as ours does.
    """
    spaced: set[str] = set()
    for text in (ours, theirs):
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if i and _HEADER.match(line) and not lines[i - 1].strip():
                spaced.add(line.strip())
    # Moving tables can leave two blank lines where either side had one.
    doubled = any("\n\n\n" in text for text in (ours, theirs))
    result: list[str] = []
    for line in out.splitlines():
        if _HEADER.match(line):
            while not doubled and result[-2:] == ["", ""]:
                result.pop()
            if line.strip() in spaced and result and result[-1].strip():
                result.append("")
        result.append(line)
    while result and not result[-1].strip():
        result.pop()
    trailing = len(ours) - len(ours.rstrip("\n"))
    return "\n".join(result) + "\n" * max(trailing, 1 if result else 0)


def merge_toml(
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
) -> ContentMerge:
    """Three-way merge of TOML files; whole-file line merge when undecidable.

    Only what the structure cannot decide (``Undecided``: a value changed on
    both sides, a side that is not TOML) falls back to the line merge, with
    the reason in the note. Any other exception is a bug and propagates.
    """
    text = merge_text(base, ours, theirs, labels)
    try:
        sides = base.decode(), ours.decode(), theirs.decode()
    except UnicodeDecodeError:
        return text._replace(note="toml: merged as text (not UTF-8)")
    try:
        merged = _merge_docs(*sides, identity_keys)
        want = canon(merged)
        # A clean line merge that means the same keeps both sides' comments
        # and layout, as git would.
        if not text.conflicts and _reads_as(text.data.decode(), want):
            return text._replace(driver="toml")
        out = _write(merged, sides[1], sides[2], want)
    except Undecided as why:
        return text._replace(note=f"toml: merged as text ({why})")
    return ContentMerge(out.encode(), 0, "toml")


def _write(merged: Any, ours: str, theirs: str, want: Any) -> str:
    try:
        out = tomlkit.dumps(merged)
    except TOMLKitError as exc:
        raise Undecided(f"tomlkit cannot write the merge: {exc}") from exc
    out = _tidy_blank_lines(out, ours, theirs)
    if not _reads_as(out, want):
        raise Undecided("the merged document does not write back faithfully")
    return out
