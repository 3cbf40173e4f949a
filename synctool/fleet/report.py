"""Fleet results as data: the JSON report, Markdown, and the fleet-level view.

Formatting only (``ui`` prints, the command writes files). The JSON report
is one document with one record per repo under ``repos``; ``schema_version``
changes when a field changes meaning or goes away (new fields may appear).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

from packaging.version import InvalidVersion, Version

from synctool import __version__
from synctool.fleet.check import CheckRecord
from synctool.fleet.update import UpdateRecord

SCHEMA_VERSION = 1
UPDATE_STATUSES = ("updated", "conflicts", "up-to-date", "failed", "skipped")
CHECK_STATUSES = ("ok", "findings", "failed")


class FindingCount(NamedTuple):
    rule: str
    severity: str
    repos: int  # how many repos have it
    occurrences: int


def status_counts(statuses: Sequence[str], order: Sequence[str]) -> dict[str, int]:
    counts = Counter(statuses)
    return {status: counts[status] for status in order}


def summary_line(counts: dict[str, int], total: int) -> str:
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    return f"{total} repo(s): " + (", ".join(parts) or "none")


def _version_key(text: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


def version_distribution(records: Sequence[CheckRecord]) -> list[tuple[str, int]]:
    """(version, repos at it), newest first; repos that could not be read are left out."""
    counts = Counter(r.version for r in records if r.version is not None)
    return sorted(counts.items(), key=lambda item: _version_key(item[0]), reverse=True)


def top_findings(records: Sequence[CheckRecord], limit: int = 10) -> list[FindingCount]:
    repos: Counter[tuple[str, str]] = Counter()
    occurrences: Counter[tuple[str, str]] = Counter()
    for record in records:
        keys = [(f.rule, f.severity) for f in record.findings]
        occurrences.update(keys)
        repos.update(set(keys))
    ranked = sorted(repos, key=lambda k: (-repos[k], -occurrences[k], k))
    return [FindingCount(r, s, repos[(r, s)], occurrences[(r, s)]) for r, s in ranked][
        :limit
    ]


def update_json(
    records: Sequence[UpdateRecord], *, dry_run: bool, shard: str | None
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "synctool_version": __version__,
        "command": "fleet update",
        "dry_run": dry_run,
        "shard": shard,
        "summary": status_counts([r.status for r in records], UPDATE_STATUSES),
        "repos": [
            {
                "repo": r.repo,
                "status": r.status,
                "from_version": r.from_version,
                "to_version": r.to_version,
                "files_changed": r.files_changed,
                "conflicts": list(r.conflicts),
                "error": r.error,
                "branch": r.branch,
                "note": r.note or None,
                "commit": r.commit,
                "pushed": r.pushed,
                "clone": r.clone,
            }
            for r in records
        ],
    }


def check_json(records: Sequence[CheckRecord]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "synctool_version": __version__,
        "command": "fleet check",
        "summary": status_counts([r.status for r in records], CHECK_STATUSES),
        "versions": [
            {"version": v, "repos": n} for v, n in version_distribution(records)
        ],
        "top_findings": [c._asdict() for c in top_findings(records)],
        "repos": [
            {
                "repo": r.repo,
                "status": r.status,
                "blueprint": r.blueprint,
                "version": r.version,
                "latest": r.latest,
                "behind": r.behind,
                "errors": r.errors,
                "warnings": r.warnings,
                "waived": r.waived,
                "findings": [
                    {
                        "rule": f.rule,
                        "severity": f.severity,
                        "path": f.path,
                        "line": f.line,
                        "message": f.message,
                    }
                    for f in r.findings
                ],
                "error": r.error,
            }
            for r in records
        ],
    }


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def update_rows(records: Sequence[UpdateRecord]) -> list[list[str]]:
    """The summary table of an update: shared by text, Markdown and HTML."""
    return [
        [
            r.repo,
            r.status,
            r.from_version or "",
            r.to_version or "",
            str(r.files_changed) if r.files_changed else "",
            ", ".join(r.conflicts),
            r.branch or "",
            r.error or r.note,
        ]
        for r in records
    ]


UPDATE_HEADERS = (
    "repo",
    "status",
    "from",
    "to",
    "files",
    "conflicts",
    "branch",
    "note",
)
CHECK_HEADERS = (
    "repo",
    "status",
    "version",
    "latest",
    "behind",
    "errors",
    "warnings",
    "note",
)


def check_rows(records: Sequence[CheckRecord]) -> list[list[str]]:
    return [
        [
            r.repo,
            r.status,
            r.version or "",
            r.latest or "",
            "" if r.behind is None else str(r.behind),
            str(r.errors) if r.status != "failed" else "",
            str(r.warnings) if r.status != "failed" else "",
            r.error or "",
        ]
        for r in records
    ]


def update_markdown(records: Sequence[UpdateRecord], *, dry_run: bool) -> str:
    counts = status_counts([r.status for r in records], UPDATE_STATUSES)
    title = "## synctool fleet update" + (
        " (dry run: nothing written)" if dry_run else ""
    )
    lines = [title, "", summary_line(counts, len(records)), ""]
    lines += md_table(UPDATE_HEADERS, update_rows(records))
    return "\n".join(lines) + "\n"


def check_markdown(records: Sequence[CheckRecord]) -> str:
    counts = status_counts([r.status for r in records], CHECK_STATUSES)
    lines = ["## synctool fleet check", "", summary_line(counts, len(records)), ""]
    lines += ["### Blueprint versions", ""]
    lines += md_table(("version", "repos"), version_distribution(records))
    common = top_findings(records)
    if common:
        lines += ["", "### Most common findings", ""]
        lines += md_table(("rule", "severity", "repos", "occurrences"), common)
    lines += ["", "### Repos", ""]
    lines += md_table(CHECK_HEADERS, check_rows(records))
    return "\n".join(lines) + "\n"
