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
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from packaging.version import InvalidVersion, Version

from synctool.errors import BlueprintError, TaskFailed


class TemplateCode(NamedTuple):
    """The raw `_tasks` and `_migrations` of a blueprint version, and what
    copier's context held for them when it was rendered (its answers,
    hidden and secret ones too, `_copier_answers`, `_copier_conf`,
    `_copier_operation`, `_external_data`)."""

    tasks: tuple[Any, ...] = ()
    migrations: tuple[Any, ...] = ()
    envops: Mapping[str, Any] = {}
    context: Mapping[str, Any] = {}
    extensions: tuple[str, ...] = ()  # the blueprint's `_jinja_extensions`
    # Where the template was read, for extensions that load its own files
    # (copier-templates-extensions): the folder, or the kept checkout's
    # (url, ref, commit) when the render's clone was moved into the cache.
    root: str = ""
    checkout: tuple[str, ...] = ()


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
                    task.get("when", "true"),
                    str(task.get("working_directory", ".")),
                    {"stage": "task"},
                )
            )
        else:
            steps.append(Step(_cmd(task), True, ".", {"stage": "task"}))
    return steps


def migration_steps(
    code: TemplateCode,
    stage: str,
    from_version: str | None,
    to_version: str | None,
    *,
    from_commit: str | None = None,
) -> list[Step]:
    """Migrations for ``stage`` when moving from one version to another.

    ``from_commit``: the applied version as copier describes it (`git
    describe --tags`, its answers file's `_commit`). Given, `_version_from`
    and `_version_to` are copier's descriptions (``v1.0.0``), else the PEP
    440 versions.
    """
    old, new = _version(from_version), _version(to_version)
    if old is None or new is None or not code.migrations:
        return []
    answers = code.context.get("_copier_answers")
    to_commit = answers.get("_commit") if isinstance(answers, Mapping) else None
    described = from_commit is not None and to_commit is not None
    extra = {
        "stage": stage,
        "version_from": from_commit if described else from_version,
        "version_to": to_commit if described else to_version,
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
                extra = {**extra, **_current(item["version"])}
                steps += [Step(_cmd(c), True, ".", extra) for c in item.get(stage, [])]
            continue
        if isinstance(item, dict):
            if "version" in item:
                if not _in_range(item["version"], old, new):
                    continue
                # as copier does, a migration's version stays for those after it
                extra = {**extra, **_current(item["version"])}
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
    """Run each step whose condition holds, in the service; return what ran.

    Each is rendered with what copier gives its tasks: the render's context
    (``code.context``), `_copier_python` (this interpreter), the service as
    `_folder_name` and `_copier_conf.dst_path`, `_copier_operation`
    ("update" for migrations) and the step's own variables; those are also
    its environment (`STAGE`, `COPIER_OPERATION`, `VERSION_FROM`, ...).
    """
    env = _environment(code)
    ran: list[str] = []
    for step in steps:
        own = {f"_{k}": v for k, v in step.extra.items()}
        own["_copier_operation"] = _operation(step, code)
        context = _context(root, answers, code, step, own)
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
        extra_env = {k[1:].upper(): str(v) for k, v in own.items()}
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


def _template_root(code: TemplateCode) -> Path | None:
    """The template's files as the render read them, if still on disk."""
    if code.root and Path(code.root).is_dir():
        return Path(code.root)
    if len(code.checkout) == 3:
        from synctool.blueprint import checkouts

        kept = checkouts.find(*code.checkout)
        if kept is not None:
            return kept.root
    return None


def _environment(code: TemplateCode) -> Any:
    """A Jinja environment as copier's: its syntax, its default filters
    (jinja2-ansible-filters) and the blueprint's extensions."""
    import importlib.util

    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    envops = dict(code.envops)
    # copier takes Jinja's two by name (its render has refused any other)
    if envops.pop("undefined", None) == "jinja2.StrictUndefined":
        envops["undefined"] = jinja2.StrictUndefined
    extensions = []
    if importlib.util.find_spec("jinja2_ansible_filters") is not None:
        extensions.append("jinja2_ansible_filters.AnsibleCoreFiltersExtension")
    root = _template_root(code)
    if root is not None:  # as copier's: template-local extensions find their files
        envops.setdefault("loader", jinja2.FileSystemLoader([str(root)]))
    try:
        return SandboxedEnvironment(
            extensions=[*extensions, *code.extensions], **envops
        )
    except ImportError as exc:
        from synctool.blueprint.copiererrors import missing_extension

        module = getattr(exc, "name", None) or str(exc)
        raise missing_extension("being updated", module) from None


def _operation(step: Step, code: TemplateCode) -> str:
    if step.extra.get("stage") in ("before", "after"):
        return "update"  # migrations run only on update
    return str(code.context.get("_copier_operation", "copy"))


def _context(
    root: Path,
    answers: Mapping[str, Any],
    code: TemplateCode,
    step: Step,
    own: Mapping[str, Any],
) -> dict[str, Any]:
    conf = dict(code.context.get("_copier_conf") or {})
    conf["dst_path"] = root
    phase = "tasks" if step.extra.get("stage") == "task" else "migrate"
    return {
        **code.context,
        **answers,
        "_copier_conf": conf,
        "_folder_name": root.name,
        "_copier_python": sys.executable,
        "_copier_phase": phase,
        **own,
    }


def _current(version: Any) -> dict[str, Any]:
    return {
        "version_current": version,
        "version_pep440_current": str(_version(str(version))),
    }


def _cmd(value: Any) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(str(v) for v in value)


def _render(env: Any, value: Any, context: Mapping[str, Any]) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(env.from_string(str(value)).render(**context))


def _truthy(text: str) -> bool:
    """A rendered condition as copier reads it (its ``cast_to_bool``)."""
    try:
        return bool(float(text))
    except ValueError:
        pass
    lower = text.strip().lower()
    return lower not in ("", "n", "no", "f", "false", "off", "~", "null", "none")


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
