"""Rendering a blueprint: the only module that imports copier (lazily).

copier renders into a private staging folder; synctool then reads the result
into memory as a tree (path -> bytes + mode) and decides itself what reaches
the service. So a blueprint that tries to write outside the service, into
``.git``, or through a symlink is stopped before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from synctool import speedups
from synctool.errors import BlueprintError, InputError
from synctool.merge.types import FileEntry
from synctool.staging import read_tree
from synctool.tasks import TemplateCode

if TYPE_CHECKING:
    from copier._main import Worker

POLICY_FILE = "synctool.yml"


class Rendered(NamedTuple):
    """One render of a blueprint version with one set of answers."""

    tree: dict[str, FileEntry]
    answers: dict[str, Any]  # what the service records (no secrets, no internals)
    commit: str  # git sha, or "sha256:<digest>" of a folder that is not in git
    version: str | None  # PEP 440 version copier read from the ref's tag, if any
    policy_text: str | None  # the blueprint's synctool.yml, rendered with answers
    warnings: tuple[str, ...]
    code: TemplateCode = TemplateCode()  # its _tasks and _migrations, not run here


def answers_digest(answers: Mapping[str, Any]) -> str:
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def render(
    src: str,
    ref: str | None,
    data: Mapping[str, Any],
    *,
    defaults: bool,
    interactive: bool,
    trust: bool,
    commit: str | None = None,
) -> Rendered:
    """Render ``src`` at ``ref`` with ``data`` and return the tree in memory.

    The blueprint's tasks and migrations are returned, never run here.
    ``interactive`` lets copier prompt on the terminal for unanswered
    questions; otherwise every question without an answer (and, unless
    ``defaults``, every question at all) is an error that names them all.
    ``commit``: the sha ``ref`` names, when the caller knows it; then a kept
    checkout of it is used instead of a clone (``synctool.checkouts``).
    """
    from copier._main import Worker  # lazy: `synctool check` must never pay for copier

    with tempfile.TemporaryDirectory(prefix="synctool-render-") as tmp, _quiet_copier():
        staging = Path(tmp) / "out"
        missing: list[str] = []
        caught: list[warnings.WarningMessage] = []
        try:
            with (
                warnings.catch_warnings(record=True) as caught,
                _prompts(missing, enabled=interactive or defaults),
                Worker(
                    src_path=src,
                    dst_path=staging,
                    vcs_ref=ref,
                    data=dict(data),
                    defaults=defaults,
                    unsafe=trust,
                    skip_tasks=True,  # synctool runs them in the service (synctool.tasks)
                    quiet=True,
                    cleanup_on_error=False,
                    overwrite=True,
                ) as worker,
            ):
                warnings.simplefilter("always")
                template = worker.template
                # copier renders a local blueprint's uncommitted changes at HEAD.
                pin = (ref, commit) if ref not in (None, "HEAD") and commit else None
                reused = pin is not None and speedups.reuse_checkout(
                    template, src, *pin
                )
                _check_types(template.questions_data, data)
                speedups.speed_up(worker)
                worker.run_copy()
                if missing:
                    raise _MissingAnswers
                answers = _answers(worker)
                policy_text = _policy_text(worker, answers)
                local = Path(worker.template.local_abspath)
                commit = worker.template.commit_hash or _folder_digest(local)
                version = worker.template.version
                code = _template_code(worker)
                answers_file = worker.answers_relpath.as_posix()
                drop = {answers_file}
                if not worker.template.subdirectory:
                    drop.add(POLICY_FILE)  # the policy is for synctool, not the service
                if pin is not None and not reused:
                    speedups.keep_checkout(template, src, *pin)  # last: moves the clone
        except _MissingAnswers:
            raise InputError(
                "no answer for: " + ", ".join(missing) + ".",
                "Pass them with --data KEY=VALUE or --data-file FILE, or use --defaults.",
            ) from None
        except Exception as exc:  # copier's errors become one sentence each
            raise _translate(exc, src, ref, missing) from exc
        tree, notes = read_tree(staging, drop=drop)
        notes += tuple(text for text in map(_warning_text, caught) if text)
        return Rendered(
            tree=tree,
            answers=answers,
            commit=commit,
            version=str(version) if version is not None else None,
            policy_text=policy_text,
            warnings=notes,
            code=code,
        )


class _MissingAnswers(Exception):
    pass


@contextmanager
def _prompts(missing: list[str], *, enabled: bool) -> Iterator[None]:
    """Off a TTY, record each question copier would ask instead of asking it.

    Recording all of them (answering with the default meanwhile) lets the
    error list every missing answer at once rather than one per attempt.
    """
    if enabled:
        yield
        return
    import copier._main as copier_main

    def record(
        questions: list[dict[str, Any]], answers: dict[str, Any]
    ) -> dict[str, Any]:
        question = questions[0]
        name = str(question["name"])
        if question.get("when", True) is not False:  # copier skips when: false itself
            missing.append(name)
        return {name: answers.get(name)}

    # copier asks through this module-level name; swapping it is the narrowest
    # hook there is (copier has no "fail on missing answers" switch).
    original = getattr(copier_main, "unsafe_prompt")  # noqa: B009
    setattr(copier_main, "unsafe_prompt", record)  # noqa: B010
    try:
        yield
    finally:
        setattr(copier_main, "unsafe_prompt", original)  # noqa: B010


@contextmanager
def _quiet_copier() -> Iterator[None]:
    """copier prints to stderr on its own; synctool's ui owns the terminal."""
    saved = sys.stderr
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - closed below
    try:
        yield
    finally:
        sys.stderr.close()
        sys.stderr = saved


