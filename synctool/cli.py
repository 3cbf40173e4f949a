"""The command line: thin typer functions that call synctool.commands.*.

This is the only module that knows typer. Every command returns an exit code;
`main` maps errors to the codes in DESIGN.md (0 ok, 1 findings/conflicts,
2 bad input, 3 crash, 130 interrupted).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
import typer.core
import typer.main

from synctool import __version__, ui
from synctool.errorhandler import guarded
from synctool.errors import EXIT_USAGE
from synctool.usage import close_options

_F = TypeVar("_F", bound=Callable[..., Any])


def _conventional(params: list[Any]) -> list[Any]:
    """Help as click users know it: a flag shows no type (typer shows
    ``<bool>``), a choice its choices (``[text|json]``). Options declare
    their own metavar otherwise (``--data KEY=VALUE``)."""
    for param in params:
        if not isinstance(param, typer.core.TyperOption) or param.metavar is not None:
            continue
        if param.is_flag and not param.count:
            param.metavar = ""
            continue
        choices = getattr(param.type_descriptor, "choices", None)
        if getattr(param.type_descriptor, "is_choice", False) and choices:
            param.metavar = "[" + "|".join(str(c) for c in choices) + "]"
    return params


class _Command(typer.core.TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _conventional(super().get_params(ctx))


class _Group(typer.core.TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _conventional(super().get_params(ctx))


class _App(typer.Typer):
    """A typer app whose commands and groups show conventional help."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", _Group)
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[_F], _F]:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = _App(
    name="synctool",
    help="Keep services conformant with a versioned blueprint (a copier template).",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion: bash, zsh, fish
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # answers may hold secrets
)
fleet_app = _App(
    help="Run update and check across many services.", no_args_is_help=True
)
blueprint_app = _App(help="Create and manage blueprints.", no_args_is_help=True)
app.add_typer(fleet_app, name="fleet")
app.add_typer(blueprint_app, name="blueprint")

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
ServicePath = Annotated[
    Path,
    typer.Argument(
        metavar="PATH", help="The service's folder.", show_default="current folder"
    ),
]


def _setup(quiet: bool, verbose: bool, no_color: bool) -> None:
    if quiet or verbose or no_color:
        ui.configure(quiet=quiet, verbose=verbose, color=not no_color)


def _version_callback(value: bool) -> None:
    if value:
        ui.info(f"synctool {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version.",
        ),
    ] = False,
) -> None:
    """Generate services from a blueprint, merge its releases in, check for drift."""
    ui.configure(quiet=quiet, verbose=verbose, color=not no_color)


@app.command()
def init(
    dest: Annotated[
        Path, typer.Argument(metavar="DEST", help="Folder for the new service.")
    ],
    blueprint: Annotated[
        str | None,
        typer.Option(
            "--blueprint",
            metavar="SRC",
            help="Local path or git URL of a copier template.",
            show_default="the bundled blueprint",
        ),
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            "--ref",
            metavar="REF",
            help="Blueprint tag or commit.",
            show_default="newest release tag (HEAD if untagged)",
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="An answer (repeatable)."
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", metavar="FILE", help="YAML file of answers."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Accept the default for every question.")
    ] = False,
    trust: Trust = False,
    use_git: Annotated[
        bool,
        typer.Option(
            "--git/--no-git",
            help="git init DEST and commit, unless it is already in a repository.",
        ),
    ] = True,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Generate into a non-empty folder; existing files are kept, never overwritten.",
        ),
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Generate a new service from a blueprint.

    Writes the service, .synctool.yml (the blueprint, ref and answers it
    follows) and .synctool.lock (what was applied). Off a terminal, every
    question needs an answer from --data/--data-file, or use --defaults.
    """
    _setup(quiet, verbose, no_color)
    from synctool.blueprint.answers import parse_data
    from synctool.commands.init import InitOptions, run

    return run(
        InitOptions(
            dest=dest,
            blueprint=blueprint,
            ref=ref,
            data=parse_data(data or [], data_file),
            defaults=defaults,
            interactive=sys.stdin.isatty() and not defaults,
            trust=trust,
            git=use_git,
            force=force,
        )
    )


@app.command()
def adopt(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="The project's folder (generated by copier, or by nothing).",
            show_default="current folder",
        ),
    ] = Path(),
    answers_file: Annotated[
        str | None,
        typer.Option(
            "--answers-file",
            "-a",
            metavar="PATH",
            help="copier's answers file, relative to the project.",
            show_default="found: .copier-answers.yml or the YAML file holding _src_path",
        ),
    ] = None,
    blueprint: Annotated[
        str | None,
        typer.Option(
            "--blueprint",
            metavar="SRC",
            help="The template (path or git URL), if not the one the answers file names.",
            show_default="_src_path of the answers file",
        ),
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            "--ref",
            metavar="REF",
            help="The version that generated the project (tag or commit).",
            show_default="_commit of the answers file",
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="An answer the answers file lacks, such as a secret (repeatable).",
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", metavar="FILE", help="YAML file of answers."),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option(
            "--defaults", help="Unanswered questions (secrets) take their defaults."
        ),
    ] = False,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Allow the blueprint's code (Jinja extensions) to render; adopt runs no tasks.",
        ),
    ] = False,
    allow_dirty: AllowDirty = False,
    output: Format = "text",
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Adopt a project copier generated (or any project): record it, change nothing.

    Renders the template at the version copier applied, with the answers it
    recorded, and writes .synctool.yml and .synctool.lock from that render;
    every other file stays. It reports the files the team changed since.
    Off a terminal, secret answers (never recorded) need --data or --defaults.
    """
    _setup(quiet, verbose, no_color)
    from synctool.blueprint.answers import parse_data
    from synctool.commands.adopt import AdoptOptions, run

    terminal = sys.stdin.isatty()
    return run(
        AdoptOptions(
            path=path,
            answers_file=answers_file,
            blueprint=blueprint,
            ref=ref,
            data=parse_data(data or [], data_file),
            defaults=defaults,
            interactive=terminal and not defaults,
            trust=trust,
            allow_dirty=allow_dirty,
            output=output,
            choose=_choose_answers_file if terminal else None,
        )
    )


