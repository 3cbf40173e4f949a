"""Line endings: merge on LF, give the result ours' line endings back.

A Windows checkout (``core.autocrlf``) has CRLF where the blueprint renders
LF; merged as they are, every line differs and the whole file is one
conflict. So all three sides are merged on LF and the result is written
the way ours writes its lines.
"""

from __future__ import annotations

CRLF = b"\r\n"
LF = b"\n"


def newline_of(data: bytes) -> bytes | None:
    """CRLF if most line breaks in ``data`` are CRLF, LF if most are LF.

    None when there is no line break to go by. A file with a few stray LF
    lines among CRLF ones comes back all CRLF, which is what its owner's
    editor would write.
    """
    breaks = data.count(LF)
    if not breaks:
        return None
    crlf = data.count(CRLF)
    return CRLF if crlf * 2 > breaks else LF


def choose_newline(ours: bytes, *others: bytes) -> bytes:
    """Ours' convention; a one-line ours follows the other sides."""
    for data in (ours, *others):
        found = newline_of(data)
        if found is not None:
            return found
    return LF


def to_lf(data: bytes) -> bytes:
    return data.replace(CRLF, LF)


def to_newline(data: bytes, newline: bytes) -> bytes:
    """``data`` (LF) written with ``newline``."""
    return data.replace(LF, newline) if newline != LF else data
