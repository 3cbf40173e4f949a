"""`synctool sync`, `update` and `diff`: one sync, told where to go."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

from synctool.cli.app import app, printing
from synctool.cli.options import (
    AllowDirty,
    DryRun,
    Format,
    ServicePath,
    To,
    Trust,
    answers,
    data_option,
    defaults_option,
    flag,
    may_ask,
    ref_option,
)


@app.command()
@printing
def sync(
    path: ServicePath = Path(),
    dry_run: DryRun = False,
    abort: Annotated[bool, flag("--abort", "Roll back an interrupted sync.")] = False,
    allow_dirty: AllowDirty = False,
    trust: Trust = False,
    output: Format = "text",
) -> int:
    """Three-way merge the service from its applied state to its declared state.

    Run it after editing `ref` or an answer in .synctool.yml. Exit 1 when
    conflicts were written into files; a second run is a no-op.
    """
    from synctool.commands.sync import SyncOptions, run

    return run(
        SyncOptions(
            path=path,
            dry_run=dry_run,
            abort=abort,
            allow_dirty=allow_dirty,
            trust=trust,
            interactive=sys.stdin.isatty(),
            output=output,
        )
    )


@app.command()
@printing
def update(
    path: ServicePath = Path(),
    to: To = None,
    data: Annotated[
        list[str] | None, data_option("Change an answer (repeatable).")
    ] = None,
    defaults: Annotated[
        bool, defaults_option("New questions take their defaults.")
    ] = False,
    dry_run: DryRun = False,
    allow_dirty: AllowDirty = False,
    trust: Trust = False,
    output: Format = "text",
) -> int:
    """Move the service to a newer blueprint release: set the declared ref, then sync."""
    from synctool.commands.sync import SyncOptions, run

    return run(
        SyncOptions(
            path=path,
            to=to,
            data=answers(data, None),
            update=True,
            dry_run=dry_run,
            allow_dirty=allow_dirty,
            trust=trust,
            interactive=may_ask(defaults),
            output=output,
        )
    )


@app.command()
@printing
def diff(
    path: ServicePath = Path(),
    to: Annotated[str | None, ref_option("--to", "Blueprint tag or commit.")] = None,
    output: Format = "text",
) -> int:
    """Show what `update` would change, without writing anything."""
    from synctool.commands.sync import SyncOptions, run

    return run(
        SyncOptions(
            path=path, to=to, update=True, dry_run=True, allow_dirty=True, output=output
        )
    )
