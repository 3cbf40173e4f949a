"""`synctool fleet plan`: the shards of a fleet, as a CI matrix."""

from __future__ import annotations

from pathlib import Path

from synctool import ui
from synctool.commands.fleet.selection import (
    PLAN_FORMATS,
    Selection,
)
from synctool.errors import (
    EXIT_OK,
    InputError,
)
from synctool.fleet.repos import (
    Repo,
    collect,
    shard_of,
)


def run_plan(sel: Selection, shards: int) -> int:
    """The shards of the fleet: a GitHub Actions matrix, or which repo goes where."""
    if sel.output not in PLAN_FORMATS:
        raise InputError(
            f"unknown --format {sel.output!r}.",
            f"Use one of: {', '.join(PLAN_FORMATS)}.",
        )
    if shards < 1:
        raise InputError(f"--shards {shards}: give at least 1.")
    repos: list[Repo] = []
    if sel.repos or sel.repos_file is not None:
        repos, _dropped = collect(sel.repos, sel.repos_file, Path.cwd())
    elif sel.output != "github-matrix":
        raise InputError(
            "no repositories given.",
            "Pass them (or --repos FILE) to see each shard's repos, "
            "or use --format github-matrix.",
        )
    owner = shard_of(repos, shards)
    groups = {
        n: [r.spec for r in repos if owner[r.id] == n] for n in range(1, shards + 1)
    }
    if repos:  # with the fleet known, a runner is never started for nothing
        groups = {n: specs for n, specs in groups.items() if specs}
    if sel.output == "github-matrix":
        ui.emit_json_line({"include": [{"shard": f"{n}/{shards}"} for n in groups]})
    elif sel.output == "json":
        ui.emit_json(
            {
                "shards": [
                    {"shard": f"{n}/{shards}", "repos": s} for n, s in groups.items()
                ]
            }
        )
    else:
        for n, specs in groups.items():
            ui.heading(f"shard {n}/{shards}: {len(specs)} repo(s)")
            ui.lines(f"  {spec}" for spec in specs)
    return EXIT_OK
