"""Trees of files and the words for how each file is owned and merged.

A tree maps a POSIX relative path to its bytes and permission bits. Renders,
the service's working tree and the merge engine all speak in trees; the
drift check reads the same words without importing the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

Ownership = Literal["managed", "merged", "seeded"]
Driver = Literal["text", "yaml", "toml", "json", "union", "binary"]


class FileEntry(NamedTuple):
    """One file of a tree: its bytes and its permission bits (0o644, 0o755)."""

    data: bytes
    mode: int = 0o644


Tree = Mapping[str, FileEntry]
"""POSIX relative path -> entry. Only regular files; no directories."""


# Keys that identify an item of a YAML/TOML list of mappings (a CI step by
# `name`, an action by `uses`), when the blueprint's policy names none.
DEFAULT_IDENTITY_KEYS: tuple[str, ...] = ("id", "name", "uses")
