"""Edits of ours' tree that keep its comments around the entries that stay."""

from __future__ import annotations

import copy
from typing import Any

from synctool.merge.union import Merged
from synctool.merge.yaml.comments import (
    carry_comments,
    cut,
    eol_only,
    give_after,
    give_before,
)


def remove_key(ours: Any, key: Any, keep: Any) -> None:
    """Delete ``key`` from ours' mapping; the comments around it stay put."""
    keys = list(ours)
    i = keys.index(key)
    lines = cut(ours, key, own=True)
    before = [k for k in keys[:i] if k in keep]
    after = [k for k in keys[i + 1 :] if k in keep]
    if before:
        give_after(ours, before[-1], lines)
    elif after and lines:
        give_before(ours, after[0], lines)
    del ours[key]
    ours.ca.items.pop(key, None)


def replace(container: Any, key: Any, value: Any) -> None:
    """``container[key] = value``; the comment lines ours had after the old
    entry (ruamel hangs them on it: they are about the next one) stay."""
    tail = cut(container, key)
    container[key] = value
    theirs_tail = cut(container, key)  # the same lines, as theirs has them
    give_after(container, key, tail or theirs_tail)


def rebuild(ours: Any, theirs: Any, merged: list[Merged[Any, Any]]) -> Any:
    """Refill ours' list in merged order; its comments follow their items."""
    kept = {m.ours for m in merged}
    at = {m.ours: n for n, m in enumerate(merged) if m.ours is not None}
    # The comment lines after an item ours lost (or whose value was
    # replaced) are about what follows: they go just above ours' next item.
    tails: dict[int, str] = {}
    for i in range(len(ours)):
        if i in kept and merged[at[i]].value is ours[i]:
            continue
        lines = cut(ours, i)
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
            comments[i] = eol_only(theirs.ca.items[m.theirs], 0)
    values = [copy.deepcopy(m.value) if m.ours is None else m.value for m in merged]
    list.clear(ours)
    list.extend(ours, values)
    ours.ca.items.clear()
    ours.ca.items.update(comments)
    carry_comments(ours, theirs, merged)
    for n, lines in tails.items():
        theirs_lines = cut(ours, n) if merged[n].ours is None or lines else ""
        give_after(ours, n, lines or theirs_lines)
    return ours
