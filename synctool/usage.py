"""Usage errors in one style for every command, typer's (click's).

`synctool check` is parsed here, without typer, because it runs as a
pre-commit hook on every commit (see synctool.entry). Its options are the
ones `synctool.cli.check` declares (a test holds the two together), and its
usage errors read exactly as typer prints them for every other command:

    Usage: synctool check [OPTIONS] [PATH]
    Try 'synctool check -h' for help.

    Error: No such option: --bogus

This module imports nothing beyond the standard library.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

CHECK_FORMATS = ("text", "json", "github", "sarif")
CHECK_USAGE = "[OPTIONS] [PATH]"
HELP_OPTIONS = ("-h", "--help")
# option -> the CheckArgs field it sets
CHECK_FLAGS = {
    "--fix": "fix",
    "--online": "online",
    "-q": "quiet",
    "--quiet": "quiet",
    "-v": "verbose",
    "--verbose": "verbose",
    "--no-color": "no_color",
}
CHECK_VALUES = {"--format": "output"}


class UsageError(Exception):
    """A command line that does not parse: exit 2 with the usage lines."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckArgs(NamedTuple):
    path: Path = Path()
    output: str = "text"
    fix: bool = False
    online: bool = False
    quiet: bool = False
    verbose: bool = False
    no_color: bool = False


def close_options(typed: str, options: Iterable[str]) -> list[str]:
    """The long options a mistyped ``typed`` may have meant (at most three).

    Names are compared without their dashes (every option shares ``--``, which
    made click offer ``--verbose`` for ``--bogus``), closely (difflib ratio
    0.7 or more), or as a prefix of three letters or more (``--dry``)."""
    if not typed.startswith("--"):
        return []
    word = typed[2:].partition("=")[0]
    longs = {o[2:]: o for o in options if o.startswith("--") and len(o) > 2}
    import difflib  # only for a mistyped option: check starts on every commit

    found = difflib.get_close_matches(word, list(longs), n=3, cutoff=0.7)
    if len(word) >= 3:
        found += [n for n in longs if n.startswith(word) and n not in found]
    return sorted(longs[n] for n in found[:3] if n != word)


def no_such_option(opt: str, options: Iterable[str]) -> str:
    """click's message for an unknown option, with better suggestions."""
    message = f"No such option: {opt}"
    possible = close_options(opt, options)
    if possible:
        message += f" (Possible options: {', '.join(possible)})"
    return message


def show_usage_error(
    command_path: str, usage: str, message: str, stream: TextIO | None = None
) -> None:
    """What typer prints for a usage error (stderr)."""
    out = stream if stream is not None else sys.stderr
    out.write(
        f"Usage: {command_path} {usage}\n"
        f"Try '{command_path} {HELP_OPTIONS[0]}' for help.\n\n"
        f"Error: {message}\n"
    )
    out.flush()


def check_options() -> list[str]:
    """Every option `synctool check` takes, help included."""
    return [*CHECK_FLAGS, *CHECK_VALUES, *HELP_OPTIONS]


def parse_check(args: Sequence[str]) -> CheckArgs:
    """`synctool check`'s arguments, parsed as click parses them: options
    anywhere, ``--opt=value``, short flags bundled (``-qv``), ``--`` ends
    options; no abbreviations. Raises UsageError with click's messages."""
    values: dict[str, object] = {}
    positional: list[str] = []
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            positional.extend(rest)
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, explicit = arg.partition("=")
            if name in CHECK_VALUES:
                if eq:
                    values[CHECK_VALUES[name]] = explicit
                elif rest:
                    values[CHECK_VALUES[name]] = rest.pop(0)
                else:
                    raise UsageError(f"Option {name!r} requires an argument.")
            elif name in CHECK_FLAGS:
                if eq:
                    raise UsageError(f"Option {name!r} does not take a value.")
                values[CHECK_FLAGS[name]] = True
            else:
                raise UsageError(no_such_option(name, check_options()))
        elif arg.startswith("-") and len(arg) > 1:
            for char in arg[1:]:
                opt = "-" + char
                if opt not in CHECK_FLAGS:
                    raise UsageError(f"No such option: {opt}")
                values[CHECK_FLAGS[opt]] = True
        else:
            positional.append(arg)
    output = values.get("output", "text")
    if output not in CHECK_FORMATS:
        choices = ", ".join(repr(f) for f in CHECK_FORMATS)
        raise UsageError(
            f"Invalid value for '--format': {output!r} is not one of {choices}."
        )
    if len(positional) > 1:
        raise UsageError(
            f"Got unexpected extra argument(s) ({' '.join(positional[1:])})"
        )
    if positional:
        values["path"] = Path(positional[0])
    return CheckArgs()._replace(**values)  # type: ignore[arg-type]
