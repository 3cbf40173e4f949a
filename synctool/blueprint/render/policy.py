"""What of a render is for synctool, not the service: the blueprint's
``synctool.yml`` and copier's ``_skip_if_exists`` patterns, rendered."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synctool.errors import BlueprintError

if TYPE_CHECKING:
    from copier._main import Worker

POLICY_FILE = "synctool.yml"


def policy_text(worker: Worker, answers: Mapping[str, Any]) -> str | None:
    path = Path(worker.template.local_abspath) / POLICY_FILE
    if not path.is_file():
        return None
    try:
        template = worker.jinja_env.from_string(path.read_text(encoding="utf-8"))
        return template.render(**answers)
    except Exception as exc:
        raise BlueprintError(
            f"the blueprint's {POLICY_FILE} could not be rendered: {exc}.",
            "Fix the Jinja expressions in it and release a new version.",
        ) from exc


def skip_if_exists(worker: Worker) -> tuple[str, ...]:
    """copier's _skip_if_exists patterns, rendered as copier renders them."""
    patterns = getattr(worker, "all_skip_if_exists", ())
    render_string = getattr(worker, "_render_string", None)
    if render_string is None:
        return tuple(str(p) for p in patterns)
    return tuple(str(render_string(str(p))) for p in patterns)
