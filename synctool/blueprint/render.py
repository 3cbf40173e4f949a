"""Rendering a blueprint: the only module that imports copier (lazily).

copier renders into a private staging folder; synctool then reads the result
into memory as a tree (path -> bytes + mode) and decides itself what reaches
the service. So a blueprint that tries to write outside the service, into
``.git``, or through a symlink is stopped before anything is written.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from synctool.blueprint import checkouts, copiererrors, sources, speedups
from synctool.errors import BlueprintError, InputError
from synctool.tree import FileEntry
from synctool.service.staging import read_tree
from synctool.blueprint.tasks import TemplateCode

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
    skip_if_exists: tuple[
        str, ...
    ] = ()  # copier's patterns: written once, then the service's
    # What the render read of the service (``dest``): its path or folder name
    # (then another destination renders differently), its files (copier's
    # `_external_data`: then the render depends on what they hold).
    uses_destination: bool = False
    reads_service: bool = False
    # The values of `secret: true` answers (never recorded): a file holding one
    # is locked without its hash (synctool.service.lockentries.locked_files).
    secret_values: tuple[str, ...] = ()


def answers_digest(answers: Mapping[str, Any]) -> str:
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


Operation = Literal["copy", "update"]
_Prompts = Literal["ask", "record", "default-or-record"]


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
    job = _Job(
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
    except _CheckoutGone:  # the cache was deleted under us: clone, as copier does
        return _render_answered(job._replace(commit=None), defaults=defaults)


class _CheckoutGone(Exception):
    """The kept checkout a render was reading disappeared (cache deleted)."""


def _render_answered(job: _Job, *, defaults: bool) -> Rendered:
    prompts: _Prompts = "ask" if job.interactive or defaults else "record"
    try:
        return _render(job, defaults=defaults, prompts=prompts)
    except copiererrors.RequiredAnswer:
        if job.interactive or not defaults:
            raise
    # copier stops at the first question without an answer: render again,
    # taking defaults and recording every question that has none, to name all.
    return _render(job, defaults=False, prompts="default-or-record")


class _Job(NamedTuple):
    src: str
    ref: str | None
    data: dict[str, Any]
    recorded: dict[str, Any]
    trust: bool
    commit: str | None
    operation: Operation
    interactive: bool
    dest: Path | None


def _render(job: _Job, *, defaults: bool, prompts: _Prompts) -> Rendered:
    from copier._main import Worker  # lazy: `synctool check` must never pay for copier

    src, ref, data = job.src, job.ref, job.data
    # a bare repository, a URL: as copier reads git; an option-like one refused
    url = sources.copier_url(src, ref)
    # copier renders a local blueprint's uncommitted changes at HEAD.
    pin = (ref, job.commit) if ref not in (None, "HEAD") and job.commit else None
    with tempfile.TemporaryDirectory(prefix="synctool-render-") as tmp, _quiet_copier():
        staging = Path(tmp) / "out"
        missing: list[str] = []
        caught: list[warnings.WarningMessage] = []
        reused = False
        try:
            with (
                warnings.catch_warnings(record=True) as caught,
                _prompts(missing, prompts),
                _operation(job.operation),
                Worker(
                    src_path=url,
                    dst_path=staging,
                    vcs_ref=ref,
                    data=dict(data),
                    defaults=defaults,
                    unsafe=job.trust,
                    skip_tasks=True,  # synctool runs them in the service (synctool.blueprint.tasks)
                    skip_answered=bool(
                        job.recorded
                    ),  # recorded answers: not asked again
                    quiet=True,
                    cleanup_on_error=False,
                    overwrite=True,
                ) as worker,
            ):
                warnings.simplefilter("always")
                template = worker.template
                reused = pin is not None and speedups.reuse_checkout(
                    template, src, *pin
                )
                if not reused and not Path(url).is_dir():
                    with checkouts.clone_lock(src):
                        template.local_abspath  # noqa: B018 - clones, one at a time
                sources.require_copier_config(Path(template.local_abspath), src, ref)
                _check_types(template.questions_data, data)
                recalled = _recall(worker, job.recorded)
                seen = _Seen()
                if job.dest is not None:
                    _at_destination(worker, job.dest, seen)
                speedups.speed_up(worker)
                worker.run_copy()
                if missing:
                    raise copiererrors.missing_answers(
                        missing, defaults=prompts != "record"
                    )
                answers = _answers(worker)
                secrets = _secret_values(worker)
                if recalled:
                    _check_recorded(worker, job, answers)
                policy_text = _policy_text(worker, answers)
                local = Path(worker.template.local_abspath)
                commit = worker.template.commit_hash or _folder_digest(local)
                version = worker.template.version
                code = _template_code(worker, job.operation)._replace(
                    root=str(worker.template.local_abspath),
                    checkout=(src, *pin) if pin is not None else (),
                )
                skip = _skip_if_exists(worker)
                # copier's answers file is a rendered file like any other.
                drop = set()
                if not worker.template.subdirectory:
                    drop.add(POLICY_FILE)  # the policy is for synctool, not the service
                if pin is not None and not reused:
                    speedups.keep_checkout(template, src, *pin)  # last: moves the clone
        except Exception as exc:  # copier's errors become one sentence each
            if missing:
                raise _missing(job, missing, prompts) from None
            if reused and not Path(template.local_abspath).is_dir():
                raise _CheckoutGone from exc
            raise copiererrors.translate(exc, src, ref) from exc
        tree, notes = read_tree(staging, drop=drop)
        notes += tuple(text for w in caught if (text := copiererrors.warning_text(w)))
        return Rendered(
            tree=tree,
            answers=answers,
            commit=commit,
            version=str(version) if version is not None else None,
            policy_text=policy_text,
            warnings=notes,
            code=code,
            skip_if_exists=skip,
            uses_destination=seen.destination,
            reads_service=seen.service_files,
            secret_values=secrets,
        )


@contextmanager
def _prompts(missing: list[str], mode: _Prompts) -> Iterator[None]:
    """Off a TTY, record each question copier would ask instead of asking it.

    Recording all of them (answering with the default meanwhile) lets the
    error list every missing answer at once rather than one per attempt.
    In "default-or-record" mode a question with a default (or a recorded
    answer) takes it, as copier's --defaults does, and only the others count.
    """
    if mode == "ask":
        yield
        return
    import copier._main as copier_main
    from copier._types import MISSING

    def record(
        questions: list[dict[str, Any]], answers: dict[str, Any]
    ) -> dict[str, Any]:
        question = questions[0]
        name = str(question["name"])
        default = answers.get(name, MISSING)
        if mode == "default-or-record" and default is not MISSING:
            return {name: default}
        when = question.get("when", True)
        if callable(when):  # copier hands questionary a function of the answers
            when = when(answers)
        if when is not False:
            missing.append(name)
        return {name: default}

    # copier asks through this module-level name; swapping it is the narrowest
    # hook there is (copier has no "fail on missing answers" switch).
    original = getattr(copier_main, "unsafe_prompt")  # noqa: B009
    setattr(copier_main, "unsafe_prompt", record)  # noqa: B010
    try:
        yield
    finally:
        setattr(copier_main, "unsafe_prompt", original)  # noqa: B010


@contextmanager
def _operation(operation: Operation) -> Iterator[None]:
    """Set what templates see as ``_copier_operation`` (copier's own
    decorator keeps a value already set)."""
    import copier._main as copier_main

    var = getattr(copier_main, "_operation", None)
    if not isinstance(var, contextvars.ContextVar):
        yield  # copier moved it: every render is a "copy" then
        return
    token = var.set(operation)
    try:
        yield
    finally:
        var.reset(token)


def _skip_if_exists(worker: Worker) -> tuple[str, ...]:
    """copier's _skip_if_exists patterns, rendered as copier renders them."""
    patterns = getattr(worker, "all_skip_if_exists", ())
    render_string = getattr(worker, "_render_string", None)
    if render_string is None:
        return tuple(str(p) for p in patterns)
    return tuple(str(render_string(str(p))) for p in patterns)


