"""Fleet runs: live progress while the repos run, the summary tables after."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence

from synctool.ui.console import State, escape, table_out

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

    if State.quiet or not State.err.is_terminal:

        def plain(repo: str, status: str, detail: str) -> None:
            nonlocal done
            done += 1
            if not State.quiet or status == "failed":
                State.err.print(line(repo, status, detail))

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
    with Progress(*columns, console=State.err, transient=True) as progress:
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
    if State.quiet:
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
    console = table_out()
    console.print(f"[bold]{escape(title)}[/]")
    console.print(table)
    if summary:
        console.print(escape(summary))
