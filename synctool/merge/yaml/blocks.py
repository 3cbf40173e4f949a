"""Multi-line strings (a ``run: |`` block) merged line by line, as git would."""

from __future__ import annotations

from typing import Any

from synctool.merge.text import merge_text
from synctool.merge.types import Labels


def merged_block(base: Any, ours: Any, theirs: Any) -> Any:
    """A multi-line string (a `run: |` block) changed on both sides, merged
    line by line as git would; ours' scalar style kept. None: the lines clash."""
    sides = (base, ours, theirs)
    if not all(isinstance(x, str) and "\n" in x for x in sides):
        return None
    b, o, t = (str(x).encode("utf-8", "surrogateescape") for x in sides)
    merged = merge_text(b, o, t, Labels())
    if merged.conflicts:
        return None
    text = merged.data.decode("utf-8", "surrogateescape")
    return type(ours)(text) if type(ours) is not str else text