def _recall(worker: Worker, recorded: Mapping[str, Any]) -> bool:
    """Give copier the service's recorded answers as its last answers (what
    `copier update` reads from the answers file); False if copier moved them
    (then they are given as answers given now, and when-false ones stay)."""
    if not recorded:
        return False
    subproject = worker.subproject
    if isinstance(getattr(type(subproject), "last_answers", None), cached_property):
        questions = worker.template.questions_data
        subproject.__dict__["last_answers"] = {
            key: _typed(questions.get(key), value) for key, value in recorded.items()
        }
        return True
    worker.data = {**recorded, **worker.data}
    return False


def _missing(job: _Job, missing: list[str], prompts: _Prompts) -> InputError:
    """No answer for ``missing``: a recorded one copier refused says so."""
    refused = [
        name for name in missing if name in job.recorded and name not in job.data
    ]
    if refused:
        return _refused(job, refused[0], None)
    return copiererrors.missing_answers(missing, defaults=prompts != "record")


def _refused(job: _Job, key: str, default: Any) -> InputError:
    instead = f" (its default would be {default!r})" if default is not None else ""
    return InputError(
        f"the recorded answer {key}: {job.recorded[key]!r} is not valid for "
        f"blueprint {job.ref or job.src}{instead}.",
        f"Pass a valid one with --data {key}=VALUE.",
    )


def _typed(question: object, value: Any) -> Any:
    """A recorded answer as its question's type: copier checks a last answer
    cast but renders it raw, and `.synctool.yml` may say `flag: no` or
    `port: "9000"`. One that does not cast stays as it is (copier drops it)."""
    from copier._tools import cast_to_bool

    kind = question.get("type") if isinstance(question, Mapping) else None
    casts: dict[str, Callable[[Any], Any]] = {
        "bool": cast_to_bool,
        "int": int,
        "float": float,
    }
    cast = casts.get(str(kind))
    if cast is None or isinstance(value, bool) or not isinstance(value, str | int):
        return value
    try:
        return cast(value)
    except (TypeError, ValueError):
        return value


