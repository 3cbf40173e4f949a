"""A platform team's own blueprint, started from the bundled one
(`synctool blueprint new`).

The bundled blueprint's files are copied, not its history: the new
repository's first release is its own ``v1.0.0``, so its CHANGELOG begins
there, and the README's steps for checking and releasing a change are the
team's (render, tag) rather than those of synctool's maintainers (bump
``VERSION``, freeze the release into synctool's wheel).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

from synctool import __version__
from synctool.blueprint import sources

FIRST_TAG = "v1.0.0"
# The bundled copy's VERSION stands in for git tags; a real blueprint has tags.
_NOT_COPIED = shutil.ignore_patterns("VERSION", "__pycache__", "*.pyc", ".git")
_HEADING = re.compile(r"^## ", re.MULTILINE)

# The README's sections for synctool's maintainers, and what a team does instead.
_TEAM_SECTIONS = {
    "## Validating a change": """\
## Validating a change

Render a service from your working tree before you tag, and run its checks
there:

```sh
synctool init /tmp/try --blueprint . --ref HEAD --defaults   # your uncommitted changes too
cd /tmp/try && make lint typecheck test-unit
```

Without `--ref HEAD` the newest release tag is rendered. `make test` runs the
integration and end-to-end tests too, against PostgreSQL (see the service's
README).
""",
    "## Releasing": """\
## Releasing

1. Change the template. Semver: a new question without a default, or a
   removed file, is a major change.
2. Write the release in `CHANGELOG.md`: what changed, what each team must
   do, what synctool merges for them.
3. Commit, and tag the commit `vX.Y.Z` (copier and synctool read PEP 440
   tags): `git tag -a v1.1.0 -m v1.1.0`. Services move with `synctool
   update` (or `--to 1.1.0`), the fleet with `synctool fleet update`.

Base-image digests, action SHAs and tool versions are pins, not decoration:
this repository's `renovate.json` proposes their bumps in the template files;
a release brings them to every service (services' own Dependabot covers only
the files the team owns).
""",
}


def start(dest: Path) -> str:
    """Copy the bundled blueprint into ``dest`` as the first release of a
    blueprint of its own; return the bundled version it started from."""
    version = sources.bundled_version()
    shutil.copytree(sources.bundled_dir(), dest, ignore=_NOT_COPIED, dirs_exist_ok=True)
    changelog = dest / "CHANGELOG.md"
    if changelog.is_file():
        changelog.write_text(first_release(changelog.read_text(), version))
    readme = dest / "README.md"
    if readme.is_file():
        readme.write_text(team_steps(readme.read_text()))
    return version


def first_release(changelog: str, version: str) -> str:
    """The changelog's preamble (what it records, how a change reaches a
    service), then the new blueprint's one release."""
    preamble = _HEADING.split(changelog, maxsplit=1)[0].rstrip("\n")
    entry = textwrap.fill(
        f"The first release: synctool's bundled blueprint {version}, as synctool "
        f"{__version__} ships it. Services made from this blueprint start here; "
        "what the bundled blueprint's own releases brought is in synctool's "
        "repository (`blueprint/CHANGELOG.md`).",
        width=76,
    )
    return f"{preamble}\n\n## {FIRST_TAG.removeprefix('v')}\n\n{entry}\n"


def team_steps(readme: str) -> str:
    """``readme`` with its sections for synctool's maintainers replaced by the
    team's; appended where the README has no such section."""
    first, *sections = _HEADING.split(readme)
    parts = [first]
    missing = dict(_TEAM_SECTIONS)
    for body in sections:
        heading = "## " + body.split("\n", 1)[0].strip()
        team = missing.pop(heading, None)
        parts.append(body if team is None else team.removeprefix("## ") + "\n")
    text = "## ".join(parts)
    for section in missing.values():
        text = text.rstrip("\n") + "\n\n" + section
    return text
