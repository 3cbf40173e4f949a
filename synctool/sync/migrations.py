"""The blueprint's code in a sync: migrations before the merge (on the
service as it is, so the plan sees what they did, as copier does), then the
"after" migrations and tasks once the new version is written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from synctool import ui
from synctool.blueprint import tasks
from synctool.errors import BlueprintError, SynctoolError, TaskFailed
from synctool.sync.answersfile import answers_path
from synctool.sync.labels import lock_label
from synctool.sync.prepare import Prepared
from synctool.sync.renders import CodeToRun
from synctool.sync.stage import Stage


class Migrations(NamedTuple):
    before: list[tasks.Step]  # before the merge
    after: list[tasks.Step]  # after the writes: migrations, then tasks

    @property
    def total(self) -> int:
        return len(self.before) + len(self.after)


def migrations_of(
    move: CodeToRun, ref: str | None, root: Path, *, trust: bool
) -> Migrations:
    """The blueprint code this sync would run: refused without ``trust``."""
    code, old, new = move.code, move.from_version, move.to_version
    applied = _described(root, code)
    before = tasks.migration_steps(code, "before", old, new, from_commit=applied)
    after = tasks.migration_steps(code, "after", old, new, from_commit=applied)
    after += tasks.task_steps(code)
    if (before or after) and not trust:
        raise BlueprintError(
            f"blueprint {new or ref} runs code on your machine for this "
            f"update ({len(before) + len(after)} migration(s)/task(s)); nothing was written.",
            "Re-run with --trust if you trust it.",
        )
    return Migrations(before, after)


def _described(root: Path, code: tasks.TemplateCode) -> str | None:
    """The applied version as copier describes it (`v1.0.0`): `_commit` in the
    service's copier answers file, where copier reads it too; None without."""
    from synctool import fastyaml
    from synctool.service import paths

    name = answers_path(code)
    if name is None:
        return None
    try:
        paths.check_relpath(name)
        doc = fastyaml.load((root / name).read_text(encoding="utf-8"))
    except (SynctoolError, fastyaml.FastYAMLError, OSError, UnicodeDecodeError):
        return None
    commit = doc.get("_commit") if isinstance(doc, dict) else None
    return str(commit) if isinstance(commit, str | int | float) else None


def run_before(
    steps: list[tasks.Step], root: Path, move: CodeToRun, stage: Stage
) -> None:
    stage.now(
        "interrupted while running the blueprint's migrations (before the merge): "
        "synctool wrote nothing.",
        "What the migrations changed, if anything, is in the working tree "
        "(`git status`).",
    )
    for step in steps:
        try:
            ran = tasks.run_steps([step], root, move.answers, move.code)
        except TaskFailed as exc:
            raise BlueprintError(
                f"the blueprint's migration {_failed(exc, step)}, before the merge: "
                "nothing was written by the sync.",
                "Whatever the migration itself changed is in the working tree "
                "(`git status`); fix what it needs and run again.",
            ) from None
        for command in ran:
            ui.action("run", command, "blueprint migration (before)")
    stage.now("interrupted: nothing was written by the sync.", stage.hint)


def run_after(steps: list[tasks.Step], prepared: Prepared) -> None:
    root, answers, code = prepared.root, prepared.lock.answers, prepared.code
    for step in steps:
        try:
            ran = tasks.run_steps([step], root, answers, code)
        except TaskFailed as exc:
            if step.extra.get("stage") != "after":
                raise  # a task: its own words
            raise TaskFailed(
                f"blueprint {lock_label(prepared.lock)} is applied (files and lock "
                f"written), but its migration {_failed(exc, step)}.",
                "Fix what it needs and run it by hand; the sync itself is complete.",
            ) from None
        what = "blueprint migration" if step.extra.get("stage") == "after" else "task"
        for command in ran:
            ui.action("run", command, f"blueprint {what}")


def _failed(exc: TaskFailed, step: tasks.Step) -> str:
    """ "`cmd` failed (exit N)" from the task runner's message."""
    found = re.search(r"(`[^`]*`) failed \((exit -?\d+)\)", exc.message)
    if found:
        return f"{found.group(1)} failed ({found.group(2)})"
    shown = step.cmd if isinstance(step.cmd, str) else " ".join(step.cmd)
    return f"`{shown}` failed ({exc.message.rstrip('.')})"