def _check_recorded(worker: Worker, job: _Job, answers: Mapping[str, Any]) -> None:
    """A recorded answer this version refuses is an error: copier drops it
    from its last answers without a word and takes the default, and the
    service's answer must not change behind its back."""
    last = getattr(getattr(worker, "answers", None), "last", None)
    if not isinstance(last, Mapping):
        return
    questions = worker.template.questions_data
    hidden = set(worker.answers.hidden)
    # On a terminal copier asked for each refused answer: the one typed stands.
    typed_now = getattr(worker.answers, "user", {}) if job.interactive else {}
    for key in job.recorded:
        if key in job.data or key not in questions or key in hidden or key in last:
            continue
        if key in typed_now:
            continue
        raise _refused(job, key, answers.get(key))


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
    """Name an answer to no question (copier ignores it: a typo would be
    lost without a word) or of the wrong type (copier's error doesn't)."""
    for key in data:
        if key not in questions:
            import difflib

            near = difflib.get_close_matches(key, [str(q) for q in questions], n=1)
            raise InputError(
                f"--data {key}: the blueprint has no question {key!r}"
                + (f" (did you mean {near[0]!r}?)." if near else "."),
                "Its questions: " + (", ".join(map(str, questions)) or "none") + ".",
            )
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


def _secret_values(worker: Worker) -> tuple[str, ...]:
    """The values of the answers to `secret: true` questions, as text."""
    secret = set(worker.template.secret_questions)
    values = {
        str(value)
        for key, value in worker.answers.combined.items()
        if key in secret and value is not None and not isinstance(value, bool)
    }
    return tuple(sorted(v for v in values if v))


def _template_code(worker: Worker, operation: Operation) -> TemplateCode:
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


class _Seen:
    """What a render read of the service it is for."""

    def __init__(self) -> None:
        self.destination = False  # `_folder_name` or `_copier_conf.dst_path`
        self.service_files = False  # `_external_data`


def _at_destination(worker: Worker, dest: Path, seen: _Seen) -> None:
    """Make the render see the service ``dest``, not the staging folder:
    `_folder_name`, `_copier_conf.dst_path` and `_external_data` are the
    service's, as they are under `copier copy` and `copier update`."""
    build_context = worker._render_context

    def render_context() -> Any:
        context = build_context()
        context["_folder_name"] = dest.name
        conf = context.get("_copier_conf")
        if isinstance(conf, MutableMapping):
            context["_copier_conf"] = _Conf(conf, PurePath(dest), seen)
        return context

    # `_folder_name` is a plain string: notice its use where Jinja looks it up.
    env = worker.jinja_env

    class NoticingContext(env.context_class):  # type: ignore[name-defined,misc]
        def resolve_or_missing(self, key: str) -> Any:
            if key == "_folder_name":
                seen.destination = True
            return super().resolve_or_missing(key)

    env.context_class = NoticingContext
    worker._render_context = render_context  # type: ignore[method-assign]
    if worker.template.external_data:
        seen.service_files = True
        worker._external_data = lambda: _external_data(worker, dest)  # type: ignore[method-assign]


class _Conf(MutableMapping[str, Any]):
    """copier's `_copier_conf`, with the service's path as `dst_path`."""

    def __init__(self, inner: MutableMapping[str, Any], dest: PurePath, seen: _Seen):
        self._inner, self._dest, self._seen = inner, dest, seen

    def __getitem__(self, key: str) -> Any:
        if key == "dst_path":
            self._seen.destination = True
            return self._dest
        return self._inner[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._inner[key] = value

    def __delitem__(self, key: str) -> None:
        del self._inner[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)


def _external_data(worker: Worker, dest: Path) -> Any:
    """copier's `_external_data`, read from the service (copier reads its
    destination; synctool's is a staging folder)."""
    from copier._types import LazyDict, Phase
    from copier._user_data import load_answersfile_data

    def load(path: str) -> Any:
        with Phase.use(Phase.UNDEFINED):
            rel = str(worker._render_string(path))
        inside = (dest / rel).resolve().is_relative_to(dest.resolve())
        if not inside and not worker.unsafe:
            raise BlueprintError(
                f"the blueprint reads {rel} (`_external_data`), outside the "
                "service; nothing was written.",
                "Re-run with --trust if you trust it to read that file.",
            )
        return load_answersfile_data(dest, rel, warn_on_missing=True)

    def loader(path: str) -> Callable[[], Any]:
        return lambda: load(path)

    return LazyDict(
        {
            name: loader(str(path))
            for name, path in worker.template.external_data.items()
        }
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
