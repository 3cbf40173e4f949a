"""Line endings: merge on LF, give the result ours' line endings back.

A Windows checkout (``core.autocrlf``) has CRLF where the blueprint renders
LF; merged as they are, every line differs and the whole file is one
conflict. So all three sides are merged on LF and the result is written
the way ours writes its lines: line by line where the lines are ours.
"""

from __future__ import annotations

from synctool.merge.text import matching_lines, split_lines  # no heavy imports

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


def _switched(base: list[bytes], side: list[bytes]) -> bool:
    """Whether ``side`` rewrote the line endings of most lines it kept from base."""
    changed = same = 0
    for i, j in matching_lines([to_lf(x) for x in base], [to_lf(x) for x in side]):
        if base[i].endswith(LF) and side[j].endswith(LF):
            if base[i].endswith(CRLF) == side[j].endswith(CRLF):
                same += 1
            else:
                changed += 1
    return changed > same


def restore(merged: bytes, base: bytes, ours: bytes, theirs: bytes) -> bytes:
    """``merged`` (merged on LF) with the line endings of the lines it came from.

    A line ours has keeps ours' ending, so the untouched CRLF lines of a
    mixed file stay CRLF. A line from theirs keeps theirs' ending, unless one
    side converted the file's endings (an editor that writes CRLF): then, as
    every other new line (conflict markers, a structural driver's output), it
    takes ours' convention.
    """
    newline = choose_newline(ours, theirs, base)
    b, o, t = split_lines(base), split_lines(ours), split_lines(theirs)
    lines = split_lines(merged)
    source: list[bytes | None] = [None] * len(lines)
    if not (_switched(b, o) or _switched(b, t)):
        for i, j in matching_lines(lines, [to_lf(x) for x in t]):
            source[i] = t[j]
    for i, j in matching_lines(lines, [to_lf(x) for x in o]):
        source[i] = o[j]
    out = []
    for line, raw in zip(lines, source, strict=True):
        if raw is not None:
            out.append(raw)
        elif line.endswith(LF) and newline != LF:
            out.append(line[:-1] + newline)
        else:
            out.append(line)
    return b"".join(out)
