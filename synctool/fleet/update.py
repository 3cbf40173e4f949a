"""`fleet update` for one repo: clone, branch, update in-process, commit, push.

The steps of all-repos' autofix: a fresh branch from the origin's default
branch in our own clone, the change (`synctool update`, run in this process
by ``synctool.sync.run.sync``: the fleet gets every check and step a single
update has, and reads its typed result), one commit, an optional push. Everything that goes wrong is returned as a ``failed`` record, never
raised: one repo never stops the fleet.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NamedTuple

from synctool import git
from synctool.blueprint import sources
from synctool.crash import write_report
from synctool.errors import GitError, InputError, SynctoolError
from synctool.fleet import clones, resume
from synctool.fleet.repos import Repo
from synctool.service.model import BUNDLED, DECLARED, load_declared
from synctool.sync.labels import lock_label
from synctool.sync.result import SyncResult
from synctool.sync.run import SyncOptions, sync

Status = Literal["updated", "conflicts", "up-to-date", "failed", "skipped"]


class UpdateTask(NamedTuple):
    repo: Repo
    workdir: Path
    run_id: str  # scopes the per-process memo of blueprint refs to one run
    to: str | None = None
    branch: str | None = None  # None: synctool/update-<version>
    commit: bool = True
    push: bool = False
    dry_run: bool = False
    trust: bool = False
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
    except SynctoolError as exc:
        text = f"{exc.message} {exc.hint}".strip()
        return UpdateRecord(task.repo.spec, "failed", error=text)
    except Exception as exc:  # a bug in one repo must not stop the others
        log = write_report(exc, ["fleet update"])
        text = f"internal error: {type(exc).__name__}: {exc} (crash report: {log})"
        return UpdateRecord(task.repo.spec, "failed", error=text)


def _update(task: UpdateTask) -> UpdateRecord:
    clone = clones.fetch(task.repo, task.workdir)
    clones.checkout_default(clone)
    root = clone.path
    if not (root / DECLARED).is_file():
        raise InputError(
            f"not a synctool service: no {DECLARED} on {clone.default_branch}."
        )
    declared = load_declared(root)
    ref = _target_ref(root, declared.blueprint, task)
    branch = task.branch or default_branch_name(ref)
    record = UpdateRecord(task.repo.spec, "up-to-date", branch=branch, clone=str(root))
    earlier = resume.Earlier(None, None)
    if ref != declared.ref:  # else the default branch declares the target already
        earlier = resume.earlier_branch(
            root, branch, ref, declared.blueprint, push=task.push
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
    if task.push and earlier.remote is not None and not task.dry_run:
        theirs = _not_ours(root, clone.default_branch, earlier.remote)
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
    if task.dry_run:
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
    if not task.commit:
        return record._replace(note=f"not committed: the changes are in {root}")
    message = _message(record, declared.blueprint)
    record = record._replace(commit=_commit(root, branch, message))
    if task.push:
        seen = (
            earlier.remote if ref != declared.ref else resume.remote_sha(root, branch)
        )
        try:
            _push(root, branch, seen)
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
        dry_run=task.dry_run,
        trust=task.trust,
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


def _target_ref(root: Path, spec: str, task: UpdateTask) -> str | None:
    """The ref `update --to` resolves to (the newest release without --to)."""
    relative = not (
        spec == BUNDLED
        or "://" in spec
        or spec.startswith("git@")
        or os.path.isabs(spec)
    )
    return _resolve(task.run_id, spec, str(root) if relative else "", task.to)


@functools.lru_cache(maxsize=256)
def _resolve(run_id: str, spec: str, base: str, to: str | None) -> str | None:
    """The blueprint's newest release is asked once per blueprint per worker,
    not once per repo (it is a `git ls-remote` each time)."""
    source = sources.resolve_source(spec, Path(base or "."))
    return sources.resolve_ref(source, to or None, "--to")


def default_branch_name(ref: str | None) -> str:
    from packaging.version import InvalidVersion, Version

    label = ref or "HEAD"
    with contextlib.suppress(InvalidVersion):
        label = str(Version(label))
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in label)
    return f"synctool/update-{safe.strip('.-') or 'latest'}"


# The trailer of every commit `fleet update` makes: a branch holding other
# commits is a team's work, never overwritten by a later run.
TRAILER = "Synctool-Fleet-Update:"
_OLD_BODY = "synctool fleet update moved this service from blueprint"


def _not_ours(root: Path, default_branch: str, tip: str) -> list[str]:
    """The commits on ``tip`` (newest first) that are not on the default
    branch and that `fleet update` did not make."""
    out = git.run(
        [
            "log",
            "--format=%H%x00%B%x1e",
            f"refs/remotes/origin/{default_branch}..{tip}",
        ],
        root,
    )
    found = []
    for record in out.split("\x1e"):
        sha, _, body = record.strip().partition("\0")
        if sha and TRAILER not in body and _OLD_BODY not in body:
            found.append(sha)
    return found


def _message(record: UpdateRecord, blueprint: str) -> str:
    subject = f"Update blueprint {record.from_version} -> {record.to_version}"
    if record.conflicts:
        subject += f" ({len(record.conflicts)} conflict(s))"
    body = [
        f"synctool fleet update moved this service from blueprint "
        f"{record.from_version} to {record.to_version} ({blueprint}): "
        f"{record.files_changed} file(s) changed.",
    ]
    if record.conflicts:
        body += [
            "",
            "Conflicts to resolve (markers in the files, or a .blueprint copy "
            "beside a binary file; `synctool check` passes when none are left):",
            *(f"- {path}" for path in record.conflicts),
        ]
    body += ["", f"{TRAILER} {record.to_version}"]
    return subject + "\n\n" + "\n".join(body) + "\n"


@functools.cache
def _has_identity() -> bool:
    """Whether git knows who commits (asked once: clones share the user's config)."""
    if "GIT_AUTHOR_EMAIL" in os.environ:
        return True
    try:
        return bool(git.run(["config", "--get", "user.email"]).strip())
    except GitError:
        return False


def _commit(root: Path, branch: str, message: str) -> str:
    """Commit on ``branch``; return the commit's sha."""
    # No hooks: a pre-commit `synctool check` would refuse the conflict markers
    # this commit carries on purpose, for the team to resolve in review. The
    # user's identity when git has one; synctool's otherwise (a CI runner).
    git.run(
        ["-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", message],
        root,
        env=None if _has_identity() else git.COMMIT_ENV,
    )
    # git just wrote the branch as a loose ref: read it, a process less per repo.
    try:
        sha = (root / ".git/refs/heads" / branch).read_text(encoding="ascii").strip()
    except OSError:
        sha = ""
    if len(sha) in (40, 64):
        return sha
    return git.run(["rev-parse", "HEAD"], root).strip()


def _push(root: Path, branch: str, seen: str | None) -> None:
    """Push the branch; overwrite the origin's only if it is as we last saw it."""
    try:
        git.run(
            [
                "push",
                "--quiet",
                "--no-verify",
                f"--force-with-lease=refs/heads/{branch}:{seen or ''}",
                "origin",
                f"HEAD:refs/heads/{branch}",
            ],
            root,
            env=clones.git_env(),
            timeout=git.network_timeout(),
        )
    except GitError as exc:
        raise GitError(f"committed, but the push failed: {exc.message}") from None
