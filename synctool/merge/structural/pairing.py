"""Items with no identity of their own, paired by how alike they are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any


def align(
    base: Sequence[Any],
    side: Sequence[Any],
    score: Callable[[Any, Any], float],
    threshold: float = 0.5,
    key: Callable[[Any], Hashable] | None = None,
) -> dict[int, int]:
    """Pairs base index -> side index, in order on both, that score best.

    Items with no identity of their own are paired by how alike they are
    (``score`` from 0 to 1, more than ``threshold``), as git pairs renamed
    files; between equally good pairings the earlier items pair first.
    With ``key``, equal items pair first, as a diff would pair them, and
    only the items between are weighed.
    """
    if key is None:
        return _weigh(base, 0, len(base), side, 0, len(side), score, threshold)
    matcher = SequenceMatcher(
        None, [key(x) for x in base], [key(x) for x in side], autojunk=False
    )
    pairs: dict[int, int] = {}
    i = j = 0
    for bi, sj, size in matcher.get_matching_blocks():
        pairs.update(_weigh(base, i, bi, side, j, sj, score, threshold))
        pairs.update((bi + k, sj + k) for k in range(size))
        i, j = bi + size, sj + size
    return pairs


def _weigh(
    base: Sequence[Any],
    ilo: int,
    ihi: int,
    side: Sequence[Any],
    jlo: int,
    jhi: int,
    score: Callable[[Any, Any], float],
    threshold: float,
) -> dict[int, int]:
    """``align`` of ``base[ilo:ihi]`` with ``side[jlo:jhi]``, by weight."""
    n, m = ihi - ilo, jhi - jlo
    if not n or not m or n * m > 250_000:  # nothing, or too much, to weigh
        return {}
    # An equal pair outweighs any number of merely alike ones: an item kept
    # as it was is never paired away for two that look half alike.
    equal = 1.0 + max(n, m)

    def weight(a: Any, b: Any) -> float:
        s = score(a, b)
        return equal if s >= 1.0 else s if s > threshold else 0.0

    score_of = [
        [weight(base[ilo + i], side[jlo + j]) for j in range(m)] for i in range(n)
    ]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            here = max(best[i + 1][j], best[i][j + 1])
            s = score_of[i][j]
            if s > 0:
                here = max(here, s + best[i + 1][j + 1])
            best[i][j] = here
    pairs: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        s = score_of[i][j]
        if s > 0 and best[i][j] == s + best[i + 1][j + 1]:
            pairs[ilo + i] = jlo + j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i][j + 1]:
            j += 1
        else:
            i += 1
    return pairs


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Counter[tuple[Any, ...]]:
    """The (path, value) pairs of a plain tree: what ``likeness`` compares."""
    out: Counter[tuple[Any, ...]] = Counter()
    if isinstance(node, Mapping):
        for k, v in node.items():
            out += leaves(v, (*path, k))
        if not node:
            out[(*path, "{}")] += 1
    elif isinstance(node, list):  # a tuple is a value (a typed scalar)
        for k, v in enumerate(node):
            out += leaves(v, (*path, k))
        if not node:
            out[(*path, "[]")] += 1
    else:
        out[(*path, node)] += 1
    return out


def likeness(a: Counter[tuple[Any, ...]], b: Counter[tuple[Any, ...]]) -> float:
    """How alike two trees' leaves are, 0 to 1 (the Dice coefficient)."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0
