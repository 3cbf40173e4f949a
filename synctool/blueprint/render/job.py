"""One render as asked: the blueprint, the answers, how copier may ask."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, NamedTuple

Operation = Literal["copy", "update"]
Prompts = Literal["ask", "record", "default-or-record"]


class Job(NamedTuple):
    src: str
    ref: str | None
    data: dict[str, Any]
    recorded: dict[str, Any]
    trust: bool
    commit: str | None
    operation: Operation
    interactive: bool
    dest: Path | None


class CheckoutGone(Exception):
    """The kept checkout a render was reading disappeared (cache deleted)."""
