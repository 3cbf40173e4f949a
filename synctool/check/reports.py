"""Check results as data: the JSON document, GitHub annotations and SARIF 2.1.0.

Formatting only; ``ui`` prints what these return.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, NamedTuple
from urllib.parse import quote

from synctool import __version__
from synctool.check.rules import Finding, OnlineInfo
from synctool.service.names import DECLARED

JSON_SCHEMA_VERSION = 1


class CheckResult(NamedTuple):
    service: str
    blueprint: str
    version: str | None
    reported: list[Finding]  # active, expired-waiver and stale-waiver findings
    waived: list[Finding]
    online: OnlineInfo | None = None  # --online: the blueprint's releases

    def releases(self) -> str | None:
        """With --online: how far the service is behind the newest release."""
        if self.online is None:
            return None
        info = self.online
        if not info.releases_behind:
            return (
                f"blueprint {info.current}: up to date (newest release {info.latest})"
            )
        count = info.releases_behind
        return (
            f"blueprint {info.current}: {count} release{'' if count == 1 else 's'}"
            f" behind {info.latest} (`synctool update` brings it up to date)"
        )

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.reported)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.reported)

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        parts = [n(self.errors, "error"), n(self.warnings, "warning")]
        return ", ".join(parts) + f", {len(self.waived)} waived"


def as_json(result: CheckResult) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "synctool_version": __version__,
        "service": result.service,
        "blueprint": {"source": result.blueprint, "version": result.version},
        "summary": {
            "errors": result.errors,
            "warnings": result.warnings,
            "waived": len(result.waived),
        },
        # a finding's record is its fields, in their order
        "findings": [f._asdict() for f in result.reported],
        "waived": [f._asdict() for f in result.waived],
        **({} if result.online is None else {"releases": result.online._asdict()}),
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: Sequence[Finding]) -> list[str]:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in findings:
        props = []
        if f.path:
            props.append(f"file={_escape_property(f.path)}")
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f.rule)}")
        text = f.message + (f" ({f.hint})" if f.hint else "")
        level = "error" if f.severity == "error" else "warning"
        lines.append(f"::{level} {','.join(props)}::{_escape_data(text)}")
    return lines


def as_sarif(result: CheckResult) -> dict[str, Any]:
    rule_ids = sorted({f.rule for f in result.reported})
    rules = [
        {
            "id": rule_id,
            "shortDescription": {"text": rule_id},
            "help": {
                "text": next(
                    (f.hint for f in result.reported if f.rule == rule_id and f.hint),
                    rule_id,
                )
            },
        }
        for rule_id in rule_ids
    ]
    results = []
    for f in result.reported:
        item: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": rule_ids.index(f.rule),
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f.message + (f" ({f.hint})" if f.hint else "")},
        }
        location: dict[str, Any] = {
            "artifactLocation": {
                # a path's bytes, percent-encoded: a name that is not UTF-8
                # (Latin-1) is still the file's real name
                "uri": quote(os.fsencode(f.path or DECLARED)),
                "uriBaseId": "%SRCROOT%",
            }
        }
        if f.line:
            location["region"] = {"startLine": f.line}
        item["locations"] = [{"physicalLocation": location}]
        results.append(item)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "synctool",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
