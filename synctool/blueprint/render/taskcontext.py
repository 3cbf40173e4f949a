"""What a blueprint's tasks and migrations get from the render: the code to
run and copier's render context, as data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from synctool.blueprint.render.job import Operation
from synctool.blueprint.tasks import TemplateCode

if TYPE_CHECKING:
    from copier._main import Worker


def template_code(worker: Worker, operation: Operation) -> TemplateCode:
    config = worker.template.config_data
    return TemplateCode(
        tasks=tuple(config.get("tasks") or ()),
        migrations=tuple(config.get("migrations") or ()),
        envops=dict(config.get("envops") or {}),
        context=_task_context(worker, operation),
        extensions=tuple(str(e) for e in config.get("jinja_extensions") or ()),
    )


# What of copier's `_copier_conf` a task may read once the render is over
# (dst_path is the service's, set where the task runs).
_CONF_FOR_TASKS = ("answers_file", "vcs_ref", "vcs_ref_hash", "sep", "os")


def _task_context(worker: Worker, operation: Operation) -> dict[str, Any]:
    """The render context copier gives its tasks and migrations, as data:
    every answer (hidden and secret ones too, as in copier), the answers
    file's content, copier's settings a task may show, the operation."""
    try:
        context = worker._render_context()
        conf = context.get("_copier_conf") or {}
        settings = {key: conf[key] for key in _CONF_FOR_TASKS if key in conf}
        settings["src_path"] = str(worker.template.url)
        external = context.get("_external_data") or {}
        data = {
            key: value
            for key, value in worker.answers.combined.items()
            if not str(key).startswith("_") and _plain(value)
        }
    except Exception:  # copier moved: tasks see the answers only
        return {"_copier_operation": operation}
    return {
        **data,
        "_copier_answers": dict(context.get("_copier_answers") or {}),
        "_copier_conf": {
            key: str(value) if isinstance(value, PurePath) else value
            for key, value in settings.items()
            if _plain(str(value) if isinstance(value, PurePath) else value)
        },
        "_external_data": _loaded(external),
        "_copier_operation": operation,
    }


def _loaded(external: Mapping[str, Any]) -> dict[str, Any]:
    """`_external_data` as data: what could be read (copier reads it lazily)."""
    out = {}
    for key in external:
        try:
            value = external[key]
        except Exception:  # a forbidden path: the render said so already
            continue
        if _plain(value):
            out[key] = value
    return out


def _plain(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
