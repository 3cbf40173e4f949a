"""Comment lines kept with the entries they belong to, as entries come and go.

ruamel hangs a comment block on the entry above it (sometimes below it),
so these functions reach into its comment attachments (``.ca.items``).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from synctool.merge.union import Merged


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


def cut(parent: Any, key: Any, own: bool = False) -> str:
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


def give_after(parent: Any, key: Any, text: str) -> None:
    if not text:
        return
    items, k, slot = _tail(parent, key)
    entry = items.setdefault(k, [None] * 4)
    if entry[slot] is None:
        entry[slot] = CommentToken("\n" + text, CommentMark(0))
    else:
        entry[slot].value += text


def give_before(parent: Any, key: Any, text: str) -> None:
    """Put comment lines ``text`` above the mapping entry ``parent[key]``."""
    entry = parent.ca.items.setdefault(key, [None] * 4)
    entry[1] = [CommentToken(text, CommentMark(0)), *(entry[1] or [])]


def carry_comments(ours: Any, theirs: Any, merged: list[Merged[Any, Any]]) -> None:
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
        cut(ours, keys[i])  # theirs' block for theirs' next entry
        moved = cut(ours, keys[i - 1]) if i else ""
        lead = cut(theirs, their_keys[j - 1]) if j else ""
        if i:
            give_after(ours, keys[i - 1], lead)
        elif lead and isinstance(ours, CommentedMap):
            give_before(ours, keys[i], lead)
        give_after(ours, keys[i], moved)


def eol_only(entry: list[Any] | None, slot: int) -> list[Any] | None:
    """Theirs' comments for an entry it adds, less lines that belong to the next one."""
    if entry is None:
        return None
    entry = list(entry)
    tok = entry[slot]
    if tok is not None:
        head = tok.value.split("\n", 1)[0]
        entry[slot] = CommentToken(head + "\n", tok.start_mark) if head else None
    return entry
