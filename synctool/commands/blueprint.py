"""`synctool blueprint new DIR`: start a platform team's own blueprint."""

from __future__ import annotations

from pathlib import Path

from synctool import git, ui
from synctool.blueprint.starter import FIRST_TAG, start
from synctool.errors import EXIT_OK, InputError


def run_new(dest: Path) -> int:
    dest = dest.absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(
            f"{dest} exists and is not empty.", "Choose a new or empty folder."
        )
    if git.toplevel(dest) is not None:
        raise InputError(
            f"{dest} is inside a git repository.",
            "A blueprint is released by tagging its own repository: choose a folder outside any repository.",
        )
    version = start(dest)
    git.init_and_commit(
        dest, f"Start blueprint from synctool's bundled blueprint {version}"
    )
    git.run(
        ["tag", "-a", FIRST_TAG, "-m", f"Release {FIRST_TAG}"],
        cwd=dest,
        env=git.COMMIT_ENV,
    )
    ui.action("create", f"{dest} (git repository, tagged {FIRST_TAG})")
    ui.lines(
        [
            "",
            f"Your blueprint is at {dest}. Generate a service from it:",
            f"  synctool init my-service --blueprint {dest}",
            "Release the next version by committing your change and tagging it:",
            "  git commit -am 'Add a CI step' && git tag -a v1.1.0 -m v1.1.0",
            "Services pick it up with:",
            "  synctool update            # newest release tag; or --to v1.1.0",
            "Push the repository somewhere your services can reach and use its URL as --blueprint.",
        ]
    )
    return EXIT_OK
