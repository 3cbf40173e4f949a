"""Line-based three-way merge (diff3), conflicts marked as ``git merge-file --diff3``.

How it works: each side is diffed against the base (patience-style: lines
unique to both as anchors, difflib's matcher where there are none). A base line that both sides kept is a
sync point; between two sync points each side either left the base chunk
alone or replaced it. One side changed it: take that side. Both made the same
change: take it once. Both changed it differently: a conflict region with the
base section, the convention git users already read.

Two edits separated by at least one untouched line never conflict; two edits
that touch (or two insertions at the same place) do, as in git. Works on
bytes; lines are split on b"\\n" only, so CRLF is left to the caller.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import NamedTuple

from synctool.merge.types import ContentMerge, Labels


class Hunk(NamedTuple):
    """``a[i1:i1+n1]`` was replaced by ``b[i2:i2+n2]`` (either may be empty)."""

    i1: int
    n1: int
    i2: int
    n2: int


def split_lines(data: bytes) -> list[bytes]:
    """Lines with their b"\\n"; only the last one may lack it."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _common_ends(
    a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int, bhi: int
) -> tuple[int, int]:
    """How many lines the two ranges share at their start, and at their end."""
    head = 0
    while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
        head += 1
    tail = 0
    while (
        alo + head < ahi - tail
        and blo + head < bhi - tail
        and a[ahi - 1 - tail] == b[bhi - 1 - tail]
    ):
        tail += 1
    return head, tail


def _unique_anchors(
    a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines found exactly once in each range, kept in the longest run that
    is in the same order on both sides (patience sorting)."""
    count_a: dict[bytes, int] = {}
    for i in range(alo, ahi):
        count_a[a[i]] = count_a.get(a[i], 0) + 1
    seen_b: dict[bytes, int] = {}
    for j in range(blo, bhi):
        line = b[j]
        if count_a.get(line) == 1:
            seen_b[line] = -1 if line in seen_b else j
    pairs = [
        (i, seen_b[a[i]])
        for i in range(alo, ahi)
        if count_a[a[i]] == 1 and seen_b.get(a[i], -1) >= 0
    ]
    # Longest increasing subsequence of the b indexes, in O(n log n).
    tops: list[int] = []  # b index at the top of each pile
    top_pair: list[int] = []  # index into pairs of that top
    back = [-1] * len(pairs)
    for k, (_i, j) in enumerate(pairs):
        pile = bisect_left(tops, j)
        if pile == len(tops):
            tops.append(j)
            top_pair.append(k)
        else:
            tops[pile], top_pair[pile] = j, k
        back[k] = top_pair[pile - 1] if pile else -1
    chain: list[tuple[int, int]] = []
    k = top_pair[-1] if top_pair else -1
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    chain.reverse()
    return chain


# Work (diagonals tried plus lines compared) after which the exact shortest
# diff gives way to a quick one: ~0.3 s of pure Python at most.
_MYERS_BUDGET = 2_000_000


def _shortest(
    a: Sequence[bytes], alo: int, ahi: int, b: Sequence[bytes], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The lines kept in a shortest edit script (Myers' O(ND) diff).

    For ranges with no unique line to anchor on: blocks of "}", "pass" and
    blank lines. Its cost grows with the number of edits, not with how often
    lines repeat, so a long, repetitive file with a few edits is quick.
    Ranges too different for that fall back on difflib's matcher with its
    "popular line" heuristic: still a correct diff, maybe not the shortest.
    """
    n, m = ahi - alo, bhi - blo
    offset = n + m + 1
    v = [0] * (2 * offset + 1)  # furthest x reached on each diagonal k = x - y
    trace: list[list[int]] = []
    work = 0
    for d in range(n + m + 1):
        trace.append(v[offset - d : offset + d + 1])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]  # a line inserted from b
            else:
                x = v[offset + k - 1] + 1  # a line of a deleted
            y = x - k
            start = x
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x, y = x + 1, y + 1
            v[offset + k] = x
            work += 1 + x - start
            if x >= n and y >= m:
                return _trace_back(trace, d, n, m, alo, blo)
        if work > _MYERS_BUDGET:
            break
    matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=True)
    return [
        (alo + i + k, blo + j + k)
        for i, j, size in matcher.get_matching_blocks()
        for k in range(size)
    ]


