"""Where output goes: the consoles, -q/-v/--no-color, and text made safe to print.

rich is imported on first styled output only; output that is not a terminal
is written directly as plain text.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from rich.console import Console

STYLES = {
    "create": "green",
    "identical": "dim",
    "update": "yellow",
    "merge": "cyan",
    "conflict": "bold red",
    "delete": "red",
    "skip": "magenta",
    "rename": "blue",
    "keep": "dim",
    "restore": "yellow",
    "run": "cyan",
    "error": "bold red",
    "warning": "yellow",
    "hint": "dim",
}
_MARKUP = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(text: str) -> str:
    """Make text safe inside rich markup (the same rule as rich.markup.escape)."""
    return _MARKUP.sub(r"\1\1\\\2", shown(text))


_SURROGATE = re.compile("[\udc80-\udcff]")


def shown(text: str) -> str:
    """``text`` as it can be written out: a file name's bytes that are not
    UTF-8 (kept as os.fsdecode gives them) shown as escapes, `caf\\xe9.txt`."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _console(*, stderr: bool) -> Console:
    # rich is imported on first styled output only: `synctool check` in a
    # pre-commit hook (not a terminal) never pays for it.
    return _styled(soft_wrap=True, stderr=stderr, color_system=State.system)


def _styled(**settings: Any) -> Console:
    """A console in synctool's styles. When the reader goes away (`| head`)
    it raises BrokenPipeError, which errorhandler turns into exit 141; rich's
    own console would exit 1, the code of a conflict or a finding."""
    from rich.console import Console
    from rich.theme import Theme

    class Styled(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return Styled(theme=Theme(STYLES), highlight=False, **settings)


class _Lazy(type):
    @property
    def out(cls) -> Console:
        if State.out_console is None:
            State.out_console = _console(stderr=False)
        return State.out_console

    @property
    def err(cls) -> Console:
        if State.err_console is None:
            State.err_console = _console(stderr=True)
        return State.err_console


def table_out() -> Console:
    """stdout's console for a table. Off a terminal (a pipe, a file, a CI
    log) there is no width to fit: fold at 240 columns, not rich's 80, so
    no column is squeezed to an ellipsis or dropped."""
    console = State.out
    if console.is_terminal:
        return console
    return _styled(width=max(console.width, 240), color_system=console.color_system)


class State(metaclass=_Lazy):
    quiet = False
    verbose = False
    # color_system=None drops bold and dim too, not just colours: plain text.
    system: Literal["auto"] | None = "auto"
    out_console: Console | None = None
    err_console: Console | None = None


def configure(
    *, quiet: bool = False, verbose: bool = False, color: bool = True
) -> None:
    """Set verbosity and colour for the rest of the process."""
    no_color = not color or bool(os.environ.get("NO_COLOR"))
    State.quiet = quiet
    State.verbose = verbose
    State.system = None if no_color else "auto"
    State.out_console = State.err_console = None


def _plain(stream: TextIO) -> bool:
    """Output that is not a terminal gets plain text, written directly."""
    if os.environ.get("FORCE_COLOR") and State.system is not None:
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return True


def emit(styled: str, plain: str, *, stderr: bool = False) -> None:
    stream = sys.stderr if stderr else sys.stdout
    if _plain(stream):
        stream.write(shown(plain) + "\n")
        stream.flush()
    else:
        (State.err if stderr else State.out).print(styled)


def is_verbose() -> bool:
    return State.verbose
