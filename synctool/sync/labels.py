"""How a sync names the two blueprint versions, in conflict markers and lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from synctool.service.lock import Lock


def version_label(version: str | None, ref: str | None, commit: str) -> str:
    return version or ref or commit[:12]


def answer_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], *, most: int = 3
) -> tuple[str, str]:
    """The answers that differ, as label suffixes: (" with db=mysql",
    " with db=postgres"); ("", "") when none does. A conflict caused by an
    answer change then names it, not the same version twice. A question only
    one side asks (new in a release, or dropped) is no answer that changed:
    the versions in the labels already tell it."""
    keys = sorted(
        k for k in old.keys() & new.keys() if not k.startswith("_") and old[k] != new[k]
    )
    if not keys:
        return "", ""

    def side(answers: Mapping[str, Any]) -> str:
        shown = [f"{k}={_shown(answers[k])}" for k in keys[:most]]
        more = f" (+{len(keys) - most} more)" if len(keys) > most else ""
        return " with " + ", ".join(shown) + more

    return side(old), side(new)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(str(text).split())  # a label is one line
    return text if len(text) <= 30 else text[:29] + "…"


def lock_label(lock: Lock) -> str:
    """The version a lock records, as lines and commit messages show it."""
    return version_label(lock.version, lock.ref, lock.commit)