def _choose_answers_file(found: list[str]) -> str:
    """On a terminal: which of several copier answers files to adopt."""
    import click

    for number, rel in enumerate(found, 1):
        ui.info(f"  {number}. {rel}")
    picked = typer.prompt(
        "Several copier answers files; adopt which one",
        type=click.IntRange(1, len(found)),
        default=1,
    )
    return found[int(picked) - 1]


@app.command()
def sync(
    path: ServicePath = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; write nothing.")
    ] = False,
    abort: Annotated[
        bool, typer.Option("--abort", help="Roll back an interrupted sync.")
    ] = False,
    allow_dirty: AllowDirty = False,
    trust: Trust = False,
    output: Format = "text",
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Three-way merge the service from its applied state to its declared state.

    Run it after editing `ref` or an answer in .synctool.yml. Exit 1 when
    conflicts were written into files; a second run is a no-op.
    """
    _setup(quiet, verbose, no_color)
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
def update(
    path: ServicePath = Path(),
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="REF",
            help="Blueprint tag or commit.",
            show_default="newest release",
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="Change an answer (repeatable)."
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="New questions take their defaults.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; write nothing.")
    ] = False,
    allow_dirty: AllowDirty = False,
    trust: Trust = False,
    output: Format = "text",
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Move the service to a newer blueprint release: set the declared ref, then sync."""
    _setup(quiet, verbose, no_color)
    from synctool.blueprint.answers import parse_data
    from synctool.commands.sync import SyncOptions, run

    return run(
        SyncOptions(
            path=path,
            to=to,
            data=parse_data(data or [], None),
            update=True,
            dry_run=dry_run,
            allow_dirty=allow_dirty,
            trust=trust,
            interactive=sys.stdin.isatty() and not defaults,
            output=output,
        )
    )


@app.command()
def diff(
    path: ServicePath = Path(),
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="REF", help="Blueprint tag or commit."),
    ] = None,
    output: Format = "text",
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Show what `update` would change, without writing anything."""
    _setup(quiet, verbose, no_color)
    from synctool.commands.sync import SyncOptions, run

    return run(
        SyncOptions(
            path=path, to=to, update=True, dry_run=True, allow_dirty=True, output=output
        )
    )


@app.command()
def check(
    path: ServicePath = Path(),
    output: Annotated[
        Literal["text", "json", "github", "sarif"],
        typer.Option("--format", help="Output format (github: annotations)."),
    ] = "text",
    fix: Annotated[
        bool, typer.Option("--fix", help="Repair what is safely repairable.")
    ] = False,
    online: Annotated[
        bool,
        typer.Option("--online", help="Also ask the blueprint for newer releases."),
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Check the service for drift from its blueprint, offline (a pre-commit hook).

    Exit 0 when clean (warnings allowed), 1 when there are findings, 2 when a
    rule or the service's files are malformed.
    """
    _setup(quiet, verbose, no_color)
    from synctool.commands.check import CheckOptions, run

    return run(CheckOptions(path=path, output=output, fix=fix, online=online))


@app.command()
def completion(
    shell: Annotated[
        Literal["bash", "zsh", "fish"],
        typer.Argument(metavar="SHELL", help="bash, zsh or fish."),
    ],
) -> int:
    """Print the shell completion script for SHELL.

    bash: add `eval "$(synctool completion bash)"` to ~/.bashrc; zsh: the
    same with zsh in ~/.zshrc (after compinit); fish: `synctool completion
    fish > ~/.config/fish/completions/synctool.fish`. `synctool
    --install-completion` does this for the shell it runs in.
    """
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="synctool", complete_var="_SYNCTOOL_COMPLETE", shell=shell
    )
    ui.emit_text(script.strip("\n"))
    return 0


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