_CASTS: dict[str, Callable[[str], object]] = {"int": int, "float": float}


def _check_types(questions: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Name the answer that has the wrong type (copier's own error doesn't)."""
    for key, value in data.items():
        kind = str((questions.get(key) or {}).get("type", "str"))
        cast = _CASTS.get(kind)
        if cast is None or not isinstance(value, str):
            continue
        try:
            cast(value)
        except ValueError:
            raise InputError(
                f"answer {key}={value!r} is not a valid {kind}.",
                f"Pass a number: --data {key}=...",
            ) from None


def _answers(worker: Worker) -> dict[str, Any]:
    hidden = set(worker.answers.hidden) | set(worker.template.secret_questions)
    questions = worker.template.questions_data
    return {
        str(key): value
        for key, value in worker.answers.combined.items()
        if key in questions and key not in hidden and not str(key).startswith("_")
    }


def _template_code(worker: Worker) -> TemplateCode:
    config = worker.template.config_data
    return TemplateCode(
        tasks=tuple(config.get("tasks") or ()),
        migrations=tuple(config.get("migrations") or ()),
        envops=dict(config.get("envops") or {}),
    )


def _policy_text(worker: Worker, answers: Mapping[str, Any]) -> str | None:
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


def _folder_digest(root: Path) -> str:
    """A stable identity for a template folder that is not a git repository."""
    digest = hashlib.sha256()
    # VERSION and .complete belong to how synctool stores the bundled blueprint,
    # not to the template: the same release must get the same identity.
    skip = {root / "VERSION", root / ".complete"}
    files = (p for p in root.rglob("*") if p.is_file() and p not in skip)
    for path in sorted(p for p in files if not {".git", "__pycache__"} & set(p.parts)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


def _warning_text(w: warnings.WarningMessage) -> str:
    name = type(w.message).__name__
    if name == "DirtyLocalWarning":
        return "the blueprint has uncommitted changes; they were rendered, but no release holds them"
    if name in {
        "ShallowCloneWarning",
        "OldTemplateWarning",
        "UnknownCopierVersionWarning",
    }:
        return str(w.message)
    return ""


def _translate(
    exc: Exception, src: str, ref: str | None, missing: list[str]
) -> Exception:
    from copier import errors as cerr

    if isinstance(exc, BlueprintError | InputError):
        return exc
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, cerr.UnsafeTemplateError):
        return BlueprintError(
            f"the blueprint {src} runs code on your machine ({text.split(': ', 1)[-1]}).",
            "Re-run with --trust if you trust it, or list it under `trust` in copier's settings.",
        )
    if isinstance(exc, cerr.ForbiddenPathError | cerr.PathError):
        return BlueprintError(
            f"the blueprint renders a path outside the service: {text}.",
            "Fix the template's file names; nothing was written.",
        )
    if missing:
        return InputError(
            "no answer for: " + ", ".join(missing) + ".",
            "Pass them with --data KEY=VALUE or --data-file FILE, or use --defaults.",
        )
    if isinstance(exc, ValueError) and text.startswith("Validation error for question"):
        return InputError(
            text.rstrip(".") + ".", "Pass a valid value with --data KEY=VALUE."
        )
    if (
        isinstance(exc, ValueError)
        and text.startswith("Question ")
        and "required" in text
    ):
        name = text.split('"')[1] if '"' in text else text
        return InputError(
            f"question {name!r} has no default and no answer.",
            f"Pass it with --data {name}=VALUE.",
        )
    if type(exc).__name__ == "ProcessExecutionError":
        stderr = str(getattr(exc, "stderr", "") or "").strip().splitlines()
        why = stderr[-1] if stderr else text
        what = f"ref {ref!r} of " if ref else ""
        return BlueprintError(
            f"could not check out {what}the blueprint {src}: {why}",
            "Check the source and that the ref (a tag or commit) exists.",
        )
    if isinstance(exc, cerr.CopierError | ValueError | OSError):
        return BlueprintError(f"the blueprint {src} could not be rendered: {text}")
    return exc
