"""How a side's file compares with base's: content, line endings, mode."""

from __future__ import annotations

from synctool.merge import eol
from synctool.merge.plan.context import SYMLINK_MODE, Base
from synctool.merge.renames import digest
from synctool.tree import FileEntry


def is_link(entry: FileEntry) -> bool:
    return entry.mode == SYMLINK_MODE


def changed(b: Base, t: FileEntry) -> bool:
    """Whether the blueprint changed a file's content or mode since base."""
    return base_match(b, t.data) != 2 or b.mode not in (None, t.mode)


def merged_mode(b: Base, o: FileEntry, t: FileEntry) -> int:
    """Ours' mode, unless the blueprint changed it (e.g. made a script executable)."""
    if b.mode is None:  # fallback without modes: never drop an exec bit, add theirs
        return o.mode | (t.mode & 0o111)
    return t.mode if t.mode != b.mode else o.mode


def base_match(b: Base, data: bytes) -> int:
    """2: ``data`` is base byte for byte; 1: up to line endings; 0: changed."""
    if b.data is not None:
        return 2 if data == b.data else int(same_text(data, b.data))
    if digest(data) == b.sha:
        return 2
    crlf = eol.CRLF in data and b"\0" not in data
    return int(crlf and digest(eol.to_lf(data)) == b.sha)


def same_text(a: bytes, b: bytes) -> bool:
    if a == b:
        return True
    text = b"\r" in a + b and b"\0" not in a + b
    return text and eol.to_lf(a) == eol.to_lf(b)


def with_eol_of(data: bytes, like: bytes) -> bytes:
    """``data`` written with the line endings of ``like`` (a CRLF checkout)."""
    if b"\0" in data:
        return data
    return eol.to_newline(eol.to_lf(data), eol.choose_newline(like, data))
