"""`synctool init DEST`: a new service from a blueprint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synctool.cli import options
from synctool.cli.app import app, printing


@app.command()
@printing
def init(
    dest: Annotated[
        Path, typer.Argument(metavar="DEST", help="Folder for the new service.")
    ],
    blueprint: Annotated[
        str | None,
        options.blueprint_option(
            "Local path or git URL of a copier template.", "the bundled blueprint"
        ),
    ] = None,
    ref: Annotated[
        str | None,
        options.ref_option(
            "--ref",
            "Blueprint tag or commit.",
            show_default="newest release tag (HEAD if untagged)",
        ),
    ] = None,
    data: Annotated[
        list[str] | None, options.data_option("An answer (repeatable).")
    ] = None,
    data_file: options.DataFile = None,
    defaults: Annotated[
        bool, options.defaults_option("Accept the default for every question.")
    ] = False,
    trust: options.Trust = False,
    use_git: Annotated[
        bool,
        typer.Option(
            "--git/--no-git",
            help="git init DEST and commit, unless it is already in a repository.",
        ),
    ] = True,
    force: Annotated[
        bool,
        options.flag(
            "--force",
            "Generate into a non-empty folder; existing files are kept, never overwritten.",
        ),
    ] = False,
) -> int:
    """Generate a new service from a blueprint.

    Writes the service, .synctool.yml (the blueprint, ref and answers it
    follows) and .synctool.lock (what was applied). Off a terminal, every
    question needs an answer from --data/--data-file, or use --defaults.
    """
    from synctool.commands.init import InitOptions, run

    return run(
        InitOptions(
            dest=dest,
            asked=options.asked(
                blueprint, ref, data, data_file, defaults=defaults, trust=trust
            ),
            git=use_git,
            force=force,
        )
    )