@fleet_app.command("update")
def fleet_update(
    repos: Repos = None,
    repos_file: ReposFile = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="REF",
            help="Blueprint tag or commit.",
            show_default="newest release",
        ),
    ] = None,
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
    push: Annotated[
        bool, typer.Option("--push", help="Push each branch to its origin.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Report what would change; write nothing."),
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
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Update many services to a blueprint release, one branch and commit each.

    Each repo is cloned into the work folder; a branch from its default branch
    gets the update and one commit (conflict markers included), pushed with
    --push. Repos already at the target are skipped, so a re-run retries only
    what failed. Exit 1 when a repo has conflicts or failed.
    """
    _setup(quiet, verbose, no_color)
    from synctool.commands.fleet import Selection, UpdateOptions, run_update

    return run_update(
        Selection(
            repos=repos or [],
            repos_file=repos_file,
            shard=shard,
            jobs=jobs,
            workdir=workdir,
            report=report,
            output=output,
        ),
        UpdateOptions(
            to=to,
            branch=branch,
            commit=commit,
            push=push,
            dry_run=dry_run,
            limit=limit,
            trust=trust,
        ),
    )


@fleet_app.command("check")
def fleet_check(
    repos: Repos = None,
    repos_file: ReposFile = None,
    jobs: Jobs = None,
    shard: Shard = None,
    workdir: Workdir = None,
    report: Report = None,
    online: Annotated[
        bool,
        typer.Option("--online", help="Also evaluate max-behind rules in each repo."),
    ] = False,
    output: FleetFormat = "text",
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Check many services and summarise versions and findings.

    Local paths are checked where they are; URLs on their default branch.
    Exit 1 when a repo has findings or could not be checked.
    """
    _setup(quiet, verbose, no_color)
    from synctool.commands.fleet import Selection, run_check

    return run_check(
        Selection(
            repos=repos or [],
            repos_file=repos_file,
            shard=shard,
            jobs=jobs,
            workdir=workdir,
            report=report,
            output=output,
        ),
        online=online,
    )


@fleet_app.command("plan")
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
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Split the fleet into shards: a GitHub Actions matrix, or the repos of each."""
    _setup(quiet, verbose, no_color)
    from synctool.commands.fleet import Selection, run_plan

    return run_plan(
        Selection(repos=repos or [], repos_file=repos_file, output=output), shards
    )


@blueprint_app.command("new")
def blueprint_new(
    dest: Annotated[
        Path,
        typer.Argument(metavar="DEST", help="Folder for the new blueprint repository."),
    ],
    quiet: Quiet = False,
    verbose: Verbose = False,
    no_color: NoColor = False,
) -> int:
    """Start your own blueprint from the bundled one (git repository tagged v1.0.0)."""
    _setup(quiet, verbose, no_color)
    from synctool.commands.blueprint import run_new

    return run_new(dest)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (tests call this in-process)."""
    args = sys.argv[1:] if argv is None else argv
    return guarded(lambda: _invoke(args), args)


def _invoke(args: list[str]) -> int:
    try:
        result = app(args=args, prog_name="synctool", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        raise KeyboardInterrupt from None
    except typer.TyperException as exc:  # usage: unknown option, missing argument
        _tidy_usage_error(exc, args)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        code = getattr(exc, "exit_code", EXIT_USAGE)
        return code if isinstance(code, int) else EXIT_USAGE
    return int(result) if isinstance(result, int) else 0


def _tidy_usage_error(exc: Exception, args: list[str]) -> None:
    """One style for every usage error (synctool.usage prints check's the same):
    the usage lines always, suggestions only for close names, no pydantic
    wording in a bad choice."""
    if getattr(exc, "ctx", False) is None and hasattr(exc, "cmd"):
        found = _context_for(args)  # click raises "requires an argument" without one
        exc.ctx, exc.cmd = found, found.command  # type: ignore[attr-defined]
    ctx = getattr(exc, "ctx", None)
    if hasattr(exc, "possibilities") and ctx is not None:
        names = [
            opt
            for param in ctx.command.get_params(ctx)
            for opt in (*param.opts, *param.secondary_opts)
        ]
        exc.possibilities = close_options(exc.option_name, names)  # type: ignore[attr-defined]
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message.startswith("Value error, "):
        exc.message = message.removeprefix("Value error, ")  # type: ignore[attr-defined]


def _context_for(args: list[str]) -> typer.Context:
    """The context of the (sub)command ``args`` name, for its usage line."""
    command = typer.main.get_command(app)
    ctx = typer.Context(command, info_name="synctool", **command.context_settings)
    for arg in args:
        commands = getattr(command, "commands", None)
        if arg.startswith("-") or not isinstance(commands, dict):
            if isinstance(commands, dict):
                continue  # a root or group option (all of them flags)
            break
        if arg not in commands:
            break
        command = commands[arg]
        ctx = typer.Context(
            command, info_name=arg, parent=ctx, **command.context_settings
        )
    return ctx


def main() -> None:
    sys.exit(run())
