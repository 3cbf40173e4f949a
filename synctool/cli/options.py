"""The options several commands take, declared once.

An alias is an option whose every word is the same wherever it appears; a
function makes the options whose name and metavar are shared but whose help
says what the command does with it. Also here, what several commands make of
the same options: the answers, whether copier may ask, the render asked for.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    from synctool.blueprint.asked import Asked

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Print more detail.")]
NoColor = Annotated[
    bool, typer.Option("--no-color", help="Plain output (also when NO_COLOR is set).")
]
Format = Annotated[
    Literal["text", "json"], typer.Option("--format", help="Output format.")
]
Trust = Annotated[
    bool,
    typer.Option("--trust", help="Allow the blueprint's tasks and migrations to run."),
]
AllowDirty = Annotated[
    bool, typer.Option("--allow-dirty", help="Proceed even if the git tree is dirty.")
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show the plan; write nothing.")
]
DataFile = Annotated[
    Path | None,
    typer.Option("--data-file", metavar="FILE", help="YAML file of answers."),
]
ServicePath = Annotated[
    Path,
    typer.Argument(
        metavar="PATH", help="The service's folder.", show_default="current folder"
    ),
]


def flag(name: str, help: str) -> Any:
    return typer.Option(name, help=help)


def ref_option(name: str, help: str, show_default: str | bool = True) -> Any:
    """A blueprint version: ``--ref`` or ``--to``, a tag or commit."""
    return typer.Option(name, metavar="REF", help=help, show_default=show_default)


To = Annotated[
    str | None,
    ref_option("--to", "Blueprint tag or commit.", show_default="newest release"),
]


def blueprint_option(help: str, show_default: str) -> Any:
    return typer.Option(
        "--blueprint", metavar="SRC", help=help, show_default=show_default
    )


def data_option(help: str) -> Any:
    return typer.Option("--data", "-d", metavar="KEY=VALUE", help=help)


def defaults_option(help: str) -> Any:
    return typer.Option("--defaults", help=help)


def answers(data: list[str] | None, data_file: Path | None) -> dict[str, Any]:
    """The answers --data-file and --data give (--data wins)."""
    from synctool.blueprint.answers import parse_data

    return parse_data(data or [], data_file)


def may_ask(defaults: bool) -> bool:
    """copier asks what no answer gives only on a terminal, and not with --defaults."""
    return sys.stdin.isatty() and not defaults


def asked(
    blueprint: str | None,
    ref: str | None,
    data: list[str] | None,
    data_file: Path | None,
    *,
    defaults: bool,
    trust: bool,
) -> Asked:
    """The render --blueprint, --ref, --data, --data-file, --defaults and
    --trust ask for."""
    from synctool.blueprint.asked import Asked

    answered = answers(data, data_file)
    return Asked(blueprint, ref, answered, defaults, may_ask(defaults), trust)


FleetFormat = Annotated[
    Literal["text", "json", "markdown", "html"],
    typer.Option("--format", help="Output format (markdown: a job summary)."),
]
Repos = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="REPO", help="Service repositories: local paths or git URLs."
    ),
]
ReposFile = Annotated[
    Path | None,
    typer.Option(
        "--repos",
        metavar="FILE",
        help="A file of repositories, one per line (# comments).",
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        help="Processes at work at once (1: this process only, one repo after another).",
        show_default="one per CPU",
    ),
]
Shard = Annotated[
    str | None,
    typer.Option(
        "--shard", help="Only shard I of N (e.g. 2/4), for a CI matrix.", metavar="I/N"
    ),
]
Workdir = Annotated[
    Path | None,
    typer.Option(
        "--workdir",
        metavar="DIR",
        help="Where repositories are cloned (kept and fetched on re-runs).",
        show_default="the user cache folder",
    ),
]
Report = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Write a report: .html, .md, or JSON for any other name.",
        metavar="FILE",
    ),
]
