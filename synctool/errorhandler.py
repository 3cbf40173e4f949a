"""One place that turns outcomes into exit codes (docs/architecture.md, "Exit codes").

SynctoolError -> its code (2) with one line; a closed output (`| head`) ->
141, as a shell reports a command SIGPIPE killed; Ctrl-C -> 130, saying what
state it left (a sync says: nothing written, rolled back, or a journal left);
anything else is a bug -> 3, with a crash report written and its path printed.
"""

from __future__ import annotations

from collections.abc import Callable

from synctool import ui
from synctool.errors import (
    EXIT_CRASH,
    EXIT_INTERRUPTED,
    EXIT_PIPE,
    OutputClosed,
    SynctoolError,
)


def guarded(fn: Callable[[], int], args: list[str]) -> int:
    """Run ``fn`` and map what it raises to an exit code."""
    try:
        return fn()
    except SynctoolError as exc:
        ui.error(exc.message, exc.hint)
        return exc.exit_code
    except (BrokenPipeError, OutputClosed):
        # The reader went away (`synctool diff | head`): not a crash. Point
        # stdout at nothing so the interpreter's final flush fails silently.
        _silence_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt as exc:
        said = _interrupted(exc)
        if said is not None:
            ui.error(*said)
        return EXIT_INTERRUPTED
    except Exception as exc:
        from synctool.crash import write_report

        log = write_report(exc, args)
        ui.crash(str(log), f"{type(exc).__name__}: {exc}")
        return EXIT_CRASH


def _silence_stdout() -> None:
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _interrupted(exc: BaseException) -> tuple[str, str] | None:
    """The state a Ctrl-C left, as the interrupted command told it.

    The command line's parser turns a KeyboardInterrupt into its own Abort
    and that into a bare KeyboardInterrupt again: the command's own
    exception (with a ``message``) is further down the chain.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        message = getattr(current, "message", None)
        if isinstance(current, KeyboardInterrupt) and isinstance(message, str):
            if getattr(current, "reported", False):
                return None  # the command said it already
            return message, str(getattr(current, "hint", "") or "")
        current = current.__cause__ or current.__context__
    return "interrupted.", ""
