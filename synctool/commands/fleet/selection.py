"""The repos a fleet command is given, and where its report goes."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from synctool import git, ui
from synctool.errors import (
    GitError,
    InputError,
)
from synctool.fleet.repos import (
    Repo,
    Shard,
    collect,
    parse_shard,
    select,
)

FORMATS = ("text", "json", "markdown", "html")
PLAN_FORMATS = ("text", "json", "github-matrix")


class Selection(NamedTuple):
    """What every fleet command takes: the repos and how to split them."""

    repos: Sequence[str] = ()
    repos_file: Path | None = None
    shard: str | None = None
    jobs: int | None = None  # None: one per CPU
    workdir: Path | None = None
    report: Path | None = None
    output: str = "text"


def prepare(sel: Selection) -> tuple[list[Repo], int, Shard | None]:
    """Validate the shared options: the repos of this shard, jobs, the shard."""
    if sel.output not in FORMATS:
        raise InputError(
            f"unknown --format {sel.output!r}.", f"Use one of: {', '.join(FORMATS)}."
        )
    jobs = sel.jobs if sel.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise InputError(f"--jobs {jobs}: give at least 1.")
    if sel.report is not None and not sel.report.absolute().parent.is_dir():
        raise InputError(
            f"--report {sel.report}: its folder does not exist.",
            "Create the folder or give another path.",
        )
    if sel.report is not None and sel.report.is_dir():
        raise InputError(
            f"--report {sel.report}: is a folder.", "Give the report file's path."
        )
    if sel.workdir is not None and sel.workdir.exists() and not sel.workdir.is_dir():
        raise InputError(
            f"--workdir {sel.workdir}: is a file.",
            "Give a folder (it is created if missing).",
        )
    shard = parse_shard(sel.shard) if sel.shard is not None else None
    repos, dropped = collect(sel.repos, sel.repos_file, Path.cwd())
    if dropped:
        ui.warning(f"listed more than once, done once: {', '.join(dropped)}")
    return select(repos, shard), jobs, shard


def check_branch(name: str) -> None:
    """A branch name git accepts, checked before any repo is cloned."""
    try:
        git.run(["check-ref-format", "--branch", name])
    except GitError:
        raise InputError(
            f"--branch {name!r} is not a valid git branch name.",
            "Use letters, digits, '/', '-', '_' and '.' (no '..', no spaces).",
        ) from None


def emit(
    sel: Selection,
    doc: dict[str, Any],
    markdown: Callable[[], str],
    page: Callable[[], str],
) -> None:
    """Print the chosen format; write --report in the format its name says."""
    if sel.output == "json":
        ui.emit_json(doc)
    elif sel.output == "markdown":
        ui.emit_text(markdown())
    elif sel.output == "html":
        ui.emit_text(page())
    if sel.report is None:
        return
    suffix = sel.report.suffix.lower()
    if suffix in (".html", ".htm"):
        text = page()
    elif suffix in (".md", ".markdown"):
        text = markdown()
    else:
        import json

        text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    try:
        sel.report.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--report {sel.report}: cannot be written ({exc}).") from None
    ui.debug(f"report written to {sel.report}")
