"""What adopt is asked, what it chooses, what it finds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from synctool.blueprint import sources
from synctool.blueprint.asked import Asked
from synctool.blueprint.copieranswers import Recorded
from synctool.service.lock import Lock

FORMATS = ("text", "json")
DRIFT_RULES = ("managed-drift", "managed-missing")


class AdoptOptions(NamedTuple):
    path: Path
    answers_file: str | None = None
    asked: Asked = Asked()  # the template and version if not the answers file's
    allow_dirty: bool = False
    output: str = "text"
    # On a terminal: pick one of several answers files (None: refuse instead).
    choose: Callable[[list[str]], str] | None = None


class Target(NamedTuple):
    """The blueprint version to record as applied, and where that came from."""

    source: sources.Source
    ref: str | None
    commit: str | None  # the (abbreviated) commit it must name, when known
    why: str  # how the version was chosen, for the report


class Finding(NamedTuple):
    path: str | None
    rule: str
    message: str


class Adopted(NamedTuple):
    """What adopt found and recorded (printed as text or JSON)."""

    root: Path
    lock: Lock
    recorded: Recorded | None
    why: str
    identical: list[str]
    changed: list[str]
    deleted: list[str]
    drifted: list[Finding]  # managed files `check` flags
    findings: list[Finding]  # the blueprint's other rules `check` flags
    tasks: int  # the blueprint's tasks, not run by adopt
    answers_file: str | None  # where the render puts copier's answers file
    notes: Mapping[str, str]  # path -> what differs, where it is worth saying
