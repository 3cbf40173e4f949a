"""Plain values of ruamel nodes, to compare them blind to layout."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from ruamel.yaml.comments import TaggedScalar
from ruamel.yaml.scalarbool import ScalarBoolean

from synctool.merge.union import Undecided


def tag_of(node: Any) -> Any:
    tag = getattr(node, "tag", None)
    return getattr(tag, "value", tag)


def canon(node: Any) -> Any:
    """A plain value for comparing nodes: typed, tagged, blind to layout."""
    if isinstance(node, dict):
        try:
            return ("map", tag_of(node), {canon(k): canon(v) for k, v in node.items()})
        except TypeError as exc:
            raise Undecided("a mapping has a complex key") from exc
    if isinstance(node, list):
        return ("seq", tag_of(node), [canon(x) for x in node])
    if isinstance(node, TaggedScalar):
        return ("tagged", tag_of(node), str(node.value))
    if isinstance(node, (bool, ScalarBoolean)):  # before int: both are ints
        return ("bool", bool(node))
    for kind in (int, float, str):
        if isinstance(node, kind):
            return (kind.__name__, kind(node))
    return (type(node).__name__, node)


def same(a: Any, b: Any) -> bool:
    return bool(canon(a) == canon(b))


def frozen(value: Any) -> Hashable:
    """``canon``'s value made hashable, to know an item by its content."""
    if isinstance(value, dict):
        return frozenset((k, frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(frozen(x) for x in value)
    return value  # type: ignore[no-any-return]


def plain(node: Any) -> Any:
    """Nested dicts and lists of canonical scalars: what ``leaves`` reads."""
    if isinstance(node, dict):
        return {canon(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(x) for x in node]
    return canon(node)
