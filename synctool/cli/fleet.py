"""`synctool fleet update|check|plan`: the options that pick and split the repos."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from synctool.cli.app import fleet_app, printing
from synctool.cli.options import (
    FleetFormat,
    Jobs,
    Report,
    Repos,
    ReposFile,
    Shard,
    To,
    Trust,
    Workdir,
    flag,
)


@fleet_app.command("update")
@printing
def fleet_update(
    repos: Repos = None,
    repos_file: ReposFile = None,
    to: To = None,
    jobs: Jobs = None,
    branch: Annotated[
        str | None,
        typer.Option(
            "--branch",
            metavar="NAME",
            help="Branch to commit to in each repo.",
            show_default="synctool/update-<version>",
        ),
    ] = None,
    commit: Annotated[
        bool, typer.Option("--commit/--no-commit", help="Commit the update.")
    ] = True,
    push: Annotated[bool, flag("--push", "Push each branch to its origin.")] = False,
    dry_run: Annotated[
        bool, flag("--dry-run", "Report what would change; write nothing.")
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", metavar="N", help="Only the first N repos."),
    ] = None,
    shard: Shard = None,
    workdir: Workdir = None,
    report: Report = None,
    trust: Trust = False,
    output: FleetFormat = "text",
) -> int:
    """Update many services to a blueprint release, one branch and commit each.

    Each repo is cloned into the work folder; a branch from its default branch
    gets the update and one commit (conflict markers included), pushed with
    --push. Repos already at the target are skipped, so a re-run retries only
    what failed. Exit 1 when a repo has conflicts or failed.
    """
    from synctool.commands.fleet import Selection, UpdateOptions, run_update

    return run_update(
        Selection(repos or [], repos_file, shard, jobs, workdir, report, output),
        UpdateOptions(to, branch, commit, push, dry_run, trust),
        limit,
    )


@fleet_app.command("check")
@printing
def fleet_check(
    repos: Repos = None,
    repos_file: ReposFile = None,
    jobs: Jobs = None,
    shard: Shard = None,
    workdir: Workdir = None,
    report: Report = None,
    online: Annotated[
        bool, flag("--online", "Also evaluate max-behind rules in each repo.")
    ] = False,
    output: FleetFormat = "text",
) -> int:
    """Check many services and summarise versions and findings.

    Local paths are checked where they are; URLs on their default branch.
    Exit 1 when a repo has findings or could not be checked.
    """
    from synctool.commands.fleet import Selection, run_check

    return run_check(
        Selection(repos or [], repos_file, shard, jobs, workdir, report, output),
        online=online,
    )


@fleet_app.command("plan")
@printing
def fleet_plan(
    repos: Repos = None,
    repos_file: ReposFile = None,
    shards: Annotated[
        int,
        typer.Option("--shards", metavar="N", help="Number of shards (CI runners)."),
    ] = 1,
    output: Annotated[
        Literal["text", "json", "github-matrix"],
        typer.Option("--format", help="Output format (a GitHub Actions matrix)."),
    ] = "text",
) -> int:
    """Split the fleet into shards: a GitHub Actions matrix, or the repos of each."""
    from synctool.commands.fleet import Selection, run_plan

    return run_plan(
        Selection(repos=repos or [], repos_file=repos_file, output=output), shards
    )
