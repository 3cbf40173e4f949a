"""Sync as a computation: from the service's files to a plan and the writes.

base = the blueprint at the lock's commit with the lock's answers; theirs =
at the declared ref with the declared answers; ours = the working tree. The
merge itself is the pure engine in ``synctool.merge``; this module gathers
its inputs (renders, files) and turns its plan into file writes.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar, cast

from synctool import __version__
from synctool.blueprint import sources
from synctool.blueprint.render import Rendered, answers_digest
from synctool.blueprint.rendercache import cached_render, commit_of
from synctool.blueprint.tasks import TemplateCode
from synctool.check import drift, policy
from synctool.errors import BlueprintError, InputError
from synctool.merge.plan import Plan, build_plan
from synctool.merge.types import Labels
from synctool.service import worktree
from synctool.service.model import (
    DECLARED,
    GITIGNORE,
    LOCK,
    Declared,
    Lock,
    dump_lock,
    load_lock,
    locked_files,
    redeclare,
)
from synctool.tree import Driver, FileEntry

_T = TypeVar("_T")


class Target(NamedTuple):
    """Where the service should go: normally .synctool.yml as it stands."""

    declared: Declared
    ref: str | None
    answers: dict[str, Any]
    rewrite_declared: bool  # update --to/--data: .synctool.yml changes too
    blueprint: str = ""  # the source as the lock records it (absolute path, URL)
    data: Mapping[str, Any] = MappingProxyType({})  # given now (update --data)
    # the commit a ref that moves (HEAD, a branch) names now; None for tags
    commit: str | None = None


class CodeToRun(NamedTuple):
    """The blueprint code of a move between versions (its migrations' range)."""

    code: TemplateCode
    from_version: str | None
    to_version: str | None
    answers: dict[str, Any]


class Prepared(NamedTuple):
    plan: Plan
    lock: Lock  # the lock after this sync
    previous: Lock
    writes: dict[str, FileEntry | None]  # path -> new entry, None = delete
    base_note: str  # why the base was not rendered (fallback), else ""
    noop: bool
    ours: Mapping[str, FileEntry]  # the working tree as read (for diffs)
    root: Path
    code: TemplateCode = TemplateCode()  # the declared version's tasks/migrations


def is_current(previous: Lock, target: Target) -> bool:
    return (
        previous.blueprint == target.blueprint
        and previous.ref == target.ref
        and previous.answers == target.answers
        and not target.rewrite_declared
        and (target.commit is None or target.commit == previous.commit)
    )


def prepare(
    root: Path,
    target: Target,
    *,
    trust: bool,
    interactive: bool,
    side_process: bool = True,
    before_merge: Callable[[CodeToRun], None] | None = None,
) -> Prepared:
    """Render, merge and plan; nothing is written (but by ``before_merge``).

    ``side_process``: render the base in a second process while this one
    renders theirs (off when the caller has its own CPU budget: a fleet).
    ``before_merge``: called with the blueprint code of this move once both
    versions are rendered, before the service is read: where "before"
    migrations run (as copier runs them), so the plan sees what they did.
    """
    previous = load_lock(root)
    if is_current(previous, target):
        empty = Plan(())
        return Prepared(empty, previous, previous, {}, "", True, {}, root)
    ref = target.ref
    source = sources.at_version(
        sources.resolve_source(target.declared.blueprint, root), ref
    )
    with _background(
        _render_base, root, previous, source, trust, fork=side_process
    ) as base_job:
        theirs = cached_render(
            source,
            ref,
            target.data,
            recorded=target.declared.answers,
            defaults=not interactive,
            interactive=interactive,
            trust=trust,
            operation="update",
            dest=root,
        )
        base, note = base_job()
    applied = policy.from_raw(
        policy.parse_policy_text(
            theirs.policy_text, source=f"{source.recorded}/synctool.yml"
        )
    ).with_skip_if_exists(theirs.skip_if_exists)
    if before_merge is not None:
        to_version = theirs.version or source.bundled_version
        before_merge(
            CodeToRun(theirs.code, previous.version, to_version, theirs.answers)
        )
    paths = set(worktree.list_files(root)) | set(theirs.tree) | set(previous.files)
    if base is not None:
        paths |= set(base.tree)
    ours = worktree.WorkTree(root, paths)
    foreign = worktree.nested_repos(root, paths)  # submodules: never written

    def driver_for(path: str, data: bytes) -> Driver:
        from synctool.merge.drivers import default_driver

        return applied.driver(path, data) or default_driver(path, data)

    was, now = answer_changes(previous.answers, theirs.answers)
    labels = Labels(
        ours="service (working tree)",
        base=f"blueprint {_label(previous.version, previous.ref, previous.commit)}{was}",
        theirs=f"blueprint {_label(theirs.version or source.bundled_version, ref, theirs.commit)}{now}",
    )
    plan = build_plan(
        base.tree if base is not None else None,
        theirs.tree,
        ours,
        # a managed file whose drift is waived is merged (policy.for_merge)
        ownership=applied.for_merge(target.declared.doc.get("waivers")),
        driver_for=driver_for,
        labels=labels,
        base_hashes={p: f.sha256 for p, f in previous.files.items()},
        base_modes={p: f.mode for p, f in previous.files.items()},
        identity_keys=applied.identity_keys,
        foreign=foreign,
        occupied=ours.occupied,
        derived=applied.derived_rule,
    )
    writes = _writes(plan)
    ignores = worktree.gitignores_after(ours, writes)  # what the lock never hashes
    lock = new_lock(
        source.recorded, ref, theirs, source.bundled_version, applied, ignores
    )
    # What is left to resolve, where it was written: `check` reports it there.
    left = drift.left_to_resolve(
        root, plan, writes, previous.conflicts, foreign, lock.files
    )
    lock = lock._replace(conflicts=left)
    writes[LOCK] = FileEntry(dump_lock(lock).encode())
    if target.rewrite_declared or theirs.answers != target.declared.answers:
        declared_ref = ref if target.rewrite_declared else target.declared.ref
        text = redeclare(target.declared, declared_ref, theirs.answers)
        writes[DECLARED] = FileEntry(text.encode())
    return Prepared(plan, lock, previous, writes, note, False, ours, root, theirs.code)


def _label(version: str | None, ref: str | None, commit: str) -> str:
    return version or ref or commit[:12]


def answer_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], *, most: int = 3
) -> tuple[str, str]:
    """The answers that differ, as label suffixes: (" with db=mysql",
    " with db=postgres"); ("", "") when none does. A conflict caused by an
    answer change then names it, not the same version twice."""
    keys = sorted(
        k
        for k in {*old, *new}
        if not k.startswith("_") and old.get(k, _UNSET) != new.get(k, _UNSET)
    )
    if not keys:
        return "", ""

    def side(answers: Mapping[str, Any]) -> str:
        shown = [f"{k}={_shown(answers.get(k, _UNSET))}" for k in keys[:most]]
        more = f" (+{len(keys) - most} more)" if len(keys) > most else ""
        return " with " + ", ".join(shown) + more

    return side(old), side(new)


