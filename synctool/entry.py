"""The `synctool` executable.

`synctool check` runs as a pre-commit hook on every commit, so its start-up
is part of the product: it is parsed here with argparse and never loads typer
(which loads pydantic) or copier. Every other command, and `check --help`,
goes through the typer application in ``synctool.cli``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_FORMATS = ("text", "json", "github", "sarif")


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["check"] and not {"-h", "--help"} & set(args):
        sys.exit(run_check(args[1:]))
    from synctool.cli import main as cli_main

    cli_main()


def run_check(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="synctool check", add_help=False)
    parser.add_argument("path", nargs="?", type=Path, default=Path("."))
    parser.add_argument("--format", dest="output", choices=_FORMATS, default="text")
    parser.add_argument("--fix", action="store_true")
    parser.add_argument("--online", action="store_true")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--no-color", action="store_true")
    opts = parser.parse_args(args)  # exits 2 with a usage line on bad options

    from synctool import ui
    from synctool.commands.check import CheckOptions, run
    from synctool.errorhandler import guarded

    ui.configure(quiet=opts.quiet, verbose=opts.verbose, color=not opts.no_color)
    options = CheckOptions(
        path=opts.path, output=opts.output, fix=opts.fix, online=opts.online
    )
    return guarded(lambda: run(options), ["check"])
