"""`synctool fleet update`: a sync per repo, a branch and commit, optionally pushed."""

from __future__ import annotations

import functools
import uuid

from synctool import ui
from synctool.commands.fleet.running import Interrupted, run_all
from synctool.commands.fleet.selection import (
    Selection,
    check_branch,
    emit,
    prepare,
)
from synctool.errors import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    InputError,
)
from synctool.fleet import html, report
from synctool.fleet.clones import default_workdir
from synctool.fleet.update import UpdateOptions, UpdateRecord, UpdateTask, update_one


def run_update(sel: Selection, opts: UpdateOptions, limit: int | None = None) -> int:
    """Each repo updated as ``opts`` says; only the first ``limit`` repos."""
    if opts.push and not opts.commit:
        raise InputError("--push needs --commit.", "Drop --no-commit or --push.")
    if limit is not None and limit < 1:
        raise InputError(f"--limit {limit}: give at least 1.")
    if opts.branch is not None:
        check_branch(opts.branch)
    repos, jobs, shard = prepare(sel)
    todo = repos if limit is None else repos[:limit]
    run_id = uuid.uuid4().hex
    workdir = sel.workdir or default_workdir()
    # --jobs is the number of processes at work: each sync renders its base in
    # a process of its own only when that leaves no repo waiting.
    side_process = jobs >= 2 * min(jobs, len(todo))
    tasks = [UpdateTask(repo, workdir, run_id, opts, side_process) for repo in todo]
    title = "Checking what would change" if opts.dry_run else "Updating"
    interrupted = False
    try:
        records = run_all(
            update_one, tasks, jobs, title, _describe_update, _update_not_done
        )
    except Interrupted as stop:
        records, interrupted = stop.records, True
    records += [
        UpdateRecord(r.spec, "skipped", note=f"beyond --limit {limit}")
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
    emit(sel, doc, md, page)
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
