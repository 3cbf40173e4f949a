"""One service's results: a sync's plan and diff, check's findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from synctool.ui.console import STYLES, State, emit, escape, table_out


def plan_table(rows: Iterable[tuple[str, str, str, int, str]], title: str) -> None:
    """The plan of a sync: path, action, driver, conflicts, reason."""
    if State.quiet:
        return
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for name in ("path", "action", "driver", "conflicts", "why"):
        table.add_column(name, no_wrap=name != "why")
    for path, action_name, driver, conflicts, why in rows:
        style = action_name if action_name in STYLES else "none"
        table.add_row(
            escape(path),
            f"[{style}]{action_name}[/]",
            driver,
            str(conflicts) if conflicts else "",
            escape(why),
        )
    table_out().print(table)


def unified_diff(text: str) -> None:
    """A unified diff, coloured like git's when colour is on."""
    if State.quiet or not text:
        return
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            State.out.print(f"[bold]{escape(line)}[/]")
        elif line.startswith("+"):
            State.out.print(f"[green]{escape(line)}[/]")
        elif line.startswith("-"):
            State.out.print(f"[red]{escape(line)}[/]")
        elif line.startswith("@@"):
            State.out.print(f"[cyan]{escape(line)}[/]")
        else:
            State.out.print(escape(line))


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
        if State.quiet and row[2] != "error":
            continue
        groups.setdefault(row[0] or "(service)", []).append(row)
    for path, items in groups.items():
        emit(f"[bold]{escape(path)}[/]", path)
        for _path, line, severity, rule, message, hint in items:
            where = f":{line}" if line else ""
            emit(
                f"[{severity}]{severity:>10}[/]  {escape(rule)}{where}  {escape(message)}",
                f"{severity:>10}  {rule}{where}  {message}",
            )
            if rule == "managed-drift" and excerpts and _path:
                for text in excerpts.get(_path, ()):
                    emit(f"{'':>12}{_diff_markup(text)}", f"{'':>12}{text}")
            if hint:
                emit(
                    f"{'':>10}  [hint]hint: {escape(hint)}[/]",
                    f"{'':>10}  hint: {hint}",
                )
    if groups or not State.quiet:
        emit(escape(summary), summary)


def _diff_markup(line: str) -> str:
    """One line of a unified diff, coloured as git colours it."""
    style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "hint")
    return f"[{style}]{escape(line)}[/]"
