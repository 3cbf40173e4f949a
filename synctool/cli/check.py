"""`synctool check` as typer declares it, for its help and shell completion.

A plain `synctool check` is parsed by synctool.usage (the pre-commit fast
path), which takes the same options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from synctool.cli.app import app, printing
from synctool.cli.options import ServicePath, flag


@app.command()
@printing
def check(
    path: ServicePath = Path(),
    output: Annotated[
        Literal["text", "json", "github", "sarif"],
        typer.Option("--format", help="Output format (github: annotations)."),
    ] = "text",
    fix: Annotated[bool, flag("--fix", "Repair what is safely repairable.")] = False,
    online: Annotated[
        bool, flag("--online", "Also ask the blueprint for newer releases.")
    ] = False,
) -> int:
    """Check the service for drift from its blueprint, offline (a pre-commit hook).

    Exit 0 when clean (warnings allowed), 1 when there are findings, 2 when a
    rule or the service's files are malformed.
    """
    from synctool.commands.check import CheckOptions, run

    return run(CheckOptions(path=path, output=output, fix=fix, online=online))
