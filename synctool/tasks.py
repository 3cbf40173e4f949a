"""The blueprint's own code: copier `_tasks` and `_migrations`.

They run on the user's machine, so only with --trust (or a source listed in
copier's `trust` setting), and never silently: without trust a blueprint that
has code to run for this operation is refused before anything is written.
Tasks run in the service after init and after each sync; migrations run
around a sync (stage "before" and "after"), only those whose `version` lies
in (applied, declared], as copier does.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from packaging.version import InvalidVersion, Version

from synctool.errors import BlueprintError, TaskFailed


class TemplateCode(NamedTuple):
    """The raw `_tasks` and `_migrations` of a blueprint version."""

    tasks: tuple[Any, ...] = ()
    migrations: tuple[Any, ...] = ()
    envops: Mapping[str, Any] = {}


class Step(NamedTuple):
    cmd: str | tuple[str, ...]
    when: str | bool
    cwd: str
    extra: Mapping[str, Any]


def task_steps(code: TemplateCode) -> list[Step]:
    steps = []
    for task in code.tasks:
        if isinstance(task, dict):
            steps.append(
                Step(
                    _cmd(task["command"]),
                    task.get("when", True),
                    str(task.get("working_directory", ".")),
                    {"stage": "task"},
                )
            )
        else:
            steps.append(Step(_cmd(task), True, ".", {"stage": "task"}))
    return steps


def migration_steps(
    code: TemplateCode, stage: str, from_version: str | None, to_version: str | None
) -> list[Step]:
    """Migrations for ``stage`` when moving from one version to another."""
    old, new = _version(from_version), _version(to_version)
    if old is None or new is None or not code.migrations:
        return []
    extra = {
        "stage": stage,
        "version_from": from_version,
        "version_to": to_version,
        "version_pep440_from": str(old),
        "version_pep440_to": str(new),
    }
    start = code.envops.get("variable_start_string", "{{")
    end = code.envops.get("variable_end_string", "}}")
    after_only = f'{start} _stage == "after" {end}'
    steps: list[Step] = []
    for item in code.migrations:
        if isinstance(item, dict) and ("before" in item or "after" in item):  # legacy
            if _in_range(item.get("version"), old, new):
                steps += [Step(_cmd(c), True, ".", extra) for c in item.get(stage, [])]
            continue
        if isinstance(item, dict):
            if "version" in item and not _in_range(item["version"], old, new):
                continue
            when = item.get("when", after_only)
            steps.append(
                Step(
                    _cmd(item["command"]),
                    when,
                    str(item.get("working_directory", ".")),
                    extra,
                )
            )
        else:
            steps.append(Step(_cmd(item), after_only, ".", extra))
    return steps


def run_steps(
    steps: Sequence[Step], root: Path, answers: Mapping[str, Any], code: TemplateCode
) -> list[str]:
    """Run each step whose condition holds, in the service; return what ran."""
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(**dict(code.envops))
    ran: list[str] = []
    for step in steps:
        context = {**answers, **{f"_{k}": v for k, v in step.extra.items()}}
        if not _truthy(_render(env, step.when, context)):
            continue
        cwd = (root / _render(env, step.cwd, context)).resolve()
        if not cwd.is_relative_to(root.resolve()):
            raise BlueprintError(
                f"a blueprint task would run outside the service ({cwd})."
            )
        if isinstance(step.cmd, str):
            command: str | list[str] = _render(env, step.cmd, context)
        else:
            command = [_render(env, part, context) for part in step.cmd]
        extra_env = {k.upper(): str(v) for k, v in step.extra.items()}
        proc = subprocess.run(
            command,
            shell=isinstance(command, str),
            cwd=cwd,
            env={**os.environ, **extra_env},
            check=False,
        )
        shown = command if isinstance(command, str) else " ".join(command)
        if proc.returncode != 0:
            raise TaskFailed(
                f"the files are written, but the blueprint's task `{shown}` failed "
                f"(exit {proc.returncode}).",
                "Fix what it needs and run it by hand; the sync itself is complete.",
            )
        ran.append(shown)
    return ran


def _cmd(value: Any) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(str(v) for v in value)


def _render(env: Any, value: Any, context: Mapping[str, Any]) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(env.from_string(str(value)).render(**context))


def _truthy(text: str) -> bool:
    return text.strip().lower() not in (
        "",
        "false",
        "no",
        "n",
        "off",
        "0",
        "none",
        "null",
    )


def _version(text: str | None) -> Version | None:
    if text is None:
        return None
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def _in_range(value: Any, old: Version, new: Version) -> bool:
    current = _version(None if value is None else str(value))
    return current is not None and old < current <= new
