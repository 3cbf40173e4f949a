"""What a planned sync writes, as a unified diff against the working tree
(`synctool diff`, `update --dry-run`)."""

from __future__ import annotations

import difflib

from synctool.service import worktree
from synctool.service.names import DECLARED, LOCK
from synctool.sync.prepare import Prepared


def diff_text(prepared: Prepared) -> str:
    chunks: list[str] = []
    for path, entry in sorted(prepared.writes.items()):
        if path == LOCK:
            continue  # synctool's own bookkeeping, not the user's files
        current = prepared.ours.get(path)
        if path == DECLARED:
            current = worktree.read_entry(prepared.root / path)
        old = current.data if current is not None else b""
        new = entry.data if entry is not None else b""
        chunks.append(_one_diff(path, old, new, entry is None))
    return "".join(chunks)


def _one_diff(path: str, old: bytes, new: bytes, deleted: bool) -> str:
    if b"\0" in old or b"\0" in new:
        return f"Binary files a/{path} and b/{path} differ\n"
    try:
        a = old.decode().splitlines(keepends=True)
        b = new.decode().splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"Binary files a/{path} and b/{path} differ\n"
    lines = difflib.unified_diff(
        a, b, f"a/{path}" if a else "/dev/null", "/dev/null" if deleted else f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
