"""TOML read: a side as a tomlkit document, a text checked for what it holds."""

from __future__ import annotations

import tomllib
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from synctool.merge.toml.canon import typed
from synctool.merge.union import Undecided


def parse(text: str, side: str) -> Any:
    """``text`` as a tomlkit document; Undecided when it is not valid TOML."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Undecided(f"the {side}'s file does not parse as TOML") from exc
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:  # valid TOML that tomlkit cannot keep as it is
        raise Undecided(f"tomlkit cannot read the {side}'s file") from exc


def reads_as(text: str, want: Any) -> bool:
    """Whether ``text`` holds exactly ``want``, by the standard library's reader."""
    try:
        return bool(typed(tomllib.loads(text)) == want)
    except tomllib.TOMLDecodeError:
        return False
