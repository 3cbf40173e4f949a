"""Values of round-trip YAML as rules see them: their lines, their YAML
spelling, plain Python data, and equality as YAML means it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from synctool.service.values import anchored_bool


def line_of(
    lines: dict[Any, Any] | None, key: object, value: object, default: int | None
) -> int | None:
    if lines is not None and key in lines:
        return int(lines[key][0]) + 1
    return node_line(value) or default


def lc_data(container: object) -> dict[Any, Any] | None:
    lc = getattr(container, "lc", None)
    data = getattr(lc, "data", None)
    return data if isinstance(data, dict) else None


def node_line(node: object) -> int | None:
    """1-based line where a round-trip mapping or sequence starts, else None."""
    line = getattr(getattr(node, "lc", None), "line", None)
    return line + 1 if isinstance(line, int) else None


def key_line(container: object, key: object) -> int | None:
    """1-based line of a key (or item index) of a round-trip container."""
    return line_of(lc_data(container), key, None, node_line(container))


def scalar_text(value: object) -> str | None:
    """A scalar as YAML spells it (`true`, `null`, `3`); None for collections."""
    if isinstance(value, bool) or anchored_bool(value):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (str, int, float, dt.date)):
        return str(value)
    return None


def to_plain(value: object) -> object:
    """Round-trip data as plain dict / list / scalars, for comparing and showing
    a rule's values: keys keep their types (service/values.py's ``plain``
    makes them text, for answers)."""
    if isinstance(value, Mapping):
        # A complex key (`? [a, b]`) stays as loaded: a list is not hashable.
        return {
            (to_plain(k) if scalar_text(k) is not None else k): to_plain(v)
            for k, v in value.items()
        }
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [to_plain(v) for v in value]
    if anchored_bool(value):
        return bool(value)
    if isinstance(value, bool) or value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def same_value(a: object, b: object) -> bool:
    """Equality where `true` is not `1`: YAML users mean the type they wrote."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_value, a, b))
    return a == b
