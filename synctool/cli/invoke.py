"""Running the typer application: exit codes, and usage errors in one style.

`run` hands what a command raises to ``errorhandler.guarded``, which maps it to
the exit codes in docs/architecture.md.
"""

from __future__ import annotations

import sys

import typer
import typer.main

from synctool.cli.app import app
from synctool.errorhandler import guarded
from synctool.errors import EXIT_USAGE
from synctool.usage import close_options


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (tests call this in-process)."""
    args = sys.argv[1:] if argv is None else argv
    return guarded(lambda: _invoke(args), args)


def main() -> None:
    sys.exit(run())


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
