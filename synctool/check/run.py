"""Every finding for one service: drift, conflicts left, the blueprint's
rules and the service's own, waivers. `synctool check` and `fleet check`
call ``check_service``; it never renders and never imports copier
(``--online`` asks git for the blueprint's release tags)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from synctool import git, ui
from synctool.check import drift
from synctool.check.reports import CheckResult
from synctool.check.rules import (
    Finding,
    OnlineInfo,
    RuleError,
    apply_waivers,
    evaluate,
    merge_rules,
    parse_rules,
    parse_waivers,
)
from synctool.errors import InputError
from synctool.service.declared import Declared
from synctool.service.files import ServiceFiles
from synctool.service.lock import Lock
from synctool.service.names import DECLARED, LOCK


def check_service(
    root: Path,
    declared: Declared,
    lock: Lock,
    files: ServiceFiles,
    *,
    online: bool = False,
    today: dt.date | None = None,
    originals: drift.Originals | None = None,
) -> CheckResult:
    """Every finding for one service (the fleet check calls this too).

    ``originals``: where an edited managed file's locked content is found
    offline (its finding then names the first changed line)."""
    try:
        blueprint_rules = parse_rules(
            lock.policy.get("rules"), source=f"{LOCK} (the blueprint's rules)"
        )
        local_rules = parse_rules(declared.doc.get("rules"), source=DECLARED)
        disabled = declared.doc.get("disable") or []
        if not isinstance(disabled, list) or not all(
            isinstance(d, str) for d in disabled
        ):
            raise RuleError(
                "`disable` must be a list of rule ids",
                file=DECLARED,
                line=_line(declared.doc, "disable"),
            )
        waivers = parse_waivers(declared.doc.get("waivers"), source=DECLARED)
    except RuleError as exc:
        raise InputError(str(exc) + ".", "Fix the rule and run check again.") from None
    merged = merge_rules(blueprint_rules, local_rules, disabled)
    online_info = _online_info(root, declared, lock) if online else None
    ignored = _ignored(root, lock, files)
    # A service not committed yet (made inside a monorepo, say): the files the
    # lock names are there whether or not git tracks them.
    files = files.including(p for p in lock.files if p not in ignored)
    findings: list[Finding] = [
        *drift.interrupted(root),
        *drift.declared_vs_applied(declared, lock, root),
        *drift.managed_drift(
            lock,
            files,
            ignored,
            drift.nested_repos(root, lock, files),  # their files are theirs
            originals or drift.Originals(root, lock, in_git=files.in_git),
        ),
        *drift.conflict_markers(lock, files),
        *merged.stale,
        *evaluate(merged.rules, files, online_info=online_info),
    ]
    unevaluated = (
        () if online else [r.id for r in merged.rules if r.kind == "max-behind"]
    )
    outcome = apply_waivers(
        findings, waivers, today=today or dt.date.today(), unevaluated=unevaluated
    )
    return CheckResult(
        service=str(root),
        blueprint=lock.blueprint,
        version=lock.version,
        reported=sorted(outcome.reported, key=_order),
        waived=sorted(outcome.waived, key=_order),
        online=online_info,
    )


def _ignored(root: Path, lock: Lock, files: ServiceFiles) -> frozenset[str]:
    """The lock's paths that git ignores (a service's local config, say):
    git never lists them, yet on disk they are there. One `git check-ignore`,
    only when some locked path is not listed."""
    if not files.in_git:
        return frozenset()  # outside git every file on disk is listed
    listed = set(files.paths())
    unlisted = [p for p in lock.files if p not in listed]
    if not unlisted:
        return frozenset()
    said = git.answer(
        ["check-ignore", "-z", "--stdin"],
        root,
        stdin="\0".join(unlisted).encode("utf-8", "surrogateescape"),
    )
    if said is None or said[0] not in (0, 1):  # 1: none ignored
        return frozenset()
    names = said[1].decode("utf-8", "surrogateescape").split("\0")
    return frozenset(n for n in names if n)


def _order(f: Finding) -> tuple[str, int, str]:
    return (f.path or "", f.line or 0, f.rule)


def _line(doc: Any, key: str) -> int | None:
    try:
        return int(doc.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None


def _online_info(root: Path, declared: Declared, lock: Lock) -> OnlineInfo | None:
    from synctool.blueprint import sources
    from synctool.errors import SynctoolError

    try:
        source = sources.resolve_source(
            declared.blueprint, root
        )  # relative to the service
        if source.kind == "bundled":  # the releases frozen inside synctool
            from synctool.blueprint import releases

            keyed = [(releases.version_key(v), v) for v in releases.versions()]
            # newest first, PEP 440 versions only, as git.release_tags gives them
            tags: list[tuple[Any, str]] = [
                (key[1], v) for key, v in reversed(keyed) if key[0] == 1
            ]
        elif source.kind == "git":
            from synctool import git

            tags = git.release_tags(source.location)
        else:  # a folder has no releases
            return None
    except SynctoolError as exc:
        ui.warning(f"--online: could not read the blueprint's releases ({exc.message})")
        return None
    if not tags:
        return None
    current = lock.version or lock.ref or ""
    newer = [
        tag
        for version, tag in tags
        if str(version) != current and _newer(version, current)
    ]
    return OnlineInfo(
        current=current, latest=str(tags[0][0]), releases_behind=len(newer)
    )


def _newer(version: Any, current: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return bool(version > Version(current))
    except InvalidVersion:
        return True
