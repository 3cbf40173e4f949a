"""Plain values of tomlkit items, typed so that ``1`` never equals ``true``."""

from __future__ import annotations

import datetime as dt
from typing import Any


def _plain(node: Any) -> Any:
    return node.unwrap() if hasattr(node, "unwrap") else node


def typed(value: Any) -> Any:
    """Plain data with types spelled out, so ``1`` never equals ``true``."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, value)


def canon(node: Any) -> Any:
    return typed(_plain(node))


def same(a: Any, b: Any) -> bool:
    return bool(canon(a) == canon(b))
