"""``render``: the way in, and the renders it tries again."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from synctool.blueprint import copiererrors
from synctool.blueprint.render.job import CheckoutGone, Job, Operation, Prompts
from synctool.blueprint.render.result import Rendered
from synctool.blueprint.render.run import run_copier


def render(
    src: str,
    ref: str | None,
    data: Mapping[str, Any],
    *,
    defaults: bool,
    interactive: bool,
    trust: bool,
    commit: str | None = None,
    recorded: Mapping[str, Any] | None = None,
    operation: Operation = "copy",
    dest: Path | None = None,
) -> Rendered:
    """Render ``src`` at ``ref`` and return the tree in memory.

    ``data``: answers given now. ``recorded``: the answers the service
    recorded, which copier treats as its last answers: each is its question's
    default, a question no longer asked (``when`` false) drops its answer and
    recomputes it, a recorded answer the version no longer accepts is an
    error. ``operation``: what templates see as ``_copier_operation``
    ("update" for a sync's renders, as under ``copier update``).

    The blueprint's tasks and migrations are returned, never run here.
    ``interactive`` lets copier prompt on the terminal for unanswered
    questions; otherwise every question without an answer (and, unless
    ``defaults``, every question at all) is an error that names them all.
    ``commit``: the sha ``ref`` names, when the caller knows it; then a kept
    checkout of it is used instead of a clone (``synctool.blueprint.checkouts``).
    ``dest``: the service the render is for. copier renders into a staging
    folder, but templates see the service: `_folder_name`,
    `_copier_conf.dst_path` and the files `_external_data` reads are its own.
    """
    job = Job(
        src,
        ref,
        dict(data),
        dict(recorded or {}),
        trust,
        commit,
        operation,
        interactive,
        dest.absolute() if dest is not None else None,
    )
    try:
        return _render_answered(job, defaults=defaults)
    except CheckoutGone:  # the cache was deleted under us: clone, as copier does
        return _render_answered(job._replace(commit=None), defaults=defaults)


def _render_answered(job: Job, *, defaults: bool) -> Rendered:
    prompts: Prompts = "ask" if job.interactive or defaults else "record"
    try:
        return run_copier(job, defaults=defaults, prompts=prompts)
    except copiererrors.RequiredAnswer:
        if job.interactive or not defaults:
            raise
    # copier stops at the first question without an answer: render again,
    # taking defaults and recording every question that has none, to name all.
    return run_copier(job, defaults=False, prompts="default-or-record")
