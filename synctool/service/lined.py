"""Plain YAML data that knows its lines, as ruamel's round-trip nodes do.

`.synctool.yml` read for `check` (synctool.service.linedyaml) is dicts and
lists that carry their positions like ruamel's (`.lc.line`, `.lc.col`,
`.lc.data[key]`, `.lc.key(key)`), so the rule readers serve both loaders.
Nothing here imports a YAML library: a remembered reading
(synctool.service.parsed) comes back through :func:`decode` without one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class Unsure(Exception):
    """The fast reading is not sure to match the round-trip one: use that."""


class Lines:
    """0-based positions of a mapping or sequence and of its entries."""

    __slots__ = ("col", "data", "line")

    def __init__(self, line: int, col: int, data: dict[Any, tuple[int, int]]) -> None:
        self.line, self.col, self.data = line, col, data

    def key(self, key: Any) -> tuple[int, int]:
        return self.data[key]


class LinedMap(dict[Any, Any]):
    __slots__ = ("lc",)
    lc: Lines


class LinedList(list[Any]):
    __slots__ = ("lc",)
    lc: Lines


# A loaded value is never a tuple: one is an encoded node, named by its tag.
_MAP, _LIST, _DATE, _TIME = "m", "l", "d", "t"


def encode(value: Any) -> Any:
    """``value`` as marshal's plain types (tuples for what it cannot hold)."""
    if isinstance(value, LinedMap):
        items = [(key, encode(item)) for key, item in value.items()]
        return (_MAP, value.lc.line, value.lc.col, items, list(value.lc.data.items()))
    if isinstance(value, LinedList):
        items = [encode(item) for item in value]
        return (_LIST, value.lc.line, value.lc.col, items, list(value.lc.data.items()))
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return (_TIME, value.isoformat())
    if isinstance(value, dt.date):
        return (_DATE, value.isoformat())
    return value


def decode(value: Any) -> Any:
    """What :func:`encode` was given, with its lines."""
    if type(value) is not tuple:
        return value
    tag = value[0]
    if tag == _TIME:
        return dt.datetime.fromisoformat(value[1])
    if tag == _DATE:
        return dt.date.fromisoformat(value[1])
    _tag, line, col, items, positions = value
    node: LinedMap | LinedList
    if tag == _MAP:
        node = LinedMap((key, decode(item)) for key, item in items)
    else:
        node = LinedList(decode(item) for item in items)
    node.lc = Lines(line, col, dict(positions))
    return node
