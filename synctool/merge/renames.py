"""Rename detection by content similarity, as git does it.

A path that vanished on one side and a path that appeared on it are one file
moved when their content is mostly the same. Pairing is one-to-one and
deterministic: identical content first, then the most similar pairs at or
above a threshold. Only the paths the caller hands in are compared, so the
planner passes vanished/appeared paths only, never the unchanged bulk.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

DEFAULT_THRESHOLD = 0.5
# Like git's diff.renameLimit: similarity costs old x new comparisons, so the
# work is bounded; what is left unpaired is reported as plain adds/deletes.
DEFAULT_MAX_COMPARISONS = 20_000


class Rename(NamedTuple):
    old: str
    new: str
    score: float  # 1.0: identical content


class _Profile(NamedTuple):
    lines: Counter[bytes]
    weight: int  # bytes, counting one per line ending


def digest(data: bytes) -> str:
    """The sha256 hex digest of ``data`` (what the lock records per file)."""
    return hashlib.sha256(data).hexdigest()


def similarity(a: bytes, b: bytes) -> float:
    """Share of content two files have in common, in [0, 1].

    Lines are compared as a multiset weighted by length, so moved blocks still
    count and line endings (CRLF vs LF) don't matter; the shared weight is
    divided by the larger file's, as git divides by the larger size.
    """
    return _score(_profile(a), _profile(b))


def find_exact_renames(
    old: Mapping[str, str],
    new: Mapping[str, str],
    *,
    max_comparisons: int = DEFAULT_MAX_COMPARISONS,
) -> tuple[Rename, ...]:
    """Pair paths with equal digests (``path -> sha256 hex`` on each side)."""
    by_old: defaultdict[str, list[str]] = defaultdict(list)
    by_new: defaultdict[str, list[str]] = defaultdict(list)
    for path, sha in old.items():
        by_old[sha].append(path)
    for path, sha in new.items():
        by_new[sha].append(path)
    found: list[Rename] = []
    for sha, olds in by_old.items():
        news = by_new.get(sha)
        if news:
            found += (
                Rename(o, n, 1.0) for o, n in _pair_by_path(olds, news, max_comparisons)
            )
    return tuple(sorted(found))


def find_renames(
    old: Mapping[str, bytes],
    new: Mapping[str, bytes],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_comparisons: int = DEFAULT_MAX_COMPARISONS,
) -> tuple[Rename, ...]:
    """Pair vanished paths (``old``) with appeared ones (``new``) by content."""
    if not 0 < threshold <= 1:
        raise ValueError(f"rename threshold must be in (0, 1], got {threshold}")
    if not old or not new:
        return ()
    exact = find_exact_renames(
        {p: digest(d) for p, d in old.items()},
        {p: digest(d) for p, d in new.items()},
        max_comparisons=max_comparisons,
    )
    taken_old = {r.old for r in exact}
    taken_new = {r.new for r in exact}
    similar = _pair_similar(
        {p: d for p, d in old.items() if p not in taken_old},
        {p: d for p, d in new.items() if p not in taken_new},
        threshold,
        max_comparisons,
    )
    return tuple(sorted((*exact, *similar)))


def _pair_similar(
    old: Mapping[str, bytes], new: Mapping[str, bytes], threshold: float, budget: int
) -> list[Rename]:
    # Files with the same name are paired first and leave the pool (git's
    # basename heuristic): a templated directory rename then costs one
    # comparison per file instead of the full old x new matrix.
    olds, news = dict(sorted(old.items())), dict(sorted(new.items()))
    profiles: dict[bytes, _Profile] = {}  # by content: computed once, on demand
    found: list[Rename] = []
    for same_name in (True, False):
        scored: list[tuple[float, tuple[int, int], str, str]] = []
        for o, n in _candidates(olds, news, threshold, same_name):
            if budget <= 0:
                break
            budget -= 1
            score = _score(_cached(profiles, olds[o]), _cached(profiles, news[n]))
            if score >= threshold:
                scored.append((score, _affinity(o, n), o, n))
        scored.sort(key=lambda s: (-s[0], -s[1][0], -s[1][1], s[2], s[3]))
        for o, n, score in _greedy((o, n, score) for score, _, o, n in scored):
            found.append(Rename(o, n, score))
            del olds[o], news[n]
    return found


def _candidates(
    olds: Mapping[str, bytes],
    news: Mapping[str, bytes],
    threshold: float,
    same_name: bool,
) -> Iterator[tuple[str, str]]:
    """(old, new) pairs that can reach the threshold, by size."""
    # A pair scores at most smaller/larger weight, so each old file is only
    # compared with new files of similar size: a slice of them sorted by
    # weight, found by bisection.
    order = sorted(news, key=lambda p: (_weight(news[p]), p))
    weights = [_weight(news[p]) for p in order]
    for o, data in olds.items():
        w = _weight(data)
        if w == 0:  # empty files only match exactly, paired before
            continue
        # w * threshold > 0, so empty new files fall outside every window.
        lo = bisect.bisect_left(weights, w * threshold)
        hi = bisect.bisect_right(weights, w / threshold)
        name = _basename(o)
        for n in order[lo:hi]:
            if (_basename(n) == name) is same_name:
                yield o, n


def _pair_by_path(
    olds: list[str], news: list[str], budget: int
) -> list[tuple[str, str]]:
    """Pair files with identical content by how alike their paths are."""
    if len(olds) == 1 and len(news) == 1:
        return [(olds[0], news[0])]
    if len(olds) * len(news) > budget:
        # Too many identical files (e.g. empty __init__.py) to compare all:
        # sorting by reversed components keeps same-named files together.
        def key(p: str) -> list[str]:
            return p.split("/")[::-1]

        return list(zip(sorted(olds, key=key), sorted(news, key=key), strict=False))
    ranked = sorted(
        ((o, n) for o in olds for n in news),
        key=lambda p: (*(-x for x in _affinity(*p)), p[0], p[1]),
    )
    return [(o, n) for o, n, _ in _greedy((o, n, 1.0) for o, n in ranked)]


def _greedy(
    ranked: Iterable[tuple[str, str, float]],
) -> Iterator[tuple[str, str, float]]:
    """Best pairs first, each path used once."""
    used_old: set[str] = set()
    used_new: set[str] = set()
    for o, n, score in ranked:
        if o not in used_old and n not in used_new:
            used_old.add(o)
            used_new.add(n)
            yield o, n, score


def _affinity(a: str, b: str) -> tuple[int, int]:
    """(equal trailing components, equal leading components) of two paths."""
    pa, pb = a.split("/"), b.split("/")
    tail = 0
    for x, y in zip(reversed(pa), reversed(pb), strict=False):
        if x != y:
            break
        tail += 1
    head = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        head += 1
    return tail, head


def _basename(path: str) -> str:
    return path.rpartition("/")[2]


def _weight(data: bytes) -> int:
    """Size with CRLF counted as LF and a final newline assumed: _profile's weight."""
    size = len(data) - data.count(b"\r\n")
    return size + 1 if data and not data.endswith(b"\n") else size


def _profile(data: bytes) -> _Profile:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return _Profile(Counter(lines), _weight(data))


def _cached(cache: dict[bytes, _Profile], data: bytes) -> _Profile:
    found = cache.get(data)
    if found is None:
        found = cache[data] = _profile(data)
    return found


def _score(a: _Profile, b: _Profile) -> float:
    if a.weight == 0 or b.weight == 0:
        return 1.0 if a.weight == b.weight else 0.0
    small, large = (a, b) if len(a.lines) <= len(b.lines) else (b, a)
    shared = sum(
        (len(line) + 1) * min(n, large.lines[line])
        for line, n in small.lines.items()
        if line in large.lines
    )
    return shared / max(a.weight, b.weight)
