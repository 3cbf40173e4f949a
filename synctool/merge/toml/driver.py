"""The TOML driver: the sides' documents merged, or the file merged as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tomlkit.exceptions import TOMLKitError

from synctool.merge.structural.decide import structural_merge
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
    The choice between the structure and the text is ``structural_merge``'s.
    """
    return structural_merge(
        "toml",
        base,
        ours,
        theirs,
        labels,
        merge_docs=lambda b, o, t: _merge_docs(b, o, t, identity_keys),
        canon=canon,
        reads_as=reads_as,
        write=write,
        only_undecided=True,
    )
