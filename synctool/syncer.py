"""Sync as a computation: from the service's files to a plan and the writes.

base = the blueprint at the lock's commit with the lock's answers; theirs =
at the declared ref with the declared answers; ours = the working tree. The
merge itself is the pure engine in ``synctool.merge``; this module gathers
its inputs (renders, files) and turns its plan into file writes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from synctool import __version__, policy, sources, worktree
from synctool.errors import BlueprintError, InputError
from synctool.merge.plan import Plan, build_plan
from synctool.merge.types import Driver, FileEntry, Labels
from synctool.model import (
    DECLARED,
    LOCK,
    Declared,
    Lock,
    LockedFile,
    dump_lock,
    load_lock,
    redeclare,
    sha256,
)
from synctool.render import Rendered, answers_digest
from synctool.rendercache import cached_render, commit_of
from synctool.tasks import TemplateCode

_T = TypeVar("_T")


class Target(NamedTuple):
    """Where the service should go: normally .synctool.yml as it stands."""

    declared: Declared
    ref: str | None
    answers: dict[str, Any]
    rewrite_declared: bool  # update --to/--data: .synctool.yml changes too
    blueprint: str = ""  # the source as the lock records it (absolute path, URL)
    data: Mapping[str, Any] = MappingProxyType({})  # given now (update --data)


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
    )


def prepare(
    root: Path,
    target: Target,
    *,
    trust: bool,
    interactive: bool,
    side_process: bool = True,
) -> Prepared:
    """Render, merge and plan; nothing is written.

    ``side_process``: render the base in a second process while this one
    renders theirs (off when the caller has its own CPU budget: a fleet).
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
        )
        base, note = base_job()
    applied = policy.from_raw(
        policy.parse_policy_text(
            theirs.policy_text, source=f"{source.recorded}/synctool.yml"
        )
    ).with_skip_if_exists(theirs.skip_if_exists)
    paths = set(worktree.list_files(root)) | set(theirs.tree) | set(previous.files)
    if base is not None:
        paths |= set(base.tree)
    ours = worktree.WorkTree(root, paths)

    def driver_for(path: str, data: bytes) -> Driver:
        from synctool.merge.drivers import default_driver

        return applied.driver(path, data) or default_driver(path, data)

    labels = Labels(
        ours="service (working tree)",
        base=f"blueprint {_label(previous.version, previous.ref, previous.commit)}",
        theirs=f"blueprint {_label(theirs.version or source.bundled_version, ref, theirs.commit)}",
    )
    plan = build_plan(
        base.tree if base is not None else None,
        theirs.tree,
        ours,
        ownership=applied.ownership,
        driver_for=driver_for,
        labels=labels,
        base_hashes={p: f.sha256 for p, f in previous.files.items()},
        base_modes={p: f.mode for p, f in previous.files.items()},
        identity_keys=applied.identity_keys,
    )
    lock = new_lock(source.recorded, ref, theirs, source.bundled_version, applied)
    writes = _writes(plan)
    writes[LOCK] = FileEntry(dump_lock(lock).encode())
    if target.rewrite_declared or theirs.answers != target.declared.answers:
        declared_ref = ref if target.rewrite_declared else target.declared.ref
        text = redeclare(target.declared, declared_ref, theirs.answers)
        writes[DECLARED] = FileEntry(text.encode())
    return Prepared(plan, lock, previous, writes, note, False, ours, root, theirs.code)


def _label(version: str | None, ref: str | None, commit: str) -> str:
    return version or ref or commit[:12]


@contextmanager
def _background(
    fn: Callable[..., _T], *args: Any, fork: bool
) -> Iterator[Callable[[], _T]]:
    """Run ``fn(*args)`` in a forked process while the caller works; yield a
    function that waits for its result (or runs it here without fork).

    The two renders of a sync (base and theirs) are independent and each is
    mostly CPU: on two cores they take the time of one.
    """
    if (
        not fork
        or (os.cpu_count() or 1) < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield lambda: fn(*args)
        return
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(fn, *args)
        yield future.result


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
    return rendered, ""


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
) -> Lock:
    """The applied state after rendering ``theirs`` (init and every sync)."""
    return Lock(
        blueprint=recorded,
        ref=ref,
        version=theirs.version or bundled_version,
        commit=theirs.commit,
        answers=theirs.answers,
        answers_digest=answers_digest(theirs.answers),
        policy=applied.raw,
        files={
            rel: LockedFile(sha256(e.data), e.mode, applied.ownership(rel))
            for rel, e in theirs.tree.items()
        },
        synctool_version=__version__,
    )


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
