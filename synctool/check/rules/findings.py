"""What a rule evaluation yields: findings, and the files it reads them from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from synctool.check.rules.schema import Rule, Severity


class Finding(NamedTuple):
    """One thing check found. Its fields, in this order, are a finding's record
    in `check --format json` (docs/check-output.schema.json holds them to it)."""

    rule: str  # rule id (or "waiver-expired", ...)
    severity: Severity
    path: str | None  # None: about the repository, not one file
    line: int | None  # 1-based
    message: str  # names the concrete thing; the location is path and line
    hint: str | None = None


class OnlineInfo(NamedTuple):
    current: str  # blueprint version the service declares
    latest: str  # newest release of the blueprint
    releases_behind: int


class FileSource(Protocol):
    def paths(self) -> Sequence[str]:
        """Every candidate file, POSIX relative (what git tracks or stages)."""
        ...

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when it cannot be read."""
        ...


def parse_error(path: str, line: int | None, problem: str) -> Finding:
    return Finding(
        "",
        "error",
        path,
        line,
        f"could not parse YAML: {problem}",
        "fix the YAML, or exclude the file from the rule's paths "
        "(Helm templates are not YAML)",
    )


def rule_finding(
    rule: Rule,
    path: str | None,
    line: int | None,
    detail: str | None,
    generated: str,
    hint: str | None,
) -> Finding:
    """The rule's own message (plus the concrete detail) or the generated one."""
    if rule.message is None:
        message = generated
    elif detail is None:
        message = rule.message
    else:
        message = f"{rule.message.rstrip('. ')}: {detail}"
    return Finding(rule.id, rule.severity, path, line, message, rule.hint or hint)
