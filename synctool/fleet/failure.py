"""Why one repository failed, as its record says it: the fleet goes on."""

from __future__ import annotations

from synctool.crash import write_report
from synctool.errors import SynctoolError


def failure_text(exc: Exception, command: str) -> str:
    """The record's error for ``exc``: a SynctoolError's own line and hint;
    anything else is a bug in one repo, with a crash report, not a stop."""
    if isinstance(exc, SynctoolError):
        return f"{exc.message} {exc.hint}".strip()
    log = write_report(exc, [command])
    return f"internal error: {type(exc).__name__}: {exc} (crash report: {log})"
