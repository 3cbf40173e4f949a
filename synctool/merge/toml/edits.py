"""Edits to ours' tomlkit document that keep its layout and comments."""

from __future__ import annotations

import itertools
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from synctool.merge.union import Merged


def is_header(value: Any) -> bool:
    """A ``[table]`` or ``[[array]]``, which must come after plain keys."""
    return isinstance(value, (Table, AoT))


def reorder(table: Any, order: list[str]) -> None:
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


def apply_array(ours: Any, before: list[Any], merged: list[Merged[Any, Any]]) -> Any:
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
    headers = [(k, v) for k, v in items if is_header(v)]
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
        inner = [v for v in item.values() if is_header(v)]
        if not inner:
            return item
        item = inner[-1]
