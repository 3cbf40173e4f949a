"""The command line: thin typer functions that call synctool.commands.*.

This is the only package that knows typer: app.py holds the application and
its groups, options.py the options several commands share, one module each
declares a group of commands, and invoke.py runs them. Every command returns
an exit code. Importing the package registers every command on ``app``.
"""

# help lists the commands in the order they register
from synctool.cli import create, adopt, sync, check, completion, fleet, blueprint  # noqa: I001
from synctool.cli.app import app
from synctool.cli.invoke import main, run

__all__ = [
    "adopt",
    "app",
    "blueprint",
    "check",
    "completion",
    "create",
    "fleet",
    "main",
    "run",
    "sync",
]
