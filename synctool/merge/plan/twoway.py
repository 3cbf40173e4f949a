"""A two-way conflict, for a file changed on both sides whose base is unknown."""

from __future__ import annotations

from synctool.merge import eol
from synctool.merge.types import Labels


def two_way_conflict(ours: bytes, theirs: bytes, labels: Labels) -> bytes:
    """Git-style markers around the differing middle of two versions, no base."""
    a = eol.to_lf(ours).splitlines(keepends=True)
    b = eol.to_lf(theirs).splitlines(keepends=True)
    head = tail = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    out = b"".join(a[:head])
    out += f"<<<<<<< {labels.ours}\n".encode() + _block(a[head : len(a) - tail])
    out += b"=======\n" + _block(b[head : len(b) - tail])
    out += f">>>>>>> {labels.theirs}\n".encode() + b"".join(a[len(a) - tail :])
    return eol.to_newline(out, eol.choose_newline(ours, theirs))


def _block(lines: list[bytes]) -> bytes:
    text = b"".join(lines)
    return text + b"\n" if text and not text.endswith(b"\n") else text
