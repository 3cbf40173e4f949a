"""How a journal's work ends when it does not simply succeed, as the caller sees it."""

from __future__ import annotations

from typing import NamedTuple

from synctool.errors import EXIT_INTERRUPTED, SynctoolError

UNDO = "run `synctool sync` to finish it or `synctool sync --abort` to undo it"


class ApplyFailed(SynctoolError):
    """A write failed mid-apply: rolled back, or a journal left (the message says)."""


class SyncInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sync, with the state the service is in (exit 130)."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.reported = False  # printed already (the command line exits silently)


class Kept(NamedTuple):
    """A file edited after the interruption, moved beside itself."""

    path: str
    kept: str


class Resumed(NamedTuple):
    rolled_back: bool
    kept: list[Kept]


class OpFailed(Exception):
    """An op that could not be done: its path, why, and the original error."""

    def __init__(self, rel: str, error: OSError | SynctoolError) -> None:
        super().__init__(rel)
        self.rel = rel
        self.error = error
        self.why = why(error)


def why(exc: OSError | SynctoolError) -> str:
    if isinstance(exc, SynctoolError):
        return exc.message.rstrip(".")
    return exc.strerror or type(exc).__name__
