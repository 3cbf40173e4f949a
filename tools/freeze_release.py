"""Freeze the bundled blueprint's current release into synctool (maintainers).

After bumping ``blueprint/VERSION``, from the repository root:

    python tools/freeze_release.py

It adds ``blueprint/`` as that release to ``synctool/_releases`` (see
synctool.blueprint.releases), or says it is frozen already; a release frozen
with other content is refused.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This checkout's synctool, not an installed one: the release is frozen into
# the source tree that ships it (as `python -m` from the root did).
REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from synctool import ui
    from synctool.blueprint.releases import freeze
    from synctool.blueprint.sources import bundled_dir, bundled_version

    if argv:
        ui.error("usage: python tools/freeze_release.py")
        return 2
    version = bundled_version()
    added = freeze(bundled_dir(), version)
    ui.info(f"{'froze' if added else 'already frozen:'} bundled blueprint {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
