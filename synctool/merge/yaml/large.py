"""YAML files too large for the structural merge: the checked line merge.

The structural merge reads each side with ruamel's round-trip loader (pure
Python, about 10 s per MB) several times over; a generated 1 MB file (an
OpenAPI spec, a vendored manifest) would hold a sync for minutes. Past
``LARGE`` bytes the file is merged line by line, as git would, and a clean
result must still parse (libyaml, a key twice refused) when both sides do:
a key both sides added is a conflict, never a silent duplicate.
"""

from __future__ import annotations

from functools import lru_cache

from synctool import fastyaml
from synctool.merge.text import conflict_region, merge_text
from synctool.merge.types import ContentMerge, Labels

LARGE = 256 * 1024  # bytes; a hand-written config is a few KiB


def is_large(*sides: bytes) -> bool:
    return max(len(side) for side in sides) > LARGE


@lru_cache(maxsize=4)  # the driver's check and merge_content's read one result
def problem(data: bytes) -> str | None:
    """Why ``data`` is not YAML (a syntax error, a key twice), or None."""
    try:
        fastyaml.load_all(data.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8"
    except fastyaml.FastYAMLError as exc:
        return exc.problem + (f" at line {exc.line}" if exc.line else "")
    return None


def merge_large(
    base: bytes, ours: bytes, theirs: bytes, labels: Labels
) -> ContentMerge:
    size = max(len(base), len(ours), len(theirs)) // 1024
    why = f"{size} KiB, too large for the structural merge"
    text = merge_text(base, ours, theirs, labels)
    if text.conflicts:
        return text._replace(note=f"yaml: merged as text ({why})")
    broken = problem(text.data)
    if broken is None or problem(ours) is not None or problem(theirs) is not None:
        return text._replace(note=f"yaml: merged as text ({why})")
    bad = f"yaml: the line merge is no valid YAML ({broken}; {why})"
    return ContentMerge(conflict_region(base, ours, theirs, labels), 1, "text", bad)


def merge_if_large(
    base: bytes, ours: bytes, theirs: bytes, labels: Labels
) -> ContentMerge | None:
    """``merge_large`` for a file past ``LARGE`` bytes; None for the others."""
    if is_large(base, ours, theirs):
        return merge_large(base, ours, theirs, labels)
    return None
