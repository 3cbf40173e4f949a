"""`synctool fleet update|check|plan`: one command over many service repos.

The per-repo work lives in synctool.fleet; this module validates the
options (bad input is exit 2 before any repo is touched), runs the repos
through the mapper with live progress, prints the summary and writes the
report. Exit 0 when every repo is fine, 1 when some have conflicts,
findings or failed.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from synctool import git, ui
from synctool.errors import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    GitError,
    InputError,
)
from synctool.fleet import html, report
from synctool.fleet.check import CheckRecord, CheckTask, check_one, with_releases
from synctool.fleet.clones import default_workdir
from synctool.fleet.mapper import mapper
from synctool.fleet.repos import (
    Repo,
    Shard,
    collect,
    parse_shard,
    select,
    shard_of,
)
from synctool.fleet.update import UpdateRecord, UpdateTask, update_one

T = TypeVar("T")
R = TypeVar("R")
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


class UpdateOptions(NamedTuple):
    to: str | None = None
    branch: str | None = None
    commit: bool = True
    push: bool = False
    dry_run: bool = False
    limit: int | None = None
    trust: bool = False


def run_update(sel: Selection, opts: UpdateOptions) -> int:
    if opts.push and not opts.commit:
        raise InputError("--push needs --commit.", "Drop --no-commit or --push.")
    if opts.limit is not None and opts.limit < 1:
        raise InputError(f"--limit {opts.limit}: give at least 1.")
    if opts.branch is not None:
        _check_branch(opts.branch)
    repos, jobs, shard = _prepare(sel)
    todo = repos if opts.limit is None else repos[: opts.limit]
    run_id = uuid.uuid4().hex
    workdir = sel.workdir or default_workdir()
    # --jobs is the number of processes at work: each sync renders its base in
    # a process of its own only when that leaves no repo waiting.
    side_process = jobs >= 2 * min(jobs, len(todo))
    tasks = [
        UpdateTask(
            repo,
            workdir,
            run_id,
            to=opts.to,
            branch=opts.branch,
            commit=opts.commit,
            push=opts.push,
            dry_run=opts.dry_run,
            trust=opts.trust,
            side_process=side_process,
        )
        for repo in todo
    ]
    title = "Checking what would change" if opts.dry_run else "Updating"
    interrupted = False
    try:
        records = _run_all(
            update_one, tasks, jobs, title, _describe_update, _update_not_done
        )
    except _Interrupted as stop:
        records, interrupted = stop.records, True
    records += [
        UpdateRecord(r.spec, "skipped", note=f"beyond --limit {opts.limit}")
        for r in repos[len(todo) :]
    ]
    doc = report.update_json(
        records, dry_run=opts.dry_run, shard=str(shard) if shard else None
    )
    md = functools.partial(report.update_markdown, records, dry_run=opts.dry_run)
    page = functools.partial(html.update_html, records, dry_run=opts.dry_run)
    if sel.output == "text":
        counts = report.status_counts(
            [r.status for r in records], report.UPDATE_STATUSES
        )
        shown = [r for r in records if r.status != "skipped"]
        title = "fleet update" + (" (dry run: nothing written)" if opts.dry_run else "")
        ui.fleet_table(
            title,
            report.UPDATE_HEADERS,
            report.update_rows(shown),
            report.summary_line(counts, len(records)),
        )
    _emit(sel, doc, md, page)
    if interrupted:
        return EXIT_INTERRUPTED
    bad = any(r.status in ("conflicts", "failed") for r in records)
    return EXIT_FINDINGS if bad else EXIT_OK


def _update_not_done(task: UpdateTask) -> UpdateRecord:
    return UpdateRecord(
        task.repo.spec,
        "skipped",
        note="interrupted: not started or not finished; a re-run retries it",
    )


def _check_not_done(task: CheckTask) -> CheckRecord:
    return CheckRecord(
        task.repo.spec, "failed", error="interrupted before it was checked"
    )


def run_check(sel: Selection, *, online: bool = False) -> int:
    repos, jobs, _shard = _prepare(sel)
    workdir = sel.workdir or default_workdir()
    tasks = [CheckTask(repo, workdir, online) for repo in repos]
    interrupted = False
    try:
        done = _run_all(
            check_one, tasks, jobs, "Checking", _describe_check, _check_not_done
        )
    except _Interrupted as stop:
        done, interrupted = stop.records, True
    records = with_releases(done)
    doc = report.check_json(records)
    md = functools.partial(report.check_markdown, records)
    page = functools.partial(html.check_html, records)
    if sel.output == "text":
        counts = report.status_counts(
            [r.status for r in records], report.CHECK_STATUSES
        )
        ui.fleet_table("fleet check", report.CHECK_HEADERS, report.check_rows(records))
        versions = report.version_distribution(records)
        ui.fleet_table(
            "blueprint versions",
            ("version", "repos"),
            [(v, str(n)) for v, n in versions],
            status_column=None,
        )
        common = report.top_findings(records)
        if common:
            ui.fleet_table(
                "most common findings",
                ("rule", "severity", "repos", "occurrences"),
                [
                    (c.rule, c.severity, str(c.repos), str(c.occurrences))
                    for c in common
                ],
                status_column=None,
            )
        ui.info(report.summary_line(counts, len(records)))
    _emit(sel, doc, md, page)
    if interrupted:
        return EXIT_INTERRUPTED
    bad = any(r.status != "ok" for r in records)
    return EXIT_FINDINGS if bad else EXIT_OK


def run_plan(sel: Selection, shards: int) -> int:
    """The shards of the fleet: a GitHub Actions matrix, or which repo goes where."""
    if sel.output not in PLAN_FORMATS:
        raise InputError(
            f"unknown --format {sel.output!r}.",
            f"Use one of: {', '.join(PLAN_FORMATS)}.",
        )
    if shards < 1:
        raise InputError(f"--shards {shards}: give at least 1.")
    repos: list[Repo] = []
    if sel.repos or sel.repos_file is not None:
        repos, _dropped = collect(sel.repos, sel.repos_file, Path.cwd())
    elif sel.output != "github-matrix":
        raise InputError(
            "no repositories given.",
            "Pass them (or --repos FILE) to see each shard's repos, "
            "or use --format github-matrix.",
        )
    owner = shard_of(repos, shards)
    groups = {
        n: [r.spec for r in repos if owner[r.id] == n] for n in range(1, shards + 1)
    }
    if repos:  # with the fleet known, a runner is never started for nothing
        groups = {n: specs for n, specs in groups.items() if specs}
    if sel.output == "github-matrix":
        ui.emit_json_line({"include": [{"shard": f"{n}/{shards}"} for n in groups]})
    elif sel.output == "json":
        ui.emit_json(
            {
                "shards": [
                    {"shard": f"{n}/{shards}", "repos": s} for n, s in groups.items()
                ]
            }
        )
    else:
        for n, specs in groups.items():
            ui.heading(f"shard {n}/{shards}: {len(specs)} repo(s)")
            ui.lines(f"  {spec}" for spec in specs)
    return EXIT_OK


def _prepare(sel: Selection) -> tuple[list[Repo], int, Shard | None]:
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


def _check_branch(name: str) -> None:
    """A branch name git accepts, checked before any repo is cloned."""
    try:
        git.run(["check-ref-format", "--branch", name])
    except GitError:
        raise InputError(
            f"--branch {name!r} is not a valid git branch name.",
            "Use letters, digits, '/', '-', '_' and '.' (no '..', no spaces).",
        ) from None


def _indexed(fn: Callable[[T], R], item: tuple[int, T]) -> tuple[int, R]:
    return item[0], fn(item[1])


def _run_all(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    jobs: int,
    title: str,
    describe: Callable[[R], tuple[str, str, str]],
    not_done: Callable[[T], R],
) -> list[R]:
    """``fn`` over every task with live progress; results in the tasks' order.

    On Ctrl-C nothing more is started; the repos in flight finish (in the
    pool) and count; ``not_done`` gives a record for each task that has none
    (never started, or stopped in this process), and _Interrupted carries
    them all so that the caller still reports what happened.
    """
    if not tasks:
        return []
    results: dict[int, R] = {}
    with mapper(min(jobs, len(tasks))) as map_fn:
        # Submitted before the progress display starts its thread: the pool
        # forks its workers here.
        done = map_fn(functools.partial(_indexed, fn), enumerate(tasks))
        try:
            with ui.fleet_progress(len(tasks), title) as progress:
                for index, result in done:
                    results[index] = result
                    progress(*describe(result))
        except KeyboardInterrupt:
            ui.warning(
                "interrupted: starting no more repositories; waiting for those in flight."
            )
            results.update(done.stop())
            records = [
                results[i] if i in results else not_done(task)
                for i, task in enumerate(tasks)
            ]
            raise _Interrupted(records) from None
    return [results[i] for i in range(len(tasks))]


class _Interrupted(Exception):
    """Ctrl-C during a fleet run: every task's record, the missing ones made up."""

    def __init__(self, records: list[Any]) -> None:
        super().__init__("interrupted")
        self.records = records


def _describe_update(r: UpdateRecord) -> tuple[str, str, str]:
    move = f"{r.from_version} -> {r.to_version}"
    if r.status == "failed":
        detail = r.error or ""
    elif r.status == "up-to-date":
        detail = f"at {r.to_version}" + (f" ({r.note})" if r.note else "")
    elif r.status == "conflicts":
        detail = f"{move}, conflicts in {', '.join(r.conflicts)}"
        detail += f" ({r.note})" if r.note else ""
    else:
        detail = f"{move}, {r.files_changed} file(s)" + (", pushed" if r.pushed else "")
    return r.repo, r.status, detail


def _describe_check(r: CheckRecord) -> tuple[str, str, str]:
    if r.status == "failed":
        return r.repo, r.status, r.error or ""
    return (
        r.repo,
        r.status,
        f"{r.version}: {r.errors} error(s), {r.warnings} warning(s)",
    )


def _emit(
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
