"""How the reasons name a place in a document: ``project.version``."""

from __future__ import annotations

from typing import Any


def join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)
