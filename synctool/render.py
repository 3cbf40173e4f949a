"""Rendering a blueprint: the only module that imports copier (lazily).

copier renders into a private staging folder; synctool then reads the result
into memory as a tree (path -> bytes + mode) and decides itself what reaches
the service. So a blueprint that tries to write outside the service, into
``.git``, or through a symlink is stopped before anything is written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from synctool.errors import BlueprintError, InputError
from synctool.merge.types import FileEntry
from synctool.tasks import TemplateCode

if TYPE_CHECKING:
    from copier._main import Worker

POLICY_FILE = "synctool.yml"
RESERVED = (".synctool.yml", ".synctool.lock")
SYMLINK_MODE = 0o120000


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
) -> Rendered:
    """Render ``src`` at ``ref`` with ``data`` and return the tree in memory.

    The blueprint's tasks and migrations are returned, never run here.
    ``interactive`` lets copier prompt on the terminal for unanswered
    questions; otherwise every question without an answer (and, unless
    ``defaults``, every question at all) is an error that names them all.
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
                _check_types(worker.template.questions_data, data)
                _speed_up(worker)
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


def _speed_up(worker: Worker) -> None:
    """Skip work copier repeats per file that a staging render never needs.

    - copier compiles every path component ("src", "tests", ...) as a Jinja
      template, for every file: compile each distinct string once (a compiled
      template holds no render state), and skip rendering a component that
      has no Jinja delimiter at all;
    - it builds the whole render context again per path component and file:
      during the render phase the answers are fixed, so build it once;
    - it runs `git config core.fileMode` per file to fix the destination's
      git index: the staging folder is never a repository.
    Each patch is on this worker instance only, and skipped if copier's
    internals moved (then it is merely slower).
    """
    env = worker.jinja_env
    env.from_string = functools.lru_cache(maxsize=4096)(env.from_string)  # type: ignore[method-assign,assignment]
    if hasattr(worker, "_sync_git_index_executable_bit"):
        worker._sync_git_index_executable_bit = lambda *args, **kwargs: None  # type: ignore[method-assign]
    render_string = getattr(worker, "_render_string", None)
    if render_string is not None:
        # A path component without any Jinja delimiter renders to itself.
        markers = [
            m
            for m in (
                env.block_start_string,
                env.variable_start_string,
                env.comment_start_string,
                env.line_statement_prefix,
                env.line_comment_prefix,
            )
            if m
        ]

        def render_plain_fast(string: str, extra_context: Any = None) -> str:
            if not any(marker in string for marker in markers):
                return string
            return str(render_string(string, extra_context=extra_context))

        worker._render_string = render_plain_fast  # type: ignore[method-assign]
    render_template = getattr(worker, "_render_template", None)
    build_context = getattr(worker, "_render_context", None)
    if render_template is None or build_context is None:
        return

    def render_with_fixed_context() -> None:
        context = build_context()
        worker._render_context = lambda: dict(context)  # type: ignore[method-assign]
        try:
            render_template()
        finally:
            worker._render_context = build_context  # type: ignore[method-assign]

    worker._render_template = render_with_fixed_context  # type: ignore[method-assign]


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


def read_tree(
    root: Path, *, drop: set[str] | None = None
) -> tuple[dict[str, FileEntry], tuple[str, ...]]:
    """Read a rendered folder into memory, refusing anything that escapes it."""
    tree: dict[str, FileEntry] = {}
    notes: list[str] = []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root)
        if ".git" in dirnames:
            dirnames.remove(".git")
            notes.append(
                f"the blueprint renders {(rel_dir / '.git').as_posix()}/; "
                "synctool never writes into a service's .git, so it was left out"
            )
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                filenames.append(name)  # handled as a link below, never followed
        for name in filenames:
            path = here / name
            rel = (rel_dir / name).as_posix()
            if drop and rel in drop:
                continue
            check_relpath(rel)
            if rel in RESERVED:
                raise BlueprintError(
                    f"the blueprint renders {rel}, which synctool owns.",
                    "Remove it from the template.",
                )
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(path)
                _check_link(rel, target, real_root)
                tree[rel] = FileEntry(target.encode(), SYMLINK_MODE)
            elif stat.S_ISREG(info.st_mode):
                mode = 0o755 if info.st_mode & 0o111 else 0o644
                tree[rel] = FileEntry(path.read_bytes(), mode)
    return dict(sorted(tree.items())), tuple(notes)


def check_relpath(rel: str) -> None:
    """Refuse a path that is absolute, climbs out of the service, or lands in .git."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or rel.startswith("/"):
        raise BlueprintError(
            f"the blueprint renders a path outside the service: {rel!r}.",
            "Fix the template's file names; nothing was written.",
        )
    if any(part.lower() == ".git" for part in pure.parts):
        raise BlueprintError(
            f"the blueprint renders into .git: {rel!r}.",
            "Remove it from the template; synctool never writes into .git.",
        )
    if (
        not rel
        or "\\" in rel
        or "\0" in rel
        or any(p in ("", ".") for p in rel.split("/"))
    ):
        raise BlueprintError(
            f"the blueprint renders an unusable path: {rel!r}.",
            "Use plain relative paths (no backslashes, no empty parts).",
        )


def _check_link(rel: str, target: str, root: Path) -> None:
    """A rendered symlink must stay in the service and out of its .git.

    Resolved on disk, following every link on the way (``u -> .`` then
    ``leak -> u/../x`` climbs out although the text of the target does not).
    """
    resolved = (root / rel).resolve()
    if (
        os.path.isabs(target)
        or not resolved.is_relative_to(root)
        or resolved.is_relative_to(root / ".git")
        or any(part.lower() == ".git" for part in PurePosixPath(target).parts)
    ):
        raise BlueprintError(
            f"the blueprint renders a symlink that leaves the service: {rel} -> {target}.",
            "Point it inside the service, outside .git; nothing was written.",
        )


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