def _trace_back(
    trace: list[list[int]], d: int, n: int, m: int, alo: int, blo: int
) -> list[tuple[int, int]]:
    """The matched pairs of the path that reached (n, m) in ``d`` edits."""
    pairs: list[tuple[int, int]] = []
    x, y = n, m
    for dd in range(d, 0, -1):
        row = trace[dd]  # v when step dd started, diagonals -dd..dd
        k = x - y
        if k == -dd or (k != dd and row[k - 1 + dd] < row[k + 1 + dd]):
            prev_k = k + 1
        else:
            prev_k = k - 1
        prev_x = row[prev_k + dd]
        prev_y = prev_x - prev_k
        mid_x = prev_x if prev_k == k + 1 else prev_x + 1
        while x > mid_x:  # the snake after the edit
            x, y = x - 1, y - 1
            pairs.append((alo + x, blo + y))
        x, y = prev_x, prev_y
    while x > 0 and y > 0:  # the snake before the first edit
        x, y = x - 1, y - 1
        pairs.append((alo + x, blo + y))
    pairs.reverse()
    return pairs


def _matches(a: Sequence[bytes], b: Sequence[bytes]) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines kept from ``a`` to ``b``, increasing in both.

    Patience-style: the common head and tail, then lines unique to both
    sides as anchors, recursively between anchors; a stretch with no unique
    line falls back to difflib's longest-match. Unique lines anchor well in
    code, where "", "}" and "return" repeat and mean nothing.
    """
    found: list[tuple[int, int]] = []
    work = [(0, len(a), 0, len(b))]
    while work:
        alo, ahi, blo, bhi = work.pop()
        head, tail = _common_ends(a, alo, ahi, b, blo, bhi)
        found += [(alo + k, blo + k) for k in range(head)]
        found += [(ahi - 1 - k, bhi - 1 - k) for k in range(tail)]
        alo, ahi, blo, bhi = alo + head, ahi - tail, blo + head, bhi - tail
        if alo >= ahi or blo >= bhi:
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if not anchors:
            found += _shortest(a, alo, ahi, b, blo, bhi)
            continue
        prev_i, prev_j = alo, blo
        for i, j in anchors:
            found.append((i, j))
            work.append((prev_i, i, prev_j, j))
            prev_i, prev_j = i + 1, j + 1
        work.append((prev_i, ahi, prev_j, bhi))
    found.sort()
    return found


def matching_lines(a: Sequence[bytes], b: Sequence[bytes]) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines ``a[i] == b[j]`` that a shortest-ish diff keeps."""
    return _matches(a, b)


def diff_lines(a: Sequence[bytes], b: Sequence[bytes]) -> list[Hunk]:
    """The hunks that turn lines ``a`` into lines ``b``."""
    hunks: list[Hunk] = []
    i = j = 0
    for mi, mj in [*_matches(a, b), (len(a), len(b))]:
        if mi > i or mj > j:
            hunks.append(Hunk(i, mi - i, j, mj - j))
        i, j = mi + 1, mj + 1
    return hunks


def _kept(base: Sequence[bytes], side: Sequence[bytes]) -> list[int]:
    """For each base line, its index in ``side`` if the side kept it, else -1."""
    where = [-1] * len(base)
    for i, j in _matches(base, side):
        where[i] = j
    return where


def _marker(char: bytes, label: str, eol: bytes) -> bytes:
    # A label is one line of the marker: a newline in it would break the file.
    return char * 7 + b" " + " ".join(label.splitlines()).encode() + eol


def _section(out: list[bytes], lines: Sequence[bytes], eol: bytes) -> None:
    """Copy one side of a conflict; its last line always gets its newline."""
    out.extend(lines)
    if lines and not lines[-1].endswith(b"\n"):
        out.append(eol)


