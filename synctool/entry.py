"""The `synctool` executable.

`synctool check` runs as a pre-commit hook on every commit, so its start-up
is part of the product: it is parsed here (synctool.usage) and never loads typer
(which loads pydantic) or copier. Every other command, and `check --help`,
goes through the typer application in ``synctool.cli``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if (
        args[:1] == ["check"]
        and not {"-h", "--help"} & set(args)
        and "_SYNCTOOL_COMPLETE" not in os.environ  # shell completion: typer's
    ):
        sys.exit(run_check(args[1:]))
    from synctool.cli import main as cli_main

    cli_main()


def run_check(args: list[str]) -> int:
    from synctool.usage import CHECK_USAGE, UsageError, parse_check, show_usage_error

    try:
        opts = parse_check(args)
    except UsageError as exc:  # exit 2 with the usage lines, as typer's commands
        show_usage_error("synctool check", CHECK_USAGE, exc.message)
        return 2

    from synctool import ui
    from synctool.commands.check import CheckOptions, run
    from synctool.errorhandler import guarded

    ui.configure(quiet=opts.quiet, verbose=opts.verbose, color=not opts.no_color)
    options = CheckOptions(
        path=opts.path, output=opts.output, fix=opts.fix, online=opts.online
    )
    return guarded(lambda: run(options), ["check"])
