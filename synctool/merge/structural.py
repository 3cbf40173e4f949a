"""What the YAML and TOML drivers share: structure first, text when undecided.

Each driver brings its parser and writer; this decides, the same way for
both, between the line merge and the structural result, and turns anything
the structure cannot settle into a whole-file line merge with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from synctool.merge.text import merge_text
from synctool.merge.types import ContentMerge, Labels
from synctool.merge.union import Undecided


def structural_merge(
    kind: Literal["yaml", "toml"],
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    *,
    merge_docs: Callable[[str, str, str], Any],
    canon: Callable[[Any], Any],
    reads_as: Callable[[str, Any], bool],
    write: Callable[[Any, str, str, Any], str],
) -> ContentMerge:
    """``merge_docs`` merges the parsed sides (raising Undecided), ``write``
    lays the result out (raising Undecided when it cannot do so faithfully)."""
    text = merge_text(base, ours, theirs, labels)
    try:
        sides = base.decode(), ours.decode(), theirs.decode()
        merged = merge_docs(*sides)
        want = canon(merged)
        # A clean line merge that means the same keeps both sides' comments
        # and layout, as git would.
        if not text.conflicts and reads_as(text.data.decode(), want):
            return text._replace(driver=kind)
        out = write(merged, sides[1], sides[2], want)
    except UnicodeDecodeError:
        return text._replace(note=f"{kind}: merged as text (not UTF-8)")
    except Undecided as why:
        return text._replace(note=f"{kind}: merged as text ({why})")
    except Exception as exc:  # a corner the structure does not know: text is safe
        failed = f"structural merge failed: {type(exc).__name__}"
        return text._replace(note=f"{kind}: merged as text ({failed})")
    return ContentMerge(out.encode(), 0, kind)
