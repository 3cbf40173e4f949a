"""`fleet update` for one repo: clone, branch, update in-process, commit, push.

The steps of all-repos' autofix: a fresh branch from the origin's default
branch in our own clone, the change (`synctool update`, run in this process
by ``synctool.sync.run.sync``: the fleet gets every check and step a single
update has, and reads its typed result), one commit, an optional push. Everything that goes wrong is returned as a ``failed`` record, never
raised: one repo never stops the fleet.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NamedTuple

from synctool import git
from synctool.errors import GitError, InputError
from synctool.fleet import clones, commits, refs, resume
from synctool.fleet.failure import failure_text
from synctool.fleet.repos import Repo
from synctool.service.declared import read_declared
from synctool.service.names import DECLARED
from synctool.sync.labels import lock_label
from synctool.sync.result import SyncResult
from synctool.sync.run import SyncOptions, sync

Status = Literal["updated", "conflicts", "up-to-date", "failed", "skipped"]


class UpdateOptions(NamedTuple):
    """What `fleet update` does in each repo."""

    to: str | None = None
    branch: str | None = None  # None: synctool/update-<version>
    commit: bool = True
    push: bool = False
    dry_run: bool = False
    trust: bool = False


class UpdateTask(NamedTuple):
    repo: Repo
    workdir: Path
    run_id: str  # scopes the per-process memo of blueprint refs to one run
    opts: UpdateOptions = UpdateOptions()
    # A second process for the base render: only when --jobs leaves a spare
    # CPU for each worker (--jobs N is the number of processes at work).
    side_process: bool = False


class UpdateRecord(NamedTuple):
    repo: str
    status: Status
    from_version: str | None = None
    to_version: str | None = None
    files_changed: int = 0
    conflicts: tuple[str, ...] = ()
    error: str | None = None
    branch: str | None = None
    note: str = ""
    clone: str | None = None
    commit: str | None = None
    pushed: bool = False


def update_one(task: UpdateTask) -> UpdateRecord:
    """The record of one repo; the only exits are records."""
    try:
        with clones.locked(task.workdir, task.repo):
            return _update(task)
    except Exception as exc:  # a bug in one repo must not stop the others
        error = failure_text(exc, "fleet update")
        return UpdateRecord(task.repo.spec, "failed", error=error)


def _update(task: UpdateTask) -> UpdateRecord:
    clone = clones.fetch(task.repo, task.workdir)
    clones.checkout_default(clone)
    root = clone.path
    if not (root / DECLARED).is_file():
        raise InputError(
            f"not a synctool service: no {DECLARED} on {clone.default_branch}."
        )
    declared = read_declared(root)
    ref = refs.target_ref(root, declared.blueprint, task)
    branch = task.opts.branch or refs.default_branch_name(ref)
    record = UpdateRecord(task.repo.spec, "up-to-date", branch=branch, clone=str(root))
    earlier = resume.Earlier(None, None)
    if ref != declared.ref:  # else the default branch declares the target already
        earlier = resume.earlier_branch(
            root, branch, ref, declared.blueprint, push=task.opts.push
        )
        if earlier.done is not None:
            done = resume.inspect(clone, earlier.done)
            note = "done in an earlier run"
            return record._replace(
                status="conflicts" if done.conflicts else "up-to-date",
                from_version=done.from_version,
                to_version=done.to_version,
                conflicts=done.conflicts,
                commit=earlier.done,
                note=note + ("; conflicts still open" if done.conflicts else ""),
            )
    if task.opts.push and earlier.remote is not None and not task.opts.dry_run:
        theirs = commits.not_ours(root, clone.default_branch, earlier.remote)
        if theirs:
            raise InputError(
                f"origin's {branch} has {len(theirs)} commit(s) synctool did not "
                f"make (the newest: {theirs[0][:12]}): not overwritten.",
                f"Merge {clone.default_branch} into {branch} and run `synctool update` "
                "there, or give the fleet another --branch.",
            )
    result = _sync(root, ref, task)
    before = lock_label(result.previous)
    if result.noop:
        note = f"at the target on {clone.default_branch}"
        return record._replace(
            from_version=before, to_version=before, branch=None, note=note
        )
    conflicts = tuple(result.conflicts)
    record = record._replace(
        status="conflicts" if conflicts else "updated",
        from_version=before,
        to_version=lock_label(result.lock),
        files_changed=len(result.changed),
        conflicts=conflicts,
    )
    if task.opts.dry_run:
        return record._replace(note="dry run: nothing written")
    # A new branch at the same commit: the sync's changes come along. There is
    # no `git diff` no-op check (all-repos needs one for any fixer): a sync
    # that is not a no-op always rewrites the lock.
    git.run(["checkout", "--quiet", "-B", branch], root)
    git.run(["add", "--all"], root)
    # A version kept beside a file for the team to decide (`.local`,
    # `.blueprint`) is committed even where .gitignore matches it: the team's
    # version must reach the branch, and `check` there fails until decided.
    if result.beside:
        git.run(["add", "--force", "--", *result.beside], root)
    if not task.opts.commit:
        return record._replace(note=f"not committed: the changes are in {root}")
    message = commits.message(record, declared.blueprint)
    record = record._replace(commit=commits.commit(root, branch, message))
    if task.opts.push:
        seen = (
            earlier.remote if ref != declared.ref else resume.remote_sha(root, branch)
        )
        try:
            commits.push(root, branch, seen)
        except GitError as exc:  # committed all the same: the record says so
            return record._replace(status="failed", error=exc.message)
        record = record._replace(pushed=True)
    return record


def _sync(root: Path, ref: str | None, task: UpdateTask) -> SyncResult:
    """`synctool update --to REF` on the clone, in this process."""
    opts = SyncOptions(
        path=root,
        to=ref,
        update=True,
        dry_run=task.opts.dry_run,
        trust=task.opts.trust,
        interactive=False,
        output="json",  # what it says goes to stderr: stdout is the fleet's
        side_process=task.side_process,
    )
    with _stdout_to_stderr():
        return sync(opts)


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """What a sync prints, and what the processes blueprint tasks start
    write, go to stderr with the progress, never into the fleet's own JSON
    on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
