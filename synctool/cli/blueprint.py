"""`synctool blueprint new`: start a blueprint of one's own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synctool.cli.app import blueprint_app, printing


@blueprint_app.command("new")
@printing
def blueprint_new(
    dest: Annotated[
        Path,
        typer.Argument(metavar="DEST", help="Folder for the new blueprint repository."),
    ],
) -> int:
    """Start your own blueprint from the bundled one (git repository tagged v1.0.0)."""
    from synctool.commands.blueprint import run_new

    return run_new(dest)
