"""The three-way merge of one node: mappings key by key, lists by their items."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from synctool.merge.structural.places import join
from synctool.merge.union import ABSENT, Merged, Undecided, identity_of, merge_keyed
from synctool.merge.yaml import lists, pairing
from synctool.merge.yaml.blocks import merged_block
from synctool.merge.yaml.canon import same, tag_of
from synctool.merge.yaml.comments import carry_comments, eol_only
from synctool.merge.yaml.conflicts import Conflict, NodeClash
from synctool.merge.yaml.edits import rebuild, remove_key, replace
from synctool.merge.yaml.identity import item_identity


class Merger:
    def __init__(self, identity_keys: Sequence[str]) -> None:
        self.identity_keys = identity_keys
        self.conflicts: list[Conflict] = []

    def guarded(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        """The merged node, or a ``NodeClash`` where the sides changed it differently."""
        mark = len(self.conflicts)
        try:
            return self.node(path, base, ours, theirs)
        except Undecided as why:
            del self.conflicts[mark:]
            return NodeClash(base, ours, theirs, str(why))

    def settle(self, container: Any, key: Any, value: Any) -> Any:
        """What goes in the tree at ``key``; a clash is recorded to be marked."""
        if not isinstance(value, NodeClash):
            return value
        self.conflicts.append(Conflict(container, key, value))
        return value.ours if value.ours is not ABSENT else copy.deepcopy(value.theirs)

    def node(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        if same(ours, theirs):
            return ours
        if base is not ABSENT and same(base, theirs):
            return ours
        ours_same = base is not ABSENT and same(base, ours)
        kind = (
            dict if isinstance(ours, dict) else list if isinstance(ours, list) else None
        )
        if (
            kind is not None
            and isinstance(theirs, kind)
            and (base is ABSENT or isinstance(base, kind))
            and tag_of(ours) == tag_of(theirs)
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
        text = merged_block(base, ours, theirs)
        if text is not None:
            return text
        raise Undecided(f"{path or 'the document'} changed on both sides")

    def mapping(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        base_items = [] if base is ABSENT else list(base.items())
        merged = merge_keyed(
            base_items,
            list(ours.items()),
            list(theirs.items()),
            lambda k, b, o, t: self.guarded(join(path, k), b, o, t),
            same,
            check_order=False,  # key order is layout, not data
            describe=lambda k: join(path, k),
            clash=lambda _k, b, o, t, why: NodeClash(b, o, t, why),
        )
        merged = [m._replace(value=self.settle(ours, m.key, m.value)) for m in merged]
        keep = {m.key for m in merged}
        for key in list(ours):
            if key not in keep:
                remove_key(ours, key, keep)
        for i, m in enumerate(merged):
            if m.ours is None:
                ours.insert(i, m.key, copy.deepcopy(m.value))
                comment = eol_only(theirs.ca.items.get(m.key), 2)
                if comment:
                    ours.ca.items[m.key] = comment
            elif ours[m.key] is not m.value:
                replace(ours, m.key, m.value)
        carry_comments(ours, theirs, merged)
        return ours

    def sequence(self, path: str, base: Any, ours: Any, theirs: Any) -> Any:
        sides = [[] if base is ABSENT else list(base), list(ours), list(theirs)]
        items = [x for side in sides for x in side]
        merged: list[Merged[Any, Any]]
        if all(isinstance(x, dict) for x in items):
            identity = identity_of(sides, self.identity_keys)
            if identity is not None:
                b, o, t = ([(identity(x), x) for x in side] for side in sides)
                merged = lists.in_order(
                    path,
                    b,
                    o,
                    t,
                    lambda k, b, o, t: self.guarded(f"{path}[{k[1]}]", b, o, t),
                    lambda k: f"{path}[{k[1]}]",
                )
            else:
                names = self.identity_keys
                merged = pairing.aligned(
                    self.guarded,
                    path,
                    sides,
                    lambda x: item_identity(x, names),
                    lambda i: f"{path}[{i}]",
                )
        elif not any(isinstance(x, (dict, list)) for x in items):
            merged = lists.scalars(self.guarded, path, sides)
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
        return rebuild(ours, theirs, merged)
