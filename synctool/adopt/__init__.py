"""Adopt: bring a project synctool did not generate under its care.

The applied state (the lock) is the blueprint rendered at the version that
generated the project with the answers it was generated with: read from
copier's answers file, or given (`--blueprint/--ref/--data`) for a project no
template made. What the team changed since is the team's; the next `update`
is an ordinary three-way merge. Only `.synctool.yml` and `.synctool.lock` are
written; every other file, copier's answers file included, stays as it is.
"""

from __future__ import annotations

from synctool.adopt.model import Adopted, AdoptOptions
from synctool.adopt.run import adopt

__all__ = ["AdoptOptions", "Adopted", "adopt"]
