"""The only module that prints: results to stdout, diagnostics to stderr.

Commands call these functions; none of them knows about rich. ``-q`` silences
everything but errors and machine-readable output; ``--no-color`` and the
``NO_COLOR`` environment variable turn colour off.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from rich.console import Console

_STYLES = {
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
    from rich.console import Console
    from rich.theme import Theme

    return Console(
        theme=Theme(_STYLES),
        highlight=False,
        soft_wrap=True,
        stderr=stderr,
        color_system=_State.system,
    )


class _Lazy(type):
    @property
    def out(cls) -> Console:
        if _State.out_console is None:
            _State.out_console = _console(stderr=False)
        return _State.out_console

    @property
    def err(cls) -> Console:
        if _State.err_console is None:
            _State.err_console = _console(stderr=True)
        return _State.err_console


class _State(metaclass=_Lazy):
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
    _State.quiet = quiet
    _State.verbose = verbose
    _State.system = None if no_color else "auto"
    _State.out_console = _State.err_console = None


def _plain(stream: TextIO) -> bool:
    """Output that is not a terminal gets plain text, written directly."""
    if os.environ.get("FORCE_COLOR") and _State.system is not None:
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return True


def _emit(styled: str, plain: str, *, stderr: bool = False) -> None:
    stream = sys.stderr if stderr else sys.stdout
    if _plain(stream):
        stream.write(shown(plain) + "\n")
        stream.flush()
    else:
        (_State.err if stderr else _State.out).print(styled)


def is_verbose() -> bool:
    return _State.verbose


def action(verb: str, path: str, detail: str = "", *, stderr: bool = False) -> None:
    """One line of the action gutter: ``  create  app/main.py``.

    ``stderr`` keeps stdout clean when it carries JSON or SARIF.
    """
    if _State.quiet:
        return
    style = verb if verb in _STYLES else "none"
    tail = f"  [hint]{escape(detail)}[/]" if detail else ""
    plain_tail = f"  {detail}" if detail else ""
    _emit(
        f"[{style}]{verb:>10}[/]  {escape(path)}{tail}",
        f"{verb:>10}  {path}{plain_tail}",
        stderr=stderr,
    )


def info(message: str) -> None:
    if not _State.quiet:
        _emit(escape(message), message)


def heading(message: str) -> None:
    if not _State.quiet:
        _State.out.print(f"[bold]{escape(message)}[/]")


def lines(messages: Iterable[str]) -> None:
    for message in messages:
        info(message)


def debug(message: str) -> None:
    if _State.verbose:
        _State.err.print(f"[hint]{escape(message)}[/]")


def warning(message: str) -> None:
    if not _State.quiet:
        _emit(
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
    _emit(text, plain, stderr=True)


def emit_json(payload: Any) -> None:
    """Machine-readable output: plain JSON on stdout, never styled, never quiet."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    sys.stdout.flush()


def crash(log_path: str, summary: str) -> None:
    _State.err.print(f"[error]internal error:[/] {escape(summary)}")
    _State.err.print(
        "This is a bug in synctool. A crash report with versions and the traceback "
        f"was written to {escape(log_path)}; please attach it to a bug report."
    )


def plan_table(rows: Iterable[tuple[str, str, str, int, str]], title: str) -> None:
    """The plan of a sync: path, action, driver, conflicts, reason."""
    if _State.quiet:
        return
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for name in ("path", "action", "driver", "conflicts", "why"):
        table.add_column(name, no_wrap=name != "why")
    for path, action_name, driver, conflicts, why in rows:
        style = action_name if action_name in _STYLES else "none"
        table.add_row(
            escape(path),
            f"[{style}]{action_name}[/]",
            driver,
            str(conflicts) if conflicts else "",
            escape(why),
        )
    _State.out.print(table)


def unified_diff(text: str) -> None:
    """A unified diff, coloured like git's when colour is on."""
    if _State.quiet or not text:
        return
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            _State.out.print(f"[bold]{escape(line)}[/]")
        elif line.startswith("+"):
            _State.out.print(f"[green]{escape(line)}[/]")
        elif line.startswith("-"):
            _State.out.print(f"[red]{escape(line)}[/]")
        elif line.startswith("@@"):
            _State.out.print(f"[cyan]{escape(line)}[/]")
        else:
            _State.out.print(escape(line))


def raw_lines(texts: Iterable[str]) -> None:
    """Lines for a machine (GitHub annotations): unstyled, even when -q."""
    for text in texts:
        sys.stdout.write(shown(text) + "\n")
    sys.stdout.flush()


