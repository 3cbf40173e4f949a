"""A merge with clashes written out with each clash taken from a chosen side."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from synctool.merge.union import ABSENT
from synctool.merge.yaml.canon import canon
from synctool.merge.yaml.conflicts import Conflict
from synctool.merge.yaml.edits import remove_key
from synctool.merge.yaml.writer import Writer

_MARK = "b7e1c04a"  # with the clash's number: a value no file holds


def render(
    docs: list[Any],
    conflicts: list[Conflict],
    write: Writer,
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
            remove_key(container, key, set(container) - {key})
        else:
            del container[key]
    return write(copied, canon(copied) if checked else None)
