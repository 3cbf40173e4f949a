"""`fleet check` for one repo, and the releases each repo is behind.

A local path is checked where it is, like `synctool check` run in it (read
only); a URL (or a bare repository) is checked on its default branch in the
repo's clone. How far a
repo is behind needs its blueprint's release tags: the workers only say which
blueprint each repo follows, and the parent reads each blueprint's tags once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, NamedTuple

from packaging.version import InvalidVersion, Version

from synctool import git
from synctool.blueprint import releases, sources
from synctool.check import drift
from synctool.check.rules import Finding
from synctool.check.run import check_service
from synctool.errors import InputError, SynctoolError
from synctool.fleet import clones
from synctool.fleet.failure import failure_text
from synctool.fleet.repos import Repo
from synctool.service.declared import read_declared
from synctool.service.files import ServiceFiles
from synctool.service.lockread import load_lock
from synctool.service.names import DECLARED
from synctool.sync.labels import lock_label

CheckStatus = Literal["ok", "findings", "failed"]


class CheckTask(NamedTuple):
    repo: Repo
    workdir: Path
    online: bool = False  # evaluate max-behind rules (each repo asks its blueprint)


class CheckRecord(NamedTuple):
    repo: str
    status: CheckStatus
    blueprint: str | None = None  # as the lock records it
    version: str | None = None
    latest: str | None = None
    behind: int | None = None  # releases newer than `version`; None: unknown
    errors: int = 0
    warnings: int = 0
    waived: int = 0
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    releases_from: tuple[str, str] | None = None  # (kind, location) of the blueprint


def check_one(task: CheckTask) -> CheckRecord:
    """The record of one repo; the only exits are records."""
    try:
        local = Path(task.repo.url)
        if task.repo.local and not clones.is_bare(local):
            return _check(task, local)
        with clones.locked(task.workdir, task.repo):
            clone = clones.fetch(task.repo, task.workdir)
            clones.checkout_default(clone)
            return _check(task, clone.path)
    except Exception as exc:  # a bug in one repo must not stop the others
        error = failure_text(exc, "fleet check")
        return CheckRecord(task.repo.spec, "failed", error=error)


def _check(task: CheckTask, root: Path) -> CheckRecord:
    if not root.is_dir():
        raise InputError(f"{task.repo.spec}: no such folder.")
    interrupted = tuple(drift.interrupted(root))
    try:
        if not (root / DECLARED).is_file():
            raise InputError(f"not a synctool service (no {DECLARED}).")
        declared = read_declared(root)
        lock = load_lock(root)
    except InputError:
        if not interrupted:
            raise
        # Killed while moving synctool's own files: the journal says what to do.
        return CheckRecord(
            task.repo.spec, "findings", errors=len(interrupted), findings=interrupted
        )
    result = check_service(root, declared, lock, ServiceFiles(root), online=task.online)
    try:
        source = sources.resolve_source(lock.blueprint, root)
        origin: tuple[str, str] | None = (source.kind, source.location)
    except SynctoolError:
        origin = None  # the blueprint moved: the version is known, "behind" is not
    return CheckRecord(
        repo=task.repo.spec,
        status="findings" if result.errors else "ok",
        blueprint=lock.blueprint,
        version=lock_label(lock),
        errors=result.errors,
        warnings=result.warnings,
        waived=len(result.waived),
        findings=tuple(result.reported),
        releases_from=origin,
    )


def with_releases(records: Sequence[CheckRecord]) -> list[CheckRecord]:
    """Fill in latest and behind, reading each blueprint's releases once."""
    known: dict[tuple[str, str], list[Version] | None] = {}
    out = []
    for record in records:
        origin = record.releases_from
        if origin is None or record.version is None:
            out.append(record)
            continue
        if origin not in known:
            known[origin] = _releases(*origin)
        found = known[origin]
        if not found:
            out.append(record)
            continue
        try:
            current = Version(record.version)
        except InvalidVersion:
            out.append(record._replace(latest=str(found[0])))
            continue
        behind = sum(v > current for v in found)
        out.append(record._replace(latest=str(found[0]), behind=behind))
    return out


def _releases(kind: str, location: str) -> list[Version] | None:
    """Release versions, newest first; None when the blueprint can't say."""
    if kind == "bundled":
        names = {*releases.versions(), sources.bundled_version()}
        return sorted((Version(n) for n in names), reverse=True)
    if kind != "git":
        return None  # a plain folder has no versions
    try:
        return [version for version, _tag in git.release_tags(location)]
    except SynctoolError:
        return None
