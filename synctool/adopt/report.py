"""adopt's report as JSON."""

from __future__ import annotations

from typing import Any

from synctool.adopt.model import Adopted, Finding
from synctool.service.names import DECLARED, LOCK


def as_json(adopted: Adopted) -> dict[str, Any]:
    lock = adopted.lock
    recorded = adopted.recorded

    def found(items: list[Finding]) -> list[dict[str, Any]]:
        return [f._asdict() for f in items]

    return {
        "service": str(adopted.root),
        "blueprint": lock.blueprint,
        "ref": lock.ref,
        "version": lock.version,
        "commit": lock.commit,
        "recorded_by": recorded.tool if recorded is not None else None,
        "answers_file": recorded.path if recorded is not None else None,
        "version_from": adopted.why,
        "answers": lock.answers,
        "files": {
            "identical": adopted.identical,
            "changed": adopted.changed,
            "deleted": adopted.deleted,
        },
        "drifted": found(adopted.drifted),
        "findings": found(adopted.findings),
        "notes": dict(adopted.notes),
        "tasks_not_run": adopted.tasks,
        "written": [DECLARED, LOCK],
    }