_UNSET: Any = object()


def _shown(value: Any) -> str:
    if value is _UNSET:
        return "(unset)"
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(str(text).split())  # a label is one line
    return text if len(text) <= 30 else text[:29] + "…"


@contextmanager
def _background(
    fn: Callable[..., _T], *args: Any, fork: bool
) -> Iterator[Callable[[], _T]]:
    """Run ``fn(*args)`` in a forked process while the caller works; yield a
    function that waits for its result (or runs it here without fork).

    The two renders of a sync (base and theirs) are independent and each is
    mostly CPU: on two cores they take the time of one. The side process
    dies with this one (a SIGKILL of the sync leaves no render behind) and
    is ended when the caller leaves early (an error, Ctrl-C).
    """
    if (
        not fork
        or (os.cpu_count() or 1) < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield lambda: fn(*args)
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    worker = context.Process(
        target=_side, args=(writer, reader, os.getpid(), fn, args), daemon=True
    )
    worker.start()
    writer.close()

    def result() -> _T:
        try:
            status, value = reader.recv()
        except EOFError:
            raise RuntimeError(
                f"the side process rendering the base died (exit {worker.exitcode})"
            ) from None
        if status == "error":
            raise value
        return cast(_T, value)

    try:
        yield result
    finally:
        reader.close()
        if worker.is_alive():
            worker.kill()
        worker.join()


def _side(
    writer: Connection,
    reader: Connection,
    parent: int,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    """The forked side process: run ``fn`` and send back its outcome."""
    reader.close()
    _die_with_parent(parent)
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # sent to the parent, raised there
        outcome = ("error", exc)
    try:
        writer.send(outcome)
    except Exception as exc:  # an unpicklable value or error
        writer.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    writer.close()


def _die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends, even by SIGKILL: the kernel's
    parent-death signal on Linux, and a watch on the parent pid everywhere."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _render_base(
    root: Path, previous: Lock, current: sources.Source, trust: bool
) -> tuple[Rendered | None, str]:
    """The applied version, rendered again; or None and why (then: fallback)."""
    try:
        source = sources.resolve_source(previous.blueprint, root)
    except BlueprintError:
        source = current
    try:
        source = sources.at_version(source, previous.version)
    except BlueprintError as exc:
        return None, exc.message.rstrip(".")
    ref = _applied_ref(source, previous)
    try:
        rendered = cached_render(
            source,
            ref,
            {},
            recorded=previous.answers,
            defaults=True,
            interactive=False,
            trust=trust,
            operation="update",
            dest=root,
            # a tag _applied_ref has just seen name the applied commit
            commit=previous.commit if ref is not None and ref == previous.ref else None,
        )
    except (BlueprintError, InputError) as exc:
        return (
            None,
            f"the applied blueprint version could not be rendered ({exc.message})",
        )
    if source.kind == "folder" and rendered.commit != previous.commit:
        return None, "the blueprint folder changed since it was applied"
    if rendered.reads_service and _not_as_applied(rendered, previous):
        return None, (
            "the applied blueprint version reads files of the service "
            "(copier's _external_data) that changed since it was applied"
        )
    # A file the applied version renders that synctool did not write then
    # (copier's answers file, before synctool wrote it) is not in the base.
    tree = {p: e for p, e in rendered.tree.items() if p in previous.files}
    return rendered._replace(tree=tree), ""


def _not_as_applied(rendered: Rendered, previous: Lock) -> bool:
    from synctool.service.model import sha256

    return any(
        sha256(entry.data) != previous.files[p].sha256
        for p, entry in rendered.tree.items()
        if p in previous.files and previous.files[p].sha256 is not None
    )


def _applied_ref(source: sources.Source, previous: Lock) -> str | None:
    """The ref to render the applied version at: the ref it was rendered at
    (a tag, as templates may show it in `_copier_conf.vcs_ref`) while it still
    names the applied commit, else that commit."""
    if source.kind != "git":
        return None
    ref = previous.ref
    if ref and ref != "HEAD" and commit_of(source, ref) == previous.commit:
        return ref
    return previous.commit


def new_lock(
    recorded: str,
    ref: str | None,
    theirs: Rendered,
    bundled_version: str | None,
    applied: policy.Policy,
    gitignores: Mapping[str, bytes] | None = None,
) -> Lock:
    """The applied state after rendering ``theirs`` (init and every sync).

    ``gitignores``: the service's `.gitignore` files after the sync; files
    they or ``theirs``' ignore, and files holding a secret answer, are
    locked without a hash (``model.locked_files``)."""
    return Lock(
        blueprint=recorded,
        ref=ref,
        version=theirs.version or bundled_version,
        commit=theirs.commit,
        answers=theirs.answers,
        answers_digest=answers_digest(theirs.answers),
        policy=applied.raw,
        files=locked_files(
            theirs.tree,
            applied.ownership,
            secrets=theirs.secret_values,
            gitignores=[
                {p: e.data for p, e in theirs.tree.items() if _is_ignore_file(p)},
                gitignores or {},
            ],
        ),
        synctool_version=__version__,
    )


def _is_ignore_file(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == GITIGNORE


def _writes(plan: Plan) -> dict[str, FileEntry | None]:
    writes: dict[str, FileEntry | None] = {}
    for entry in plan.entries:
        if entry.old_path is not None:
            writes.setdefault(entry.old_path, None)
        if entry.action == "delete":
            writes[entry.path] = None
        if entry.result is not None:
            writes[entry.path] = entry.result
        if entry.side_file is not None:
            writes[entry.side_file.path] = entry.side_file.entry
    return writes
