"""Messages for people: the action gutter, info, warnings, errors, a crash."""

from __future__ import annotations

from collections.abc import Iterable

from synctool.ui.console import STYLES, State, emit, escape


def action(verb: str, path: str, detail: str = "", *, stderr: bool = False) -> None:
    """One line of the action gutter: ``  create  app/main.py``.

    ``stderr`` keeps stdout clean when it carries JSON or SARIF.
    """
    if State.quiet:
        return
    style = verb if verb in STYLES else "none"
    tail = f"  [hint]{escape(detail)}[/]" if detail else ""
    plain_tail = f"  {detail}" if detail else ""
    emit(
        f"[{style}]{verb:>10}[/]  {escape(path)}{tail}",
        f"{verb:>10}  {path}{plain_tail}",
        stderr=stderr,
    )


def info(message: str) -> None:
    if not State.quiet:
        emit(escape(message), message)


def heading(message: str) -> None:
    if not State.quiet:
        State.out.print(f"[bold]{escape(message)}[/]")


def lines(messages: Iterable[str]) -> None:
    for message in messages:
        info(message)


def debug(message: str) -> None:
    if State.verbose:
        State.err.print(f"[hint]{escape(message)}[/]")


def warning(message: str) -> None:
    if not State.quiet:
        emit(
            f"[warning]warning:[/] {escape(message)}",
            f"warning: {message}",
            stderr=True,
        )


def error(message: str, hint: str = "") -> None:
    """A user-facing error: one line (plus the hint on the same line)."""
    text = f"[error]error:[/] {escape(message)}"
    plain = f"error: {message}"
    if hint:
        text += f" [hint]{escape(hint)}[/]"
        plain += f" {hint}"
    emit(text, plain, stderr=True)


def crash(log_path: str, summary: str) -> None:
    State.err.print(f"[error]internal error:[/] {escape(summary)}")
    State.err.print(
        "This is a bug in synctool. A crash report with versions and the traceback "
        f"was written to {escape(log_path)}; please attach it to a bug report."
    )
