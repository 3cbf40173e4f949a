"""The one family of user-facing errors, and the exit codes they map to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1  # conflicts left in files, or check found violations
EXIT_USAGE = 2  # usage or input error; nothing was written
EXIT_CRASH = 3  # internal error: a bug
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away (`| head`)


class SynctoolError(Exception):
    """An error the user can act on: printed as one line, never a traceback.

    ``hint`` tells the user what to do next; ``exit_code`` follows the table in
    docs/architecture.md.
    """

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class InputError(SynctoolError):
    """Bad input: a flag, an answer, a file the user gave us. Exit 2."""


class BlueprintError(SynctoolError):
    """The blueprint cannot be used as asked (unknown ref, bad path, unsafe)."""


class GitError(SynctoolError):
    """git failed in a way the user can fix (not installed, not a repo, dirty)."""


class TaskFailed(SynctoolError):
    """A blueprint task failed after the files were written: exit 1, not 2,
    because something was written (the files are synced, the task is not)."""

    exit_code = EXIT_FINDINGS


class OutputClosed(Exception):
    """The reader of standard output went away (`synctool diff | head`).

    A command's BrokenPipeError travels as this, so that the command line's
    parser, which turns it into a bare exit 1, lets it through to the one
    place that maps outcomes to exit codes (EXIT_PIPE)."""
