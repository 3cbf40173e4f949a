"""The blueprint source and ref as a service records them, compared without git."""

from __future__ import annotations

from pathlib import Path

from synctool.service.names import BUNDLED


def source_key(text: str, root: Path) -> str:
    """A blueprint source as the lock records it: a local path made absolute
    (relative to the service), anything else as written. No git, no network."""
    if (
        text == BUNDLED
        or "://" in text
        or text.startswith(("git@", "gh:", "gl:", "git+"))
    ):
        return text
    path = (root / text).expanduser()
    return str(path.resolve()) if path.exists() else text


def same_ref(declared: str | None, applied: str | None, blueprint: str) -> bool:
    """Whether the declared ref is the applied one (`v1.0.0` is the bundled `1.0.0`)."""
    if declared is None or declared == applied:
        return True
    if blueprint == BUNDLED and applied is not None:
        return declared.removeprefix("v") == applied.removeprefix("v")
    return False
