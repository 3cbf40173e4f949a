"""Where a sync takes the service: the declared ref and answers, resolved once.

`sync` goes where `.synctool.yml` says; `update` moves the declaration first
(`--to`, `--data`), never to an older release unasked.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from synctool import ui
from synctool.blueprint import sources
from synctool.errors import BlueprintError, InputError
from synctool.service.declared import Declared
from synctool.service.lock import Lock
from synctool.service.names import DECLARED


class Target(NamedTuple):
    """Where the service should go: normally .synctool.yml as it stands."""

    declared: Declared
    ref: str | None
    answers: dict[str, Any]
    rewrite_declared: bool  # update --to/--data: .synctool.yml changes too
    source: sources.Source  # the declared blueprint, resolved
    data: Mapping[str, Any] = MappingProxyType({})  # given now (update --data)
    # the commit a ref that moves (HEAD, a branch, a folder's content) names
    # now; None for tags
    commit: str | None = None

    @property
    def blueprint(self) -> str:
        """The source as the lock records it (absolute path, URL)."""
        return self.source.recorded


def resolve_target(
    root: Path,
    declared: Declared,
    previous: Lock,
    *,
    update: bool,
    to: str | None,
    data: Mapping[str, Any],
) -> Target:
    try:
        source = sources.resolve_source(declared.blueprint, root)
    except BlueprintError as exc:  # the declared file names it: fixed there
        raise BlueprintError(
            f"{DECLARED}: {exc.message}",
            f"Set `blueprint:` in {DECLARED} to where the blueprint is now (a "
            "path, a git URL or `bundled`), then sync.",
        ) from None
    if update:
        wanted = to or None
        ref = sources.resolve_ref(source, wanted, "--to")
        if wanted is None and _would_go_back(previous, ref):
            ref = declared.ref  # never downgrade unasked: stay where it is
        answers = {**declared.answers, **data}
        changed = ref != declared.ref or answers != declared.answers
        return Target(
            declared,
            ref,
            answers,
            changed,
            source,
            dict(data),
            _moving_commit(source, ref),
        )
    ref = sources.resolve_ref(source, declared.ref, f"`ref` in {DECLARED}")
    return Target(
        declared,
        ref,
        declared.answers,
        False,
        source,
        commit=_moving_commit(source, ref),
    )


def is_current(previous: Lock, target: Target) -> bool:
    """Nothing to do: the lock already records this target."""
    return (
        previous.blueprint == target.blueprint
        and previous.ref == target.ref
        and previous.answers == target.answers
        and not target.rewrite_declared
        and (target.commit is None or target.commit == previous.commit)
    )


def refuse_dropped_answers(
    previous: Lock, target: Target, asked: Mapping[str, Any]
) -> None:
    """An answer the service was generated with, gone from `.synctool.yml`,
    that the target would replace by another value (the question's default,
    in ``asked``): refused, not a service renamed behind the team's back.
    Only off a terminal: on one, copier has just asked the question."""
    dropped = [
        key
        for key, value in previous.answers.items()
        if key not in target.answers and key in asked and asked[key] != value
    ]
    if not dropped:
        return
    named = [f"`{k}` ({previous.answers[k]!r})" for k in dropped[:3]]
    if len(dropped) > 3:
        named[-1:] = [named[-1], f"{len(dropped) - 3} more"]
    shown = " and ".join(
        [", ".join(named[:-1]), named[-1]] if len(named) > 1 else named
    )
    what = "answers" if len(dropped) > 1 else "answer"
    raise InputError(
        f"{DECLARED} lacks the {what} {shown}, which the service was generated "
        "with: the blueprint's default would replace it.",
        f"Put the answer back under `answers:` in {DECLARED} (or write the "
        "value you want there), then sync again.",
    )


def _moving_commit(source: sources.Source, ref: str | None) -> str | None:
    """The commit ``ref`` names now, when it is a ref that moves (HEAD, a
    branch): the applied state is compared by commit, not by the ref's name.
    A release tag names one commit for good: not asked. A folder that is not
    a git repository moves with every edit: its content's digest, which a
    render of it records as its commit."""
    from packaging.version import InvalidVersion, Version

    from synctool.blueprint.rendercache import commit_of

    if source.kind == "folder":
        from synctool.blueprint.render.result import folder_digest

        return folder_digest(Path(source.location))
    if source.kind != "git" or ref is None:
        return None
    try:
        Version(ref)
    except InvalidVersion:
        return commit_of(source, ref)
    return None


def _would_go_back(previous: Lock, newest: str | None) -> bool:
    """Whether the newest release is older than what the service has (a
    pre-release such as 2.0.0rc1, which release tags leave out); says so."""
    from packaging.version import InvalidVersion, Version

    applied = previous.version
    if newest is None or applied is None:
        return False
    try:
        behind = Version(newest.removeprefix("v")) < Version(applied.removeprefix("v"))
    except InvalidVersion:
        return False
    if behind:
        ui.warning(
            f"the service is at blueprint {applied}, newer than the newest release "
            f"{newest}: not moving it back. Give `--to {newest}` to downgrade."
        )
    return behind
