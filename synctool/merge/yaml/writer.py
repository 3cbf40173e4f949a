"""The merged documents written as text laid out like ours."""

from __future__ import annotations

from typing import Any

from synctool.merge.text import merge_text
from synctool.merge.types import Labels
from synctool.merge.union import Undecided
from synctool.merge.yaml.io import dump, guess_layout, load, make_yaml, reads_as


class Writer:
    """Writes merged documents laid out like ours (``ours`` read once)."""

    def __init__(self, ours: str, docs: list[Any] | None = None) -> None:
        self.ours = ours
        self.docs = docs  # ours' documents as read, if at hand
        self.yaml = make_yaml(guess_layout(ours), ours.lstrip().startswith("---"))
        self.round_trip: str | None = None

    def __call__(self, merged: list[Any], want: Any) -> str:
        """The text; read back to check it means ``want`` (unless None)."""
        ours = self.ours
        out = dump(merged, self.yaml)
        if self.round_trip is None:
            docs = self.docs or load(ours, "the service's file")
            self.round_trip = dump(docs, self.yaml)
            self.docs = None
        if self.round_trip != ours:
            # ruamel would re-lay parts of ours; apply only the merge's edits
            # to ours' own text, so the rest of the file stays byte for byte.
            labels = Labels("", "", "")
            splice = merge_text(
                self.round_trip.encode(), ours.encode(), out.encode(), labels
            )
            if splice.conflicts:
                raise Undecided("ours' layout does not survive a rewrite")
            out = splice.data.decode()
        if want is not None and not reads_as(out, want):
            raise Undecided("the merged tree does not write back faithfully")
        return out


def write(merged: list[Any], ours: str, want: Any) -> str:
    """The merged documents as text, laid out like ours."""
    return Writer(ours)(merged, want)
