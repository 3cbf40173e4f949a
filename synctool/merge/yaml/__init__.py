"""Structural YAML merge on ruamel.yaml round-trip trees.

Mappings merge key by key. Sequences of mappings merge by an identity key
(``id``, ``name``, ``uses`` or the policy's), or else with items paired by
content; lists of scalars are ordered sequences, their items known by a
name where they have one (a package of a dependency list, the variable of
a ``KEY=value``). Documents of a multi-document file are known by kind and
``metadata.name`` (Kubernetes manifests), else by position or content.

The result is written from ours' tree so its comments, key order, quoting
and indentation stay. The line merge is tried first: when it is clean and
means the same data as the structural merge, its text wins (it keeps every
comment of both sides, exactly as git would). A place both sides changed
differently is a conflict on that place only: git-style markers around its
lines, the rest of the file merged. What the structure cannot read at all
(anchors, a side that does not parse) goes to the line merge, whose clean
result must still parse.
"""

from synctool.merge.yaml.documents import YAML_FORMAT
from synctool.merge.yaml.io import guess_layout

__all__ = ["YAML_FORMAT", "guess_layout"]
