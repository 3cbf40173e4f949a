"""`synctool fleet check`: the check of every repo."""

from __future__ import annotations

import functools

from synctool import ui
from synctool.commands.fleet.running import Interrupted, run_all
from synctool.commands.fleet.selection import (
    Selection,
    emit,
    prepare,
)
from synctool.errors import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
)
from synctool.fleet import html, report
from synctool.fleet.check import CheckRecord, CheckTask, check_one, with_releases
from synctool.fleet.clones import default_workdir


def _check_not_done(task: CheckTask) -> CheckRecord:
    return CheckRecord(
        task.repo.spec, "failed", error="interrupted before it was checked"
    )


def run_check(sel: Selection, *, online: bool = False) -> int:
    repos, jobs, _shard = prepare(sel)
    workdir = sel.workdir or default_workdir()
    tasks = [CheckTask(repo, workdir, online) for repo in repos]
    interrupted = False
    try:
        done = run_all(
            check_one, tasks, jobs, "Checking", _describe_check, _check_not_done
        )
    except Interrupted as stop:
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
    emit(sel, doc, md, page)
    if interrupted:
        return EXIT_INTERRUPTED
    bad = any(r.status != "ok" for r in records)
    return EXIT_FINDINGS if bad else EXIT_OK


def _describe_check(r: CheckRecord) -> tuple[str, str, str]:
    if r.status == "failed":
        return r.repo, r.status, r.error or ""
    return (
        r.repo,
        r.status,
        f"{r.version}: {r.errors} error(s), {r.warnings} warning(s)",
    )
