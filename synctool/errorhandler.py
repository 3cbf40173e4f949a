"""One place that turns outcomes into exit codes (DESIGN.md's table).

SynctoolError -> its code (2) with one line; Ctrl-C -> 130; anything else is
a bug -> 3, with a crash report written and its path printed.
"""

from __future__ import annotations

from collections.abc import Callable

from synctool import ui
from synctool.errors import EXIT_CRASH, EXIT_INTERRUPTED, SynctoolError


def guarded(fn: Callable[[], int], args: list[str]) -> int:
    """Run ``fn`` and map what it raises to an exit code."""
    try:
        return fn()
    except SynctoolError as exc:
        ui.error(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        ui.error("interrupted.")
        return EXIT_INTERRUPTED
    except Exception as exc:
        from synctool.crash import write_report

        log = write_report(exc, args)
        ui.crash(str(log), f"{type(exc).__name__}: {exc}")
        return EXIT_CRASH
