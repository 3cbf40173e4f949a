"""Structural TOML merge on tomlkit documents (which round-trip exactly).

Tables merge key by key; arrays of strings as sets keeping ours' order and
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
from tomlkit.items import AoT, Table

from synctool.merge.structural import structural_merge
from synctool.merge.types import DEFAULT_IDENTITY_KEYS, ContentMerge, Labels
from synctool.merge.union import (
    ABSENT,
    Merged,
    Undecided,
    identity_of,
    keyed_items,
    merge_keyed,
)


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


def _string_key(sides: Sequence[Sequence[Any]]) -> Callable[[Any], Any]:
    """Dependencies match by package name; other strings by their text."""
    names = [[_requirement_name(x) for x in side] for side in sides]
    if all(None not in side and len(set(side)) == len(side) for side in names):
        return _requirement_name
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
        merged = merge_keyed(
            [] if base is ABSENT else list(base.items()),
            list(ours.items()),
            list(theirs.items()),
            lambda k, b, o, t: self.node(_join(path, k), b, o, t),
            _same,
            check_order=False,  # key order is layout, not data
            describe=lambda k: _join(path, k),
        )
        keep = {m.key for m in merged}
        for key in [k for k in ours if k not in keep]:
            del ours[key]
        body = ours if isinstance(ours, tomlkit.TOMLDocument) else ours.value
        previous = None
        for m in merged:
            if m.ours is None:
                header = _is_header(m.value)
                if previous is not None and header == _is_header(ours[previous]):
                    body._insert_after(previous, m.key, m.value)
                elif previous is None and not header:
                    body._insert_at(0, m.key, m.value)
                else:  # a key=value never goes under a [table]: tomlkit places it
                    ours[m.key] = m.value
            elif ours[m.key] is not m.value:
                ours[m.key] = m.value
            previous = m.key
        _space_headers(list(ours.items()), {m.key for m in merged if m.ours is None})
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


def _merge_docs(base: str, ours: str, theirs: str, identity_keys: Sequence[str]) -> Any:
    """The merged document, built in ours' tomlkit document."""
    docs = []
    for text, side in (
        (base, "applied blueprint"),
        (ours, "service"),
        (theirs, "blueprint"),
    ):
        try:
            docs.append(tomlkit.parse(text))
        except Exception as exc:  # tomlkit raises several kinds; all mean "unusable"
            raise Undecided(f"the {side}'s file does not parse as TOML") from exc
    b, o, t = docs
    return _Merger(identity_keys).node("", b if base.strip() else ABSENT, o, t)


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
    in ours or theirs get it back, and the file ends as ours does.
    """
    spaced: set[str] = set()
    for text in (ours, theirs):
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if i and _HEADER.match(line) and not lines[i - 1].strip():
                spaced.add(line.strip())
    result: list[str] = []
    for line in out.splitlines():
        if (
            _HEADER.match(line)
            and line.strip() in spaced
            and result
            and result[-1].strip()
        ):
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
    """Three-way merge of TOML files; whole-file line merge when undecidable."""
    return structural_merge(
        "toml",
        base,
        ours,
        theirs,
        labels,
        merge_docs=lambda b, o, t: _merge_docs(b, o, t, identity_keys),
        canon=canon,
        reads_as=_reads_as,
        write=_write,
    )


def _write(merged: Any, ours: str, theirs: str, want: Any) -> str:
    try:
        out = tomlkit.dumps(merged)
    except Exception as exc:  # a tree tomlkit cannot write is undecided too
        raise Undecided("the merged document cannot be written") from exc
    out = _tidy_blank_lines(out, ours, theirs)
    if not _reads_as(out, want):
        raise Undecided("the merged document does not write back faithfully")
    return out
