"""What a structural merge gives when the sides changed places differently."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal, NamedTuple

from synctool.merge.union import Undecided

Side = Literal["base", "theirs", "mark"]


class Clash(Undecided):
    """The sides changed one place differently, and it cannot be marked on
    its own (the documents of a file): a clean line merge is no answer."""


class Localized(NamedTuple):
    """A structural merge with places the two sides changed differently.

    ``render(choice)`` writes the merged document with conflict ``i`` taken
    from ``choice[i]`` ("base" or "theirs", or "mark": a one-line value
    found nowhere else, to tell where it is) and every other one from ours
    (absent where ours removed it). ``reasons`` names each conflict.
    """

    reasons: Sequence[str]
    render: Callable[[Mapping[int, Side]], str]
