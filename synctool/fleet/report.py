"""Fleet results as data: the JSON report, Markdown, and the fleet-level view.

Formatting only (``ui`` prints, the command writes files). The JSON report
is one document with one record per repo under ``repos``; ``schema_version``
changes when a field changes meaning or goes away (new fields may appear).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

from packaging.version import InvalidVersion, Version

from synctool import __version__
from synctool.fleet.check import CheckRecord
from synctool.fleet.update import UpdateRecord

SCHEMA_VERSION = 1
UPDATE_STATUSES = ("updated", "conflicts", "up-to-date", "failed", "skipped")
CHECK_STATUSES = ("ok", "findings", "failed")


class _Record(Protocol):  # what every fleet record has: a summary row leads with it
    @property
    def repo(self) -> str: ...
    @property
    def status(self) -> str: ...


_R = TypeVar("_R", bound=_Record)


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


# A summary table's columns after the two every table leads with (repo,
# status): (header, the cell of a record). Shared by text, Markdown and HTML.
_UPDATE_COLUMNS: tuple[tuple[str, Callable[[UpdateRecord], str]], ...] = (
    ("from", lambda r: r.from_version or ""),
    ("to", lambda r: r.to_version or ""),
    ("files", lambda r: str(r.files_changed) if r.files_changed else ""),
    ("conflicts", lambda r: ", ".join(r.conflicts)),
    ("branch", lambda r: r.branch or ""),
    ("note", lambda r: r.error or r.note),
)
_CHECK_COLUMNS: tuple[tuple[str, Callable[[CheckRecord], str]], ...] = (
    ("version", lambda r: r.version or ""),
    ("latest", lambda r: r.latest or ""),
    ("behind", lambda r: "" if r.behind is None else str(r.behind)),
    ("errors", lambda r: str(r.errors) if r.status != "failed" else ""),
    ("warnings", lambda r: str(r.warnings) if r.status != "failed" else ""),
    ("note", lambda r: r.error or ""),
)


def _headers(columns: Sequence[tuple[str, object]]) -> tuple[str, ...]:
    return ("repo", "status", *(header for header, _cell in columns))


def _rows(
    columns: Sequence[tuple[str, Callable[[_R], str]]], records: Sequence[_R]
) -> list[list[str]]:
    return [[r.repo, r.status, *(cell(r) for _, cell in columns)] for r in records]


UPDATE_HEADERS = _headers(_UPDATE_COLUMNS)
CHECK_HEADERS = _headers(_CHECK_COLUMNS)


def update_rows(records: Sequence[UpdateRecord]) -> list[list[str]]:
    """The summary table of an update: shared by text, Markdown and HTML."""
    return _rows(_UPDATE_COLUMNS, records)


def check_rows(records: Sequence[CheckRecord]) -> list[list[str]]:
    return _rows(_CHECK_COLUMNS, records)


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
