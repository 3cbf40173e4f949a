"""What the YAML and TOML drivers share: structure first, text when undecided.

Each driver is a ``StructuredFormat`` (its parser and writer);
``structural_merge`` runs one, deciding the same way for both between the
line merge and the structural result, and marks a place both sides
changed differently (``Localized``) as a conflict on that place only,
git's way (decide, clashes, markers).

Also here, for both drivers' lists: how to merge an ordered list of items
(``merge_sequence``: sequence, fates), how to know the items of a list of
scalars by a key (``scalar_key``: a package name, a ``KEY=value``
variable; scalar_keys), and how to pair items that have no identity by
their content (``align``, scored by ``likeness`` of their ``leaves``;
pairing). How a reason names a place (``project.version``) is places'.
"""

from synctool.merge.structural.clashes import Clash, Localized, Side
from synctool.merge.structural.decide import StructuredFormat, structural_merge
from synctool.merge.structural.pairing import align, leaves, likeness
from synctool.merge.structural.scalar_keys import scalar_key
from synctool.merge.structural.sequence import Step, merge_sequence

__all__ = [
    "Clash",
    "Localized",
    "Side",
    "Step",
    "StructuredFormat",
    "align",
    "leaves",
    "likeness",
    "merge_sequence",
    "scalar_key",
    "structural_merge",
]
