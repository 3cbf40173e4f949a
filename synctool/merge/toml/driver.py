"""The TOML driver: the sides' documents merged, or the file merged as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tomlkit.exceptions import TOMLKitError

from synctool.merge.text import merge_text
from synctool.merge.toml.canon import canon
from synctool.merge.toml.io import parse, reads_as
from synctool.merge.toml.merger import Merger
from synctool.merge.toml.writer import write
from synctool.merge.types import ContentMerge, Labels
from synctool.merge.union import ABSENT, Undecided
from synctool.tree import DEFAULT_IDENTITY_KEYS


def _merge_docs(base: str, ours: str, theirs: str, identity_keys: Sequence[str]) -> Any:
    """The merged document, built in ours' tomlkit document."""
    b = parse(base, "applied blueprint")
    o = parse(ours, "service")
    t = parse(theirs, "blueprint")
    try:
        return Merger(identity_keys).node("", b if base.strip() else ABSENT, o, t)
    except TOMLKitError as exc:  # tomlkit refused an edit (e.g. a key redefined)
        raise Undecided(f"tomlkit cannot apply the merge: {exc}") from exc


def merge_toml(
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str] = DEFAULT_IDENTITY_KEYS,
) -> ContentMerge:
    """Three-way merge of TOML files; whole-file line merge when undecidable.

    Only what the structure cannot decide (``Undecided``: a value changed on
    both sides, a side that is not TOML) falls back to the line merge, with
    the reason in the note. Any other exception is a bug and propagates.
    """
    text = merge_text(base, ours, theirs, labels)
    try:
        sides = base.decode(), ours.decode(), theirs.decode()
    except UnicodeDecodeError:
        return text._replace(note="toml: merged as text (not UTF-8)")
    try:
        merged = _merge_docs(*sides, identity_keys)
        want = canon(merged)
        # A clean line merge that means the same keeps both sides' comments
        # and layout, as git would.
        if not text.conflicts and reads_as(text.data.decode(), want):
            return text._replace(driver="toml")
        out = write(merged, sides[1], sides[2], want)
    except Undecided as why:
        return text._replace(note=f"toml: merged as text ({why})")
    return ContentMerge(out.encode(), 0, "toml")