def conflict_block(
    out: list[bytes],
    ours: Sequence[bytes],
    base: Sequence[bytes],
    theirs: Sequence[bytes],
    labels: Labels,
    eol: bytes,
) -> None:
    """One conflict region as ``git merge-file --diff3`` writes it: ours,
    base and theirs between markers that end in ``eol``."""
    out.append(_marker(b"<", labels.ours, eol))
    _section(out, ours, eol)
    out.append(_marker(b"|", labels.base, eol))
    _section(out, base, eol)
    out.append(b"=" * 7 + eol)
    _section(out, theirs, eol)
    out.append(_marker(b">", labels.theirs, eol))


def shared_ends(
    a: Sequence[bytes], b: Sequence[bytes], c: Sequence[bytes]
) -> tuple[int, int]:
    """Lines the three share at their start, and at their end (not overlapping)."""
    head = 0
    while head < min(len(a), len(b), len(c)) and a[head] == b[head] == c[head]:
        head += 1
    tail, room = 0, min(len(a), len(b), len(c)) - head
    while tail < room and a[-1 - tail] == b[-1 - tail] == c[-1 - tail]:
        tail += 1
    return head, tail


def _eol(*sides: Sequence[bytes]) -> bytes:
    """Markers end like the file's lines do (CRLF files get CRLF markers)."""
    for side in sides:
        for line in side:
            if line.endswith(b"\n"):
                return b"\r\n" if line.endswith(b"\r\n") else b"\n"
    return b"\n"


def merge_lines(
    base: Sequence[bytes],
    ours: Sequence[bytes],
    theirs: Sequence[bytes],
    labels: Labels,
) -> tuple[list[bytes], int]:
    """diff3 of three line lists: (merged lines, number of conflict regions)."""
    in_ours, in_theirs = _kept(base, ours), _kept(base, theirs)
    eol = _eol(ours, theirs, base)
    out: list[bytes] = []
    conflicts = 0
    b = o = t = 0
    while True:
        # Lines both sides kept in place are copied as they are.
        while b < len(base) and in_ours[b] == o and in_theirs[b] == t:
            out.append(ours[o])
            b, o, t = b + 1, o + 1, t + 1
        # The next base line both sides kept ends the unstable chunk.
        end = b
        while end < len(base) and (in_ours[end] < 0 or in_theirs[end] < 0):
            end += 1
        o_end = in_ours[end] if end < len(base) else len(ours)
        t_end = in_theirs[end] if end < len(base) else len(theirs)
        chunk_b, chunk_o, chunk_t = base[b:end], ours[o:o_end], theirs[t:t_end]
        if chunk_o == chunk_b:
            out.extend(chunk_t)
        elif chunk_t == chunk_b or chunk_o == chunk_t:
            out.extend(chunk_o)
        else:
            conflicts += 1
            conflict_block(out, chunk_o, chunk_b, chunk_t, labels, eol)
        if end >= len(base):
            return out, conflicts
        b, o, t = end, o_end, t_end


def conflict_region(base: bytes, ours: bytes, theirs: bytes, labels: Labels) -> bytes:
    """One conflict from the first line the three versions differ on to the last.

    For a merge the lines alone cannot be trusted with (the result would
    not parse): the user gets both versions, and the base, as git shows them.
    """
    b, o, t = split_lines(base), split_lines(ours), split_lines(theirs)
    head, tail = shared_ends(b, o, t)
    out = list(o[:head])
    conflict_block(
        out,
        o[head : len(o) - tail],
        b[head : len(b) - tail],
        t[head : len(t) - tail],
        labels,
        _eol(o, t, b),
    )
    out.extend(o[len(o) - tail :])
    return b"".join(out)


def merge_text(base: bytes, ours: bytes, theirs: bytes, labels: Labels) -> ContentMerge:
    """Three-way merge of file contents, conflicts marked as ``git merge-file --diff3``."""
    lines, conflicts = merge_lines(
        split_lines(base), split_lines(ours), split_lines(theirs), labels
    )
    return ContentMerge(b"".join(lines), conflicts, "text")
