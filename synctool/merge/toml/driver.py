"""The TOML driver: the sides' documents merged, or the file merged as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tomlkit.exceptions import TOMLKitError

from synctool.merge.structural.decide import StructuredFormat
from synctool.merge.toml.canon import canon
from synctool.merge.toml.io import parse, reads_as
from synctool.merge.toml.merger import Merger
from synctool.merge.toml.writer import write
from synctool.merge.union import ABSENT, Undecided


def _merge_docs(base: str, ours: str, theirs: str, identity_keys: Sequence[str]) -> Any:
    """The merged document, built in ours' tomlkit document."""
    b = parse(base, "applied blueprint")
    o = parse(ours, "service")
    t = parse(theirs, "blueprint")
    try:
        return Merger(identity_keys).node("", b if base.strip() else ABSENT, o, t)
    except TOMLKitError as exc:  # tomlkit refused an edit (e.g. a key redefined)
        raise Undecided(f"tomlkit cannot apply the merge: {exc}") from exc


# TOML's driver (``structural_merge``): whole-file line merge when
# undecidable. Only what the structure cannot decide (``Undecided``: a value
# changed on both sides, a side that is not TOML) falls back to the line
# merge, with the reason in the note. Any other exception is a bug and
# propagates.
TOML_FORMAT = StructuredFormat(
    "toml",
    merge_docs=_merge_docs,
    canon=canon,
    reads_as=reads_as,
    write=write,
    only_undecided=True,
)
