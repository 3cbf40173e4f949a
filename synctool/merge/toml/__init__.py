"""Structural TOML merge on tomlkit documents (which round-trip exactly).

Tables merge key by key (a key or table theirs added goes after ours', where
tomlkit's public API puts it); arrays of strings as sets keeping ours' order and
layout, where a dependency is one item whatever its version
(``fastapi>=0.110`` -> ``fastapi>=0.115`` on one side is taken); arrays of
tables by an identity key. As for YAML, a clean line merge that means the
same data wins, and anything undecidable sends the file to the line merge.
"""

from synctool.merge.toml.driver import TOML_FORMAT

__all__ = ["TOML_FORMAT"]