FindingRow = tuple[str | None, int | None, str, str, str, str | None]


def findings(
    rows: Iterable[FindingRow],
    summary: str,
    excerpts: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Check findings grouped by file, in the action-gutter style.

    ``excerpts``: lines of a unified diff shown under a file's managed-drift
    finding (how it was edited). With -q only errors are shown (a pre-commit
    hook that fails must say why).
    """
    groups: dict[str, list[FindingRow]] = {}
    for row in rows:
        if _State.quiet and row[2] != "error":
            continue
        groups.setdefault(row[0] or "(service)", []).append(row)
    for path, items in groups.items():
        _emit(f"[bold]{escape(path)}[/]", path)
        for _path, line, severity, rule, message, hint in items:
            where = f":{line}" if line else ""
            _emit(
                f"[{severity}]{severity:>10}[/]  {escape(rule)}{where}  {escape(message)}",
                f"{severity:>10}  {rule}{where}  {message}",
            )
            if rule == "managed-drift" and excerpts and _path:
                for text in excerpts.get(_path, ()):
                    _emit(f"{'':>12}{_diff_markup(text)}", f"{'':>12}{text}")
            if hint:
                _emit(
                    f"{'':>10}  [hint]hint: {escape(hint)}[/]",
                    f"{'':>10}  hint: {hint}",
                )
    if groups or not _State.quiet:
        _emit(escape(summary), summary)


def _diff_markup(line: str) -> str:
    """One line of a unified diff, coloured as git colours it."""
    style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "hint")
    return f"[{style}]{escape(line)}[/]"


# Fleet: live progress, the summary table, machine output on one line.

_FLEET_STYLES = {
    "updated": "green",
    "ok": "green",
    "conflicts": "bold red",
    "findings": "yellow",
    "failed": "bold red",
    "up-to-date": "dim",
    "skipped": "magenta",
}
ProgressFn = Callable[[str, str, str], None]


@contextlib.contextmanager
def fleet_progress(total: int, title: str) -> Iterator[ProgressFn]:
    """Report each repo as it finishes: ``report(repo, status, detail)``.

    On a terminal: a live bar on stderr with each finished repo printed above
    it. Off a terminal (CI logs): one plain line per repo. With -q: only
    failures, which are errors.
    """
    done = 0

    def line(repo: str, status: str, detail: str) -> str:
        style = _FLEET_STYLES.get(status, "none")
        tail = f"  [hint]{escape(detail)}[/]" if detail else ""
        width = len(str(total))
        return (
            f"[{done:>{width}}/{total}] [{style}]{status:>10}[/]  {escape(repo)}{tail}"
        )

    if _State.quiet or not _State.err.is_terminal:

        def plain(repo: str, status: str, detail: str) -> None:
            nonlocal done
            done += 1
            if not _State.quiet or status == "failed":
                _State.err.print(line(repo, status, detail))

        yield plain
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_State.err, transient=True) as progress:
        task = progress.add_task(escape(title), total=total)

        def live(repo: str, status: str, detail: str) -> None:
            nonlocal done
            done += 1
            progress.console.print(line(repo, status, detail))
            progress.advance(task)

        yield live


def fleet_table(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    summary: str = "",
    status_column: int | None = 1,
) -> None:
    """A table at the end of a fleet run (stdout), and its one-line summary."""
    if _State.quiet:
        return
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for i, name in enumerate(headers):
        table.add_column(name, overflow="fold", no_wrap=i == status_column)
    for row in rows:
        cells = [escape(c) for c in row]
        if status_column is not None:
            status = row[status_column]
            style = _FLEET_STYLES.get(status, "none")
            cells[status_column] = f"[{style}]{escape(status)}[/]"
        table.add_row(*cells)
    console = _State.out
    if not console.is_terminal:
        # A CI log has no width to fit: fold at 240 columns, not rich's 80.
        from rich.console import Console
        from rich.theme import Theme

        console = Console(
            theme=Theme(_STYLES),
            highlight=False,
            width=max(console.width, 240),
            color_system=console.color_system,  # type: ignore[arg-type]
        )
    console.print(f"[bold]{escape(title)}[/]")
    console.print(table)
    if summary:
        console.print(escape(summary))


def emit_json_line(payload: Any) -> None:
    """Compact JSON on one line (for $GITHUB_OUTPUT), never styled, never quiet."""
    sys.stdout.write(json.dumps(payload, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def emit_text(text: str) -> None:
    """A document for a machine or a file (Markdown, HTML): as is, even when -q."""
    text = shown(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
