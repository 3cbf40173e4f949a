"""The three-way merge of one node: tables key by key, arrays by their items."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from synctool.merge.structural.places import join
from synctool.merge.toml.canon import canon, same
from synctool.merge.toml.edits import apply_array, is_header, reorder
from synctool.merge.toml.strings import string_key
from synctool.merge.union import (
    ABSENT,
    Undecided,
    identity_of,
    keyed_items,
    merge_keyed,
)


def _scalar(path: str, base: Any, ours: Any, theirs: Any) -> Any:
    if same(ours, theirs) or (base is not ABSENT and same(base, theirs)):
        return ours
    if base is not ABSENT and same(base, ours):
        return theirs
    raise Undecided(f"{path or 'the document'} changed on both sides")


class Merger:
    def __init__(self, identity_keys: Sequence[str]) -> None:
        self.identity_keys = identity_keys

    def node(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        if same(ours, theirs) or (base is not ABSENT and same(base, theirs)):
            return ours
        ours_same = base is not ABSENT and same(base, ours)
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
            lambda k, b, o, t: self.node(join(path, k), b, o, t),
            same,
            check_order=False,  # key order is layout, not data
            describe=lambda k: join(path, k),
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
                reorder(ours, [k for k in order if is_header(ours[k]) == header])
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
            key = string_key(sides) if strings else canon

            def merge_item(k: Any, b: Any, o: Any, t: Any) -> Any:
                return _scalar(label(k), b, o, t)

        else:  # matched by position, an item could blend with another
            raise Undecided(f"{path}: array changed on both sides, no identity key")
        kb, ko, kt = (keyed_items(side, key) for side in sides)
        if kb is None or ko is None or kt is None:
            raise Undecided(f"{path}: array changed on both sides, items repeat")
        merged = merge_keyed(
            kb, ko, kt, merge_item, same, check_order=True, describe=label
        )
        return apply_array(ours, sides[1], merged)
